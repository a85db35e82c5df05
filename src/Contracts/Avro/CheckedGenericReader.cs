using System.Diagnostics.CodeAnalysis;
using Avro;
using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Schemas;

namespace Sieve.Contracts.Avro;

/// <summary>
/// Apache.Avro's generic reader behind a check: the control-plane records (erasure, audit) are read with it, off the
/// per-event path, from topics anyone with write access could fill. Apache.Avro allocates whatever a length prefix
/// says and throws on an out-of-range index, so the span reader walks the body first.
/// </summary>
public static class CheckedGenericReader
{
    private static SchemaInfo? EarlierVersion(SchemaInfo current, ulong fingerprint)
    {
        foreach (SchemaInfo earlier in SchemaCatalog.Default.History(current))
        {
            if (earlier.Fingerprint == fingerprint)
            {
                return earlier;
            }
        }

        return null;
    }

    /// <summary>Reads past one value of <paramref name="schema"/>; the schemas read here use no maps, fixed or recursion.</summary>
    private static AvroStatus Validate(ref AvroReader reader, Schema schema)
    {
        AvroStatus status;
        switch (schema)
        {
            case RecordSchema record:
                foreach (Field field in record.Fields)
                {
                    if ((status = Validate(ref reader, field.Schema)) != AvroStatus.Ok)
                    {
                        return status;
                    }
                }

                return AvroStatus.Ok;
            case EnumSchema symbols:
                return reader.TryReadEnum(symbols.Count, out _);
            case UnionSchema union:
                return (status = reader.TryReadUnionIndex(union.Count, out int branch)) != AvroStatus.Ok ? status : Validate(ref reader, union[branch]);
            case ArraySchema array:
                return ValidateArray(ref reader, array.ItemSchema);
            case LogicalSchema logical:
                return Validate(ref reader, logical.BaseSchema);
            default:
                // Strings are not checked as UTF-8 here: Apache.Avro decodes them as it always has.
                return schema.Tag switch
                {
                    Schema.Type.String or Schema.Type.Bytes => reader.TryReadBytes(out _, reader.Remaining),
                    Schema.Type.Long => reader.TryReadLong(out _),
                    Schema.Type.Int => reader.TryReadInt(out _),
                    Schema.Type.Boolean => reader.TryReadBoolean(out _),
                    Schema.Type.Float => reader.TryReadFloat(out _),
                    Schema.Type.Double => reader.TryReadDouble(out _),
                    Schema.Type.Null => AvroStatus.Ok,
                    _ => AvroStatus.UnknownFingerprint,
                };
        }
    }

    /// <summary>
    /// Reads past an array. Only positive block counts are accepted: the writers of these records (Apache.Avro and the span codec) never write
    /// the negative, sized form.
    /// </summary>
    private static AvroStatus ValidateArray(ref AvroReader reader, Schema items)
    {
        while (true)
        {
            AvroStatus status = reader.TryReadLong(out long count);
            if (status != AvroStatus.Ok || count == 0)
            {
                return status;
            }

            // Every array item of the schemas read here takes at least one byte.
            if (count < 0 || count > reader.Remaining)
            {
                return count < 0 ? AvroStatus.NegativeLength : AvroStatus.Truncated;
            }

            for (long i = 0; i < count; i++)
            {
                if ((status = Validate(ref reader, items)) != AvroStatus.Ok)
                {
                    return status;
                }
            }
        }
    }

    /// <summary>
    /// Reads <paramref name="message"/> (single-object encoded) as the current version <paramref name="info"/>: written
    /// with it or with an earlier version of its history (resolved by Avro's rules), every length, count, enum and
    /// union index checked against the bytes and the schema first, no bytes left over. False with a reason code
    /// (never text from the message) otherwise.
    /// </summary>
    public static bool TryRead(byte[]? message, SchemaInfo info, [NotNullWhen(true)] out GenericRecord? record, [NotNullWhen(false)] out string? reasonCode)
    {
        record = null;
        if (message is null || message.Length == 0)
        {
            reasonCode = "empty-value";
            return false;
        }

        AvroStatus status = SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint);
        if (status != AvroStatus.Ok)
        {
            reasonCode = status.ToReasonCode();
            return false;
        }

        // A message written with a released earlier version (schemas/history) is read by Avro's resolution rules.
        SchemaInfo? writer = fingerprint == info.Fingerprint ? info : EarlierVersion(info, fingerprint);
        if (writer is null)
        {
            reasonCode = AvroStatus.UnknownFingerprint.ToReasonCode();
            return false;
        }

        // Apache.Avro allocates whatever a length prefix says (a few bytes could ask for gigabytes) and throws
        // IndexOutOfRangeException on a union index or array block count out of range, so the body is first walked
        // with the span reader, which checks every length and count against the bytes left and every enum and union
        // index against the schema.
        var reader = new AvroReader(message) { Position = SingleObjectEncoding.HeaderLength };
        status = Validate(ref reader, writer.Schema);
        if (status == AvroStatus.Ok)
        {
            status = reader.ExpectEnd();
        }

        if (status != AvroStatus.Ok)
        {
            reasonCode = status.ToReasonCode();
            return false;
        }

        using var stream = new MemoryStream(message, SingleObjectEncoding.HeaderLength, message.Length - SingleObjectEncoding.HeaderLength, writable: false);
        try
        {
            record = new GenericDatumReader<GenericRecord>(writer.Schema, info.Schema).Read(null!, new BinaryDecoder(stream));
        }
        catch (Exception e) when (e is AvroException or EndOfStreamException or IOException or ArgumentException or InvalidCastException or OverflowException)
        {
            reasonCode = "avro-undecodable";
            return false;
        }

        if (stream.Position != stream.Length)
        {
            record = null;
            reasonCode = AvroStatus.TrailingBytes.ToReasonCode();
            return false;
        }

        reasonCode = null;
        return true;
    }
}
