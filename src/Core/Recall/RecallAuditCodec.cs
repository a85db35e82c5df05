using System.Diagnostics.CodeAnalysis;
using System.Text;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Recall;

/// <summary>Single-object encoding of <c>recall.audit.v1</c> records (<c>schemas/recall-audit.avsc</c>).</summary>
public static class RecallAuditCodec
{
    /// <summary>Longest text field read back.</summary>
    public const int MaxTextBytes = 4096;

    /// <summary>Most approvers read back.</summary>
    public const int MaxApprovers = 16;

    private static readonly ulong Fingerprint = SchemaCatalog.Default.Get("sieve.recall.RecallAudit").Fingerprint;

    /// <summary>Encodes <paramref name="record"/>.</summary>
    public static byte[] Encode(RecallAuditRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        int size = SingleObjectEncoding.HeaderLength + 64;
        foreach (string text in new[] { record.RequestId, record.RequestDigest, record.Campaign, record.LegalBasis, record.Reason, record.Destination })
        {
            size += Encoding.UTF8.GetByteCount(text) + 10;
        }

        foreach (string approver in record.Approvers)
        {
            size += Encoding.UTF8.GetByteCount(approver) + 10;
        }

        byte[] buffer = new byte[size];
        var writer = new AvroWriter(buffer);
        SingleObjectEncoding.WriteHeader(ref writer, Fingerprint);
        writer.WriteString(record.RequestId);
        writer.WriteString(record.RequestDigest);
        writer.WriteString(record.Campaign);
        writer.WriteString(record.LegalBasis);
        if (record.Approvers.Count > 0)
        {
            writer.WriteLong(record.Approvers.Count);
            foreach (string approver in record.Approvers)
            {
                writer.WriteString(approver);
            }
        }

        writer.WriteLong(0);
        writer.WriteInt((int)record.Outcome);
        writer.WriteString(record.Reason);
        writer.WriteInt(record.Requested);
        writer.WriteInt(record.Resolved);
        writer.WriteInt(record.Unresolved);
        writer.WriteString(record.Destination);
        writer.WriteLong(record.AtMillis);
        return writer.Overflowed ? throw new InvalidOperationException("The audit record did not fit its buffer.") : buffer.AsSpan(0, writer.Position).ToArray();
    }

    /// <summary>Decodes a <c>recall.audit.v1</c> value; false with a reason code when it is not one.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, [NotNullWhen(true)] out RecallAuditRecord? record, [NotNullWhen(false)] out string? reasonCode)
    {
        record = null;
        AvroStatus status = SingleObjectEncoding.TryReadHeader(value, out ulong fingerprint);
        if (status == AvroStatus.Ok && fingerprint != Fingerprint)
        {
            reasonCode = "unknown-schema";
            return false;
        }

        var reader = new AvroReader(status == AvroStatus.Ok ? value[SingleObjectEncoding.HeaderLength..] : default);
        ReadOnlySpan<byte> body = reader.Buffer;
        if (status != AvroStatus.Ok
            || (status = reader.TryReadString(out Utf8Slice requestId, MaxTextBytes)) != AvroStatus.Ok
            || (status = reader.TryReadString(out Utf8Slice digest, MaxTextBytes)) != AvroStatus.Ok
            || (status = reader.TryReadString(out Utf8Slice campaign, MaxTextBytes)) != AvroStatus.Ok
            || (status = reader.TryReadString(out Utf8Slice legalBasis, MaxTextBytes)) != AvroStatus.Ok
            || (status = reader.TryReadStringArray(out StringArraySlice approvers, MaxApprovers, MaxTextBytes)) != AvroStatus.Ok
            || (status = reader.TryReadEnum(2, out int outcome)) != AvroStatus.Ok
            || (status = reader.TryReadString(out Utf8Slice reason, MaxTextBytes)) != AvroStatus.Ok
            || (status = reader.TryReadInt(out int requested)) != AvroStatus.Ok
            || (status = reader.TryReadInt(out int resolved)) != AvroStatus.Ok
            || (status = reader.TryReadInt(out int unresolved)) != AvroStatus.Ok
            || (status = reader.TryReadString(out Utf8Slice destination, MaxTextBytes)) != AvroStatus.Ok
            || (status = reader.TryReadLong(out long at)) != AvroStatus.Ok
            || (status = reader.ExpectEnd()) != AvroStatus.Ok)
        {
            reasonCode = status.ToReasonCode();
            return false;
        }

        var names = new List<string>(approvers.Count);
        foreach (ReadOnlySpan<byte> name in approvers.Enumerate(body))
        {
            names.Add(Encoding.UTF8.GetString(name));
        }

        record = new RecallAuditRecord(requestId.ToString(body)!, digest.ToString(body)!, campaign.ToString(body)!, legalBasis.ToString(body)!, names,
            (RecallOutcome)outcome, reason.ToString(body)!, requested, resolved, unresolved, destination.ToString(body)!, at);
        reasonCode = null;
        return true;
    }
}
