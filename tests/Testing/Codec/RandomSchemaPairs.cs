using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Avro.IO;

namespace Sieve.Testing.Codec;

/// <summary>
/// Random (writer, reader, record) triples that Avro's resolution rules make readable: a random reader schema, a
/// writer derived from it by the changes schemas go through (fields added, fields with defaults removed, fields
/// reordered, numeric promotions, nullable unions reordered or widened, enum symbols reordered or
/// added where the reader has a default), and random records for the writer. Apache.Avro encodes and resolves them.
/// </summary>
internal sealed class RandomSchemaPairs(int seed)
{
    private readonly Random _random = new(seed);
    private int _names;

    /// <summary>A writer and reader schema pair, as JSON the two sides parse.</summary>
    public (Schema Writer, Schema Reader) Pair()
    {
        _names = 0;
        (JsonNode writer, JsonNode reader) = RecordPair(depth: 0);
        return (Schema.Parse(writer.ToJsonString()), Schema.Parse(reader.ToJsonString()));
    }

    /// <summary>A random datum of <paramref name="schema"/>, as Apache.Avro's generic writer takes it.</summary>
    public object? Datum(Schema schema, int depth = 0)
    {
        switch (schema)
        {
            case RecordSchema record:
                var generic = new GenericRecord(record);
                foreach (Field field in record.Fields)
                {
                    generic.Add(field.Name, Datum(field.Schema, depth + 1));
                }

                return generic;
            case UnionSchema union:
                return Datum(union[_random.Next(union.Count)], depth + 1);
            case EnumSchema e:
                return new GenericEnum(e, e.Symbols[_random.Next(e.Count)]);
            case FixedSchema f:
                byte[] bytes = new byte[f.Size];
                _random.NextBytes(bytes);
                return new GenericFixed(f, bytes);
            case ArraySchema array:
                return Enumerable.Range(0, depth > 3 ? 0 : _random.Next(4)).Select(_ => Datum(array.ItemSchema, depth + 1)).ToArray();
            case MapSchema map:
                return Enumerable.Range(0, depth > 3 ? 0 : _random.Next(3)).ToDictionary(i => "k" + i, _ => Datum(map.ValueSchema, depth + 1));
        }

        return schema.Tag switch
        {
            Schema.Type.Null => null,
            Schema.Type.Boolean => _random.Next(2) == 1,
            Schema.Type.Int => _random.Next(4) == 0 ? _random.Next(int.MinValue, int.MaxValue) : _random.Next(-100, 100),
            Schema.Type.Long => _random.Next(4) == 0 ? _random.NextInt64(long.MinValue, long.MaxValue) : _random.NextInt64(-1000, 1000),
            Schema.Type.Float => (float)(_random.NextDouble() * 1000 - 500),
            Schema.Type.Double => _random.NextDouble() * 1e6 - 5e5,
            Schema.Type.String => Text(),
            Schema.Type.Bytes => System.Text.Encoding.UTF8.GetBytes(Text()),
            _ => throw new InvalidOperationException("unexpected " + schema.Tag),
        };
    }

