using System.Diagnostics.CodeAnalysis;
using Avro;
using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Erasure;

/// <summary>
/// Single-object encoding of the erasure records (<c>schemas/erasure-*.avsc</c>) with Apache.Avro's generic
/// reader and writer: these are a few messages per request, never on a per-event path. A message written with a
/// released earlier version (<c>schemas/history</c>) is read by Avro's resolution rules. Decoding failures return a
/// reason code, never text taken from the message.
/// </summary>
public static class ErasureCodec
{
    private static readonly SchemaInfo RequestSchema = SchemaCatalog.Default.Get("sieve.erasure.ErasureRequest");
    private static readonly SchemaInfo NoticeSchema = SchemaCatalog.Default.Get("sieve.erasure.ErasureNotice");
    private static readonly SchemaInfo ReceiptSchema = SchemaCatalog.Default.Get("sieve.erasure.ErasureReceipt");
    private static readonly string[] ReasonSymbols = ["USER_REQUEST", "MINOR", "OTHER"];
    private static readonly string[] StatusSymbols = ["COMPLETED", "REJECTED"];

    /// <summary>Encodes a request (for the CLI and tests).</summary>
    public static byte[] EncodeRequest(ErasureRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        RecordSchema schema = RequestSchema.Schema;
        var record = new GenericRecord(schema);
        record.Add("subjectType", Enum(schema, "subjectType", SubjectTypeNames.Of(request.SubjectType)));
        record.Add("subjectId", request.SubjectId);
        record.Add("requestId", request.RequestId);
        record.Add("reason", Enum(schema, "reason", ReasonSymbols[(int)request.Reason]));
        record.Add("requestedAt", request.RequestedAt.UtcDateTime);
        return Write(RequestSchema, record);
    }

    /// <summary>
    /// Decodes a request; false with a reason code when the message is not one, or its request id is not one
    /// (<see cref="ErasureRequestId"/>).
    /// </summary>
    public static bool TryDecodeRequest(byte[]? message, [NotNullWhen(true)] out ErasureRequest? request, [NotNullWhen(false)] out string? reasonCode)
    {
        request = null;
        if (!TryRead(message, RequestSchema, out GenericRecord? record, out reasonCode))
        {
            return false;
        }

        if (!SubjectTypeNames.TryParse(((GenericEnum)record["subjectType"]).Value, out SubjectType type))
        {
            reasonCode = "unknown-subject-type";
            return false;
        }

        string requestId = (string)record["requestId"];
        string subjectId = (string)record["subjectId"];
        if (ErasureRequestId.Problem(requestId, type, subjectId) is { } problem)
        {
            reasonCode = problem;
            return false;
        }

        request = new ErasureRequest(type, subjectId, requestId,
            (ErasureReason)Array.IndexOf(ReasonSymbols, ((GenericEnum)record["reason"]).Value), Time(record["requestedAt"]));
        return true;
    }

    /// <summary>Encodes a notice.</summary>
    public static byte[] EncodeNotice(ErasureNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        RecordSchema schema = NoticeSchema.Schema;
        var record = new GenericRecord(schema);
        record.Add("purpose", notice.Purpose);
        record.Add("subject", notice.Subject);
        record.Add("keyIds", notice.KeyIds.ToArray());
        record.Add("noticeId", notice.NoticeId);
        return Write(NoticeSchema, record);
    }

    /// <summary>Decodes a notice; false with a reason code when the message is not one.</summary>
    public static bool TryDecodeNotice(byte[]? message, [NotNullWhen(true)] out ErasureNotice? notice, [NotNullWhen(false)] out string? reasonCode)
    {
        notice = null;
        if (!TryRead(message, NoticeSchema, out GenericRecord? record, out reasonCode))
        {
            return false;
        }

        notice = new ErasureNotice((string)record["purpose"], (string)record["subject"], ((object[])record["keyIds"]).Cast<string>().ToArray(),
            (string)record["noticeId"]);
        return true;
    }

