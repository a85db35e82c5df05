using System.Diagnostics.CodeAnalysis;
using Sieve.Contracts.Avro;

namespace Sieve.Core.Recall;

/// <summary>Decodes escrow message values; failures give a reason code, never text from the message.</summary>
public static class EscrowCodec
{
    /// <summary>Decodes a <c>quality.escrow.v1</c> value; false with a reason code when it is not an escrow entry.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> value, [NotNullWhen(true)] out EscrowRecord? record, [NotNullWhen(false)] out string? reasonCode)
    {
        record = null;
        AvroStatus status = SingleObjectEncoding.TryReadHeader(value, out ulong fingerprint);
        if (status != AvroStatus.Ok)
        {
            reasonCode = status.ToReasonCode();
            return false;
        }

        if (fingerprint != EscrowFormat.Fingerprint)
        {
            reasonCode = "unknown-schema";
            return false;
        }

        var reader = new AvroReader(value[SingleObjectEncoding.HeaderLength..]);
        ReadOnlySpan<byte> body = reader.Buffer;
        if ((status = reader.TryReadString(out Utf8Slice pseudonym, EscrowFormat.PseudonymLength)) != AvroStatus.Ok
            || (status = reader.TryReadString(out Utf8Slice keyId, RecallKey.MaxIdLength)) != AvroStatus.Ok
            || (status = reader.TryReadBytes(out Utf8Slice nonce, EscrowFormat.NonceLength)) != AvroStatus.Ok
            || (status = reader.TryReadBytes(out Utf8Slice sealedBytes, EscrowFormat.MaxVinBytes + EscrowFormat.TagLength)) != AvroStatus.Ok
            || (status = reader.TryReadLong(out long sealedAt)) != AvroStatus.Ok
            || (status = reader.ExpectEnd()) != AvroStatus.Ok)
        {
            reasonCode = status.ToReasonCode();
            return false;
        }

        if (nonce.Length != EscrowFormat.NonceLength || sealedBytes.Length <= EscrowFormat.TagLength)
        {
            reasonCode = "bad-escrow-lengths";
            return false;
        }

        record = new EscrowRecord(pseudonym.ToString(body)!, keyId.ToString(body)!, nonce.Of(body).ToArray(), sealedBytes.Of(body).ToArray(), sealedAt);
        reasonCode = null;
        return true;
    }
}
