using Avro;
using Newtonsoft.Json.Linq;

namespace Sieve.Contracts.Avro.Resolution;

/// <summary>
/// Encodes a field's JSON default (as the Avro specification defines it) in Avro binary with the field's schema,
/// once, when a plan is compiled: a reader-only field then costs one copy per record. A union's default is for
/// its first branch; later branches are tried too, as newer versions of the specification allow.
/// </summary>
internal static class DefaultValueEncoder
{
    private const int MaxDefaultBytes = 64 * 1024;

    /// <summary>Encodes <paramref name="value"/>; false when it does not match <paramref name="schema"/>.</summary>
    public static bool TryEncode(Schema schema, JToken value, out byte[] encoded)
    {
        byte[] buffer = new byte[MaxDefaultBytes];
        var writer = new AvroWriter(buffer);
        if (!TryWrite(schema, value, ref writer, depth: 0) || writer.Overflowed)
        {
            encoded = [];
            return false;
        }

        encoded = buffer.AsSpan(0, writer.Position).ToArray();
        return true;
    }

    private static bool TryWrite(Schema schema, JToken value, ref AvroWriter writer, int depth)
    {
        if (depth > 32)
        {
            return false;
        }

        if (schema is LogicalSchema logical)
        {
            schema = logical.BaseSchema;
        }

        switch (schema)
        {
            case UnionSchema union:
                for (int i = 0; i < union.Count; i++)
                {
                    // A copy writes into the same span; it replaces the writer only when the branch fits the value.
                    AvroWriter attempt = writer;
                    attempt.WriteUnionIndex(i);
                    if (TryWrite(union[i], value, ref attempt, depth + 1))
                    {
                        writer = attempt;
                        return true;
                    }
                }

                return false;
            case RecordSchema record when value is JObject obj:
                foreach (Field field in record.Fields)
                {
                    JToken? fieldValue = obj[field.Name] ?? field.DefaultValue;
                    if (fieldValue is null || !TryWrite(field.Schema, fieldValue, ref writer, depth + 1))
                    {
                        return false;
                    }
                }

                return true;
            case EnumSchema e when value.Type == JTokenType.String && e.Contains((string)value!):
                writer.WriteLong(e.Ordinal((string)value!));
                return true;
            case ArraySchema array when value is JArray items:
                if (items.Count > 0)
                {
                    writer.WriteLong(items.Count);
                    foreach (JToken item in items)
                    {
                        if (!TryWrite(array.ItemSchema, item, ref writer, depth + 1))
                        {
                            return false;
                        }
                    }
                }

                writer.WriteLong(0);
                return true;
            case MapSchema map when value is JObject entries:
                if (entries.Count > 0)
                {
                    writer.WriteLong(entries.Count);
                    foreach (KeyValuePair<string, JToken?> entry in entries)
                    {
                        writer.WriteString(entry.Key);
                        if (entry.Value is null || !TryWrite(map.ValueSchema, entry.Value, ref writer, depth + 1))
                        {
                            return false;
                        }
                    }
                }

                writer.WriteLong(0);
                return true;
            case FixedSchema f when value.Type == JTokenType.String && ((string)value!).Length == f.Size:
                return TryWriteLatin1((string)value!, ref writer, lengthPrefix: false);
        }

        switch (schema.Tag)
        {
            case Schema.Type.Null:
                return value.Type == JTokenType.Null;
            case Schema.Type.Boolean when value.Type == JTokenType.Boolean:
                writer.WriteBoolean((bool)value);
                return true;
            case Schema.Type.Int when value.Type == JTokenType.Integer && (long)value is >= int.MinValue and <= int.MaxValue:
            case Schema.Type.Long when value.Type == JTokenType.Integer:
                writer.WriteLong((long)value);
                return true;
            case Schema.Type.Float when value.Type is JTokenType.Integer or JTokenType.Float:
                writer.WriteFloat((float)value);
                return true;
            case Schema.Type.Double when value.Type is JTokenType.Integer or JTokenType.Float:
                writer.WriteDouble((double)value);
                return true;
            case Schema.Type.String when value.Type == JTokenType.String:
                writer.WriteString((string)value!);
                return true;
            case Schema.Type.Bytes when value.Type == JTokenType.String:
                return TryWriteLatin1((string)value!, ref writer, lengthPrefix: true);
            default:
                return false;
        }
    }

    /// <summary>Bytes defaults are strings whose code points 0–255 are the bytes.</summary>
    private static bool TryWriteLatin1(string text, ref AvroWriter writer, bool lengthPrefix)
    {
        if (lengthPrefix)
        {
            writer.WriteLong(text.Length);
        }

        foreach (char c in text)
        {
            if (c > 0xFF)
            {
                return false;
            }

            writer.WriteByte((byte)c);
        }

        return true;
    }
}
