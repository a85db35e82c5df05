using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Ingest.Gateways.Http;

namespace Sieve.Ingest.Gateways.Events;

/// <summary>
/// Builds raw-topic messages from gateway records: validates every identifier the record carries, picks the
/// subject (phone if present, else device id, else MAC, as the Minimizer does), keys the message by the subject's
/// normalized identifier so each subject stays in one partition and in order, and encodes the documented wire
/// format.
/// </summary>
internal static class WifiRecord
{
    /// <summary>
    /// Checks the identifiers of <paramref name="record"/> and, when all are valid, returns the message for
    /// <paramref name="topic"/>. <paramref name="fieldPrefix"/> (e.g. <c>data.observations[2].</c>) goes in front of
    /// field names in errors.
    /// </summary>
    /// <param name="record">The record, identifiers as received.</param>
    /// <param name="topic">The raw topic.</param>
    /// <param name="fieldPrefix">Path of the object holding the identifier fields, with a trailing dot, or empty.</param>
    /// <param name="message">The message, when valid.</param>
    /// <param name="error">Why not, when invalid: the normalizer's reason code and the field.</param>
    public static bool TryCreateMessage(WifiEventData record, string topic, string fieldPrefix, out RawMessage message, out GatewayError error)
    {
        message = default;
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        if (!TryCheck(SubjectType.Mac, record.ClientMac, "clientMac", fieldPrefix, normalized, out int macLength, out error))
        {
            return false;
        }

        byte[] key = normalized[..macLength].ToArray();
        if (record.DeviceId is not null)
        {
            if (!TryCheck(SubjectType.DeviceId, record.DeviceId, "deviceId", fieldPrefix, normalized, out int length, out error))
            {
                return false;
            }

            key = normalized[..length].ToArray();
        }

        if (record.PhoneNumber is not null)
        {
            if (!TryCheck(SubjectType.Phone, record.PhoneNumber, "phoneNumber", fieldPrefix, normalized, out int length, out error))
            {
                return false;
            }

            key = normalized[..length].ToArray();
        }

        byte[] value = record.ToMessage();
        if (value.Length > RecordLimits.MaxMessageBytes)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.RecordTooLarge, fieldPrefix.Length == 0 ? null : fieldPrefix.TrimEnd('.'));
            return false;
        }

        message = new RawMessage(topic, key, value);
        error = default;
        return true;
    }

    /// <summary>Normalizes the client MAC for the event id; false with the reason when it is not a MAC.</summary>
    public static bool TryNormalizeMac(string clientMac, string field, Span<byte> normalized, out int written, out GatewayError error) =>
        TryCheck(SubjectType.Mac, clientMac, field, string.Empty, normalized, out written, out error);

    private static bool TryCheck(SubjectType type, string raw, string field, string fieldPrefix, Span<byte> normalized, out int written, out GatewayError error)
    {
        NormalizeStatus status = WifiIdentifiers.Normalize(type, raw, normalized, out written);
        if (status != NormalizeStatus.Ok)
        {
            error = GatewayError.BadRequest(IdentifierNormalizer.ToReasonCode(type, status), fieldPrefix + field);
            return false;
        }

        error = default;
        return true;
    }
}