    /// <summary>Encodes a receipt.</summary>
    public static byte[] EncodeReceipt(ErasureReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        RecordSchema schema = ReceiptSchema.Schema;
        var record = new GenericRecord(schema);
        record.Add("requestId", receipt.RequestId);
        record.Add("reason", Enum(schema, "reason", ReasonSymbols[(int)receipt.Reason]));
        record.Add("status", Enum(schema, "status", StatusSymbols[(int)receipt.Status]));
        record.Add("detail", receipt.Detail);
        record.Add("requestedAt", receipt.RequestedAt.UtcDateTime);
        record.Add("markedAt", receipt.MarkedAt?.UtcDateTime);
        record.Add("completedAt", receipt.CompletedAt.UtcDateTime);
        var itemSchema = (RecordSchema)((ArraySchema)schema["purposes"].Schema).ItemSchema;
        var purposes = new object[receipt.Purposes.Count];
        for (int i = 0; i < purposes.Length; i++)
        {
            PurposeErasure p = receipt.Purposes[i];
            var item = new GenericRecord(itemSchema);
            item.Add("purpose", p.Purpose);
            item.Add("pseudonyms", p.Pseudonyms);
            item.Add("rowsRemoved", p.RowsRemoved);
            item.Add("filesRewritten", p.FilesRewritten);
            purposes[i] = item;
        }

        record.Add("purposes", purposes);
        record.Add("subjectType", receipt.SubjectType is { } type
            ? new GenericEnum((EnumSchema)((UnionSchema)schema["subjectType"].Schema)[1], SubjectTypeNames.Of(type))
            : null);
        return Write(ReceiptSchema, record);
    }

    /// <summary>Decodes a receipt; false with a reason code when the message is not one.</summary>
    public static bool TryDecodeReceipt(byte[]? message, [NotNullWhen(true)] out ErasureReceipt? receipt, [NotNullWhen(false)] out string? reasonCode)
    {
        receipt = null;
        if (!TryRead(message, ReceiptSchema, out GenericRecord? record, out reasonCode))
        {
            return false;
        }

        var purposes = new List<PurposeErasure>();
        foreach (GenericRecord item in ((object[])record["purposes"]).Cast<GenericRecord>())
        {
            purposes.Add(new PurposeErasure((string)item["purpose"], (int)item["pseudonyms"], (long)item["rowsRemoved"], (int)item["filesRewritten"]));
        }

        SubjectType? subjectType = null;
        if (record["subjectType"] is GenericEnum symbol)
        {
            if (!SubjectTypeNames.TryParse(symbol.Value, out SubjectType parsed))
            {
                receipt = null;
                reasonCode = "unknown-subject-type";
                return false;
            }

            subjectType = parsed;
        }

        receipt = new ErasureReceipt((string)record["requestId"], (ErasureReason)Array.IndexOf(ReasonSymbols, ((GenericEnum)record["reason"]).Value),
            (ErasureStatus)Array.IndexOf(StatusSymbols, ((GenericEnum)record["status"]).Value), (string)record["detail"], Time(record["requestedAt"]),
            record["markedAt"] is null ? null : Time(record["markedAt"]), Time(record["completedAt"]), purposes, subjectType);
        return true;
    }

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

    private static GenericEnum Enum(RecordSchema schema, string field, string symbol) => new((EnumSchema)schema[field].Schema, symbol);

    private static DateTimeOffset Time(object value) => new(DateTime.SpecifyKind((DateTime)value, DateTimeKind.Utc));

    private static byte[] Write(SchemaInfo info, GenericRecord record)
    {
        using var stream = new MemoryStream();
        Span<byte> header = stackalloc byte[SingleObjectEncoding.HeaderLength];
        SingleObjectEncoding.WriteHeader(header, info.Fingerprint);
        stream.Write(header);
        new GenericDatumWriter<GenericRecord>(info.Schema).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    /// <summary>Reads past one value of <paramref name="schema"/>; the erasure schemas use no maps, fixed or recursion.</summary>
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
    /// Reads past an array. Only positive block counts are accepted: the erasure writers (Apache.Avro's) never write
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

            // Every item of the erasure schemas takes at least one byte.
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

    private static bool TryRead(byte[]? message, SchemaInfo info, [NotNullWhen(true)] out GenericRecord? record, [NotNullWhen(false)] out string? reasonCode)
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
