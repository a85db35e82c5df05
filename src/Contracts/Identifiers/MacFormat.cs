namespace Sieve.Contracts.Identifiers;

/// <summary>
/// IEEE 802 MAC-48 addresses. Accepted spellings, in either case: 12 bare hex digits (<c>aabbccddeeff</c>), octets
/// separated by one consistent <c>:</c> or <c>-</c> (<c>aa-bb-cc-dd-ee-ff</c>), or groups of four separated by
/// <c>.</c> (<c>aabb.ccdd.eeff</c>, the Cisco style). The canonical form is lower case with colons.
/// </summary>
internal static class MacFormat
{
    /// <summary>Length of the canonical form <c>aa:bb:cc:dd:ee:ff</c>.</summary>
    public const int CanonicalLength = 17;

    private const int Octets = 6;
    private const int BareLength = 12;
    private const int DottedLength = 14;

    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>Normalizes a trimmed MAC into <paramref name="destination"/>[0..17].</summary>
    public static NormalizeStatus Normalize(ReadOnlySpan<byte> trimmed, Span<byte> destination, out int written, out IdentifierFlags flags)
    {
        written = 0;
        flags = IdentifierFlags.None;
        Span<byte> octets = stackalloc byte[Octets];
        NormalizeStatus status = trimmed.Length > CanonicalLength
            ? NormalizeStatus.TooLong
            : Parse(trimmed, octets);
        if (status != NormalizeStatus.Ok)
        {
            return status;
        }

        // The I/G bit: group (multicast, including broadcast) addresses never name one client.
        if ((octets[0] & 0x01) != 0)
        {
            return NormalizeStatus.NotUnicast;
        }

        // The U/L bit: set on locally administered addresses, which phones randomize per network for privacy.
        if ((octets[0] & 0x02) != 0)
        {
            flags = IdentifierFlags.LocallyAdministeredMac;
        }

        for (int i = 0; i < Octets; i++)
        {
            int at = i * 3;
            destination[at] = HexDigits[octets[i] >> 4];
            destination[at + 1] = HexDigits[octets[i] & 0xF];
            if (i < Octets - 1)
            {
                destination[at + 2] = (byte)':';
            }
        }

        written = CanonicalLength;
        return NormalizeStatus.Ok;
    }

    /// <summary>
    /// Picks the spelling from the first non-hex character (none: bare; ':' or '-' after two digits: octets; '.'
    /// after four digits: Cisco) so that a wrong count of digits in a recognizable spelling is a length problem and
    /// anything else is a format problem.
    /// </summary>
    private static NormalizeStatus Parse(ReadOnlySpan<byte> text, Span<byte> octets)
    {
        int first = 0;
        while (first < text.Length && AsciiText.HexValue(text[first]) >= 0)
        {
            first++;
        }

        (int groupDigits, byte separator, int length) = first == text.Length
            ? (0, (byte)0, BareLength)
            : (first, text[first]) switch
            {
                (2, (byte)':' or (byte)'-') => (2, text[first], CanonicalLength),
                (4, (byte)'.') => (4, (byte)'.', DottedLength),
                _ => (-1, (byte)0, 0),
            };
        if (groupDigits < 0)
        {
            return NormalizeStatus.InvalidCharacter;
        }

        return text.Length == length ? ParseGrouped(text, groupDigits, separator, octets) : NormalizeStatus.InvalidLength;
    }

    /// <summary>
    /// Reads 12 hex digits where a <paramref name="separator"/> follows every <paramref name="groupDigits"/> digits
    /// except the last group (<paramref name="groupDigits"/> 0: no separators).
    /// </summary>
    private static NormalizeStatus ParseGrouped(ReadOnlySpan<byte> text, int groupDigits, byte separator, Span<byte> octets)
    {
        int digit = 0;
        int inGroup = 0;
        for (int i = 0; i < text.Length; i++)
        {
            byte c = text[i];
            if (groupDigits != 0 && inGroup == groupDigits)
            {
                if (c != separator)
                {
                    return NormalizeStatus.InvalidCharacter;
                }

                inGroup = 0;
                continue;
            }

            int value = AsciiText.HexValue(c);
            if (value < 0 || digit == BareLength)
            {
                return NormalizeStatus.InvalidCharacter;
            }

            if ((digit & 1) == 0)
            {
                octets[digit >> 1] = (byte)(value << 4);
            }
            else
            {
                octets[digit >> 1] |= (byte)value;
            }

            digit++;
            inGroup++;
        }

        return digit == BareLength ? NormalizeStatus.Ok : NormalizeStatus.InvalidCharacter;
    }
}
