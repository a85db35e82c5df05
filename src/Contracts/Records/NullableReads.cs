using Sieve.Contracts.Avro;

namespace Sieve.Contracts.Records;

/// <summary>Reads of <c>["null", T]</c> unions, the only union shape the Sieve schemas use.</summary>
internal static class NullableReads
{
    public static AvroStatus TryReadFloat(ref AvroReader reader, out float? value)
    {
        value = null;
        AvroStatus s = reader.TryReadUnionIndex(2, out int branch);
        if (s != AvroStatus.Ok || branch == 0) return s;
        s = reader.TryReadFloat(out float v);
        value = v;
        return s;
    }

    public static AvroStatus TryReadDouble(ref AvroReader reader, out double? value)
    {
        value = null;
        AvroStatus s = reader.TryReadUnionIndex(2, out int branch);
        if (s != AvroStatus.Ok || branch == 0) return s;
        s = reader.TryReadDouble(out double v);
        value = v;
        return s;
    }

    public static AvroStatus TryReadInt(ref AvroReader reader, out int? value)
    {
        value = null;
        AvroStatus s = reader.TryReadUnionIndex(2, out int branch);
        if (s != AvroStatus.Ok || branch == 0) return s;
        s = reader.TryReadInt(out int v);
        value = v;
        return s;
    }

    public static AvroStatus TryReadLong(ref AvroReader reader, out long? value)
    {
        value = null;
        AvroStatus s = reader.TryReadUnionIndex(2, out int branch);
        if (s != AvroStatus.Ok || branch == 0) return s;
        s = reader.TryReadLong(out long v);
        value = v;
        return s;
    }

    public static AvroStatus TryReadBoolean(ref AvroReader reader, out bool? value)
    {
        value = null;
        AvroStatus s = reader.TryReadUnionIndex(2, out int branch);
        if (s != AvroStatus.Ok || branch == 0) return s;
        s = reader.TryReadBoolean(out bool v);
        value = v;
        return s;
    }

    public static AvroStatus TryReadString(ref AvroReader reader, out Utf8Slice value, int maxLength)
    {
        value = Utf8Slice.Null;
        AvroStatus s = reader.TryReadUnionIndex(2, out int branch);
        if (s != AvroStatus.Ok || branch == 0) return s;
        return reader.TryReadString(out value, maxLength);
    }
}

/// <summary>Writes of <c>["null", T]</c> unions.</summary>
internal static class NullableWrites
{
    public static void WriteFloat(ref AvroWriter writer, float? value)
    {
        if (value is float v) { writer.WriteUnionIndex(1); writer.WriteFloat(v); }
        else writer.WriteUnionIndex(0);
    }

    public static void WriteDouble(ref AvroWriter writer, double? value)
    {
        if (value is double v) { writer.WriteUnionIndex(1); writer.WriteDouble(v); }
        else writer.WriteUnionIndex(0);
    }

    public static void WriteInt(ref AvroWriter writer, int? value)
    {
        if (value is int v) { writer.WriteUnionIndex(1); writer.WriteInt(v); }
        else writer.WriteUnionIndex(0);
    }

    public static void WriteLong(ref AvroWriter writer, long? value)
    {
        if (value is long v) { writer.WriteUnionIndex(1); writer.WriteLong(v); }
        else writer.WriteUnionIndex(0);
    }

    public static void WriteBoolean(ref AvroWriter writer, bool? value)
    {
        if (value is bool v) { writer.WriteUnionIndex(1); writer.WriteBoolean(v); }
        else writer.WriteUnionIndex(0);
    }

    public static void WriteString(ref AvroWriter writer, string? value)
    {
        if (value is not null) { writer.WriteUnionIndex(1); writer.WriteString(value); }
        else writer.WriteUnionIndex(0);
    }

    public static void WriteStringArray(ref AvroWriter writer, IReadOnlyList<string> items)
    {
        if (items.Count > 0)
        {
            writer.WriteLong(items.Count);
            for (int i = 0; i < items.Count; i++) writer.WriteString(items[i]);
        }

        writer.WriteLong(0);
    }
}
