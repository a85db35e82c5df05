using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;

namespace Sieve.Core.Gateways.Events;

/// <summary>
/// Checks a received identifier with <see cref="IdentifierNormalizer"/>. The record keeps the identifier as received
/// (the raw zone; the Minimizer normalizes); the normalized form is used only for the message key and the event id.
/// </summary>
internal static class WifiIdentifiers
{
    /// <summary>
    /// Normalizes <paramref name="raw"/> as a <paramref name="type"/> into <paramref name="normalized"/>
    /// (at least <see cref="IdentifierNormalizer.MaxNormalizedLength"/> bytes). Identifiers longer than
    /// <see cref="RecordLimits.MaxIdLength"/> UTF-8 bytes are <see cref="NormalizeStatus.TooLong"/>: the raw-topic
    /// decoder would refuse them.
    /// </summary>
    public static NormalizeStatus Normalize(SubjectType type, string raw, Span<byte> normalized, out int written)
    {
        written = 0;
        if (raw.Length > RecordLimits.MaxIdLength)
        {
            return NormalizeStatus.TooLong;
        }

        Span<byte> utf8 = stackalloc byte[RecordLimits.MaxIdLength * 3];
        int length = Encoding.UTF8.GetBytes(raw, utf8);
        if (length > RecordLimits.MaxIdLength)
        {
            return NormalizeStatus.TooLong;
        }

        return IdentifierNormalizer.TryNormalize(type, utf8[..length], normalized, out written, out _);
    }
}
