using System.Globalization;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Core.Gateways.Http;

namespace Sieve.Core.Gateways.Events;

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
    /// <paramref name="topic"/>.
    /// </summary>
    /// <param name="record">The record, identifiers as received.</param>
    /// <param name="topic">The raw topic.</param>
    /// <param name="observation">
    /// For a Meraki observation, its index in <c>data.observations</c> (error paths become
    /// <c>data.observations[i].clientMac</c>); -1 when the identifier fields are at the root of the request.
    /// </param>
    /// <param name="message">The message, when valid.</param>
    /// <param name="error">Why not, when invalid: the normalizer's reason code and the field.</param>
    public static bool TryCreateMessage(WifiEventData record, string topic, int observation, out RawMessage message, out GatewayError error)
    {
        message = default;
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        if (!TryCheck(SubjectType.Mac, record.ClientMac, "clientMac", observation, normalized, out int keyLength, out error))
        {
            return false;
        }

        if (record.DeviceId is not null
            && !TryCheck(SubjectType.DeviceId, record.DeviceId, "deviceId", observation, normalized, out keyLength, out error))
        {
            return false;
        }

        if (record.PhoneNumber is not null
            && !TryCheck(SubjectType.Phone, record.PhoneNumber, "phoneNumber", observation, normalized, out keyLength, out error))
        {
            return false;
        }

        // normalized now holds the subject's identifier: the last one checked of MAC, device id, phone.
        byte[] value = record.ToMessage();
        if (value.Length > RecordLimits.MaxMessageBytes)
        {
            error = GatewayError.BadRequest(GatewayErrorCodes.RecordTooLarge, observation < 0 ? null : Path(observation, null));
            return false;
        }

        message = new RawMessage(topic, normalized[..keyLength].ToArray(), value);
        error = default;
        return true;
    }

    /// <summary>
    /// True when <paramref name="record"/>'s subject is its client MAC (it has no phone number and no device id) and
    /// that MAC is locally administered: a randomized, per-network and possibly rotating address, so a weak subject
    /// identifier. Such records are published and pseudonymized like any other; they are counted so operators can see
    /// how much of a site's data rests on rotating identifiers.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="normalizedMac">Its client MAC as <see cref="TryNormalizeMac"/> wrote it (<c>aa:bb:cc:dd:ee:ff</c>).</param>
    public static bool HasRandomizedMacSubject(WifiEventData record, ReadOnlySpan<byte> normalizedMac) =>
        record.PhoneNumber is null && record.DeviceId is null && normalizedMac.Length > 1 && (HexValue(normalizedMac[1]) & 0x02) != 0;

    /// <summary>
    /// Normalizes the client MAC into <paramref name="normalized"/> for the event id; false with the reason when it
    /// is not a MAC. <paramref name="observation"/> as for <see cref="TryCreateMessage"/>.
    /// </summary>
    public static bool TryNormalizeMac(string clientMac, int observation, Span<byte> normalized, out int written, out GatewayError error) =>
        TryCheck(SubjectType.Mac, clientMac, "clientMac", observation, normalized, out written, out error);

    private static bool TryCheck(SubjectType type, string raw, string field, int observation, Span<byte> normalized, out int written, out GatewayError error)
    {
        NormalizeStatus status = WifiIdentifiers.Normalize(type, raw, normalized, out written);
        if (status != NormalizeStatus.Ok)
        {
            error = GatewayError.BadRequest(IdentifierNormalizer.ToReasonCode(type, status), observation < 0 ? field : Path(observation, field));
            return false;
        }

        error = default;
        return true;
    }

    private static int HexValue(byte digit) => digit <= '9' ? digit - '0' : digit - 'a' + 10;

    /// <summary>Built only for an error answer.</summary>
    private static string Path(int observation, string? field) =>
        "data.observations[" + observation.ToString(CultureInfo.InvariantCulture) + "]" + (field is null ? "" : "." + field);
}
