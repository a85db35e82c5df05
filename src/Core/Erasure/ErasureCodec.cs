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
        if (!CheckedGenericReader.TryRead(message, RequestSchema, out GenericRecord? record, out reasonCode))
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
        if (!CheckedGenericReader.TryRead(message, NoticeSchema, out GenericRecord? record, out reasonCode))
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
        if (!CheckedGenericReader.TryRead(message, ReceiptSchema, out GenericRecord? record, out reasonCode))
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
}
