using Sieve.Contracts.Pseudonymization;

namespace Sieve.Core.Anonymization;

/// <summary>
/// The subject of an anonymized purpose's records: a random pseudonym per trip segment, written by the release stage
/// over a placeholder the consent stage leaves at a fixed place in the record.
/// </summary>
public static class SegmentPseudonym
{
    /// <summary>Where the subject's characters start: after the 10-byte header and the 1-byte length of 32.</summary>
    public const int Offset = 11;

    /// <summary>The key id written in anonymized records: no key makes a segment pseudonym.</summary>
    public static ReadOnlySpan<byte> KeyIdUtf8 => "segment"u8;

    /// <summary>The placeholder subject (32 characters) the release stage overwrites.</summary>
    public static ReadOnlySpan<byte> Placeholder => "00000000000000000000000000000000"u8;

    /// <summary>
    /// Writes <paramref name="pseudonym"/> over the placeholder of <paramref name="record"/>; false when the record does
    /// not start with a 32-character subject (an output schema whose first field is not <c>subject</c>).
    /// </summary>
    public static bool TryApply(Span<byte> record, ReadOnlySpan<byte> pseudonym)
    {
        // Avro writes a string's length as a zigzag varint: 32 is the single byte 64.
        if (record.Length < Offset + PseudonymKey.PseudonymLength || record[Offset - 1] != 64 || pseudonym.Length != PseudonymKey.PseudonymLength)
        {
            return false;
        }

        pseudonym.CopyTo(record[Offset..]);
        return true;
    }
}