    /// <summary>Avro binary of <paramref name="datum"/> written with <paramref name="schema"/>.</summary>
    public static byte[] Encode(Schema schema, object? datum)
    {
        using var stream = new MemoryStream();
        new GenericDatumWriter<object?>(schema).Write(datum, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    /// <summary>What Apache.Avro's resolving reader makes of <paramref name="body"/>, encoded again with <paramref name="reader"/>.</summary>
    public static byte[] ResolveWithApache(Schema writer, Schema reader, byte[] body)
    {
        object? resolved = new GenericDatumReader<object?>(writer, reader).Read(null, new BinaryDecoder(new MemoryStream(body)));
        return Encode(reader, resolved);
    }

    private (JsonNode Writer, JsonNode Reader) RecordPair(int depth)
    {
        string name = "R" + _names++;
        var writerFields = new List<JsonNode>();
        var readerFields = new List<JsonNode>();
        int count = _random.Next(1, depth == 0 ? 7 : 4);
        for (int i = 0; i < count; i++)
        {
            string field = "f" + i;
            switch (_random.Next(6))
            {
                case 0:
                    // Reader-only: the writer predates it, so the reader needs a default.
                    (JsonNode type, JsonNode defaultValue) = WithDefault();
                    readerFields.Add(new JsonObject { ["name"] = field, ["type"] = type, ["default"] = defaultValue });
                    break;
                case 1:
                    // Writer-only: the reader dropped it.
                    (JsonNode writerOnly, _) = TypePair(depth + 1);
                    writerFields.Add(new JsonObject { ["name"] = field, ["type"] = writerOnly });
                    break;
                default:
                    (JsonNode w, JsonNode r) = TypePair(depth + 1);
                    writerFields.Add(new JsonObject { ["name"] = field, ["type"] = w });
                    readerFields.Add(new JsonObject { ["name"] = field, ["type"] = r });
                    break;
            }
        }

        if (_random.Next(5) == 0)
        {
            // Fields matched by name, not position.
            writerFields = [.. writerFields.OrderBy(_ => _random.Next())];
        }

        return (Record(name, writerFields), Record(name, readerFields));
    }

    private static JsonObject Record(string name, List<JsonNode> fields) =>
        new() { ["type"] = "record", ["name"] = name, ["namespace"] = "t", ["fields"] = new JsonArray([.. fields]) };

    private (JsonNode Writer, JsonNode Reader) TypePair(int depth)
    {
        int choice = _random.Next(depth > 2 ? 6 : 11);
        switch (choice)
        {
            case 0:
                return Same("boolean");
            case 1:
                return _random.Next(2) == 0 ? Same("int") : ("int", "long");
            case 2:
                string[] toFloat = ["int", "long", "float"];
                return (toFloat[_random.Next(3)], "float");
            case 3:
                string[] toDouble = ["int", "long", "float", "double"];
                return (toDouble[_random.Next(4)], "double");
            case 4:
                // Apache.Avro's C# reader does not promote string to bytes or back (SchemaResolutionTests covers it).
                return _random.Next(2) == 0 ? Same("string") : Same("bytes");
            case 5:
                string fixedName = "F" + _names++;
                return Same(new JsonObject { ["type"] = "fixed", ["name"] = fixedName, ["size"] = _random.Next(1, 6) });
            case 6:
                return EnumPair();
            case 7:
                (JsonNode item, JsonNode readerItem) = TypePair(depth + 1);
                return (new JsonObject { ["type"] = "array", ["items"] = item }, new JsonObject { ["type"] = "array", ["items"] = readerItem });
            case 8:
                (JsonNode value, JsonNode readerValue) = TypePair(depth + 1);
                return (new JsonObject { ["type"] = "map", ["values"] = value }, new JsonObject { ["type"] = "map", ["values"] = readerValue });
            case 9:
                return RecordPair(depth + 1);
            default:
                return NullablePair(depth);
        }
    }

    private (JsonNode Writer, JsonNode Reader) NullablePair(int depth)
    {
        (JsonNode w, JsonNode r) = TypePair(depth + 1);
        if (IsUnion(w) || IsUnion(r))
        {
            return (w, r);
        }

        JsonArray reader = ["null", r];
        return _random.Next(3) switch
        {
            0 => (new JsonArray("null", w), reader),
            1 => (new JsonArray(w, "null"), reader), // branches reordered
            _ => (w, reader), // a plain value read as a union
        };
    }

    private (JsonNode Writer, JsonNode Reader) EnumPair()
    {
        string name = "E" + _names++;
        string[] symbols = ["A", "B", "C", "D"];
        string[] writer = [.. symbols.Take(_random.Next(1, 5)).OrderBy(_ => _random.Next())];
        var reader = new JsonObject { ["type"] = "enum", ["name"] = name, ["symbols"] = new JsonArray([.. symbols.Take(3).Select(s => (JsonNode)s)]) };
        if (writer.Contains("D"))
        {
            // A symbol the reader lacks: read as the reader's default.
            reader["default"] = "B";
        }

        return (new JsonObject { ["type"] = "enum", ["name"] = name, ["symbols"] = new JsonArray([.. writer.Select(s => (JsonNode)s)]) }, reader);
    }

    private (JsonNode Type, JsonNode Default) WithDefault() => _random.Next(7) switch
    {
        0 => ("int", JsonValue.Create(_random.Next(-5, 5))),
        1 => ("long", JsonValue.Create(123456789012L)),
        2 => ("string", JsonValue.Create("dflt")),
        3 => ("double", JsonValue.Create(2.5)),
        4 => (new JsonArray("null", "string"), JsonValue.Create<string?>(null)!),
        5 => (new JsonObject { ["type"] = "array", ["items"] = "int" }, new JsonArray(1, 2, 3)),
        _ => (new JsonObject { ["type"] = "map", ["values"] = "string" }, new JsonObject { ["a"] = "b" }),
    };

    private static (JsonNode, JsonNode) Same(JsonNode type) => (type, type.DeepClone());

    private static bool IsUnion(JsonNode node) => node is JsonArray;

    private string Text() => _random.Next(4) switch
    {
        0 => "",
        1 => "日本語",
        _ => new string('x', _random.Next(1, 20)),
    };
}
