namespace Sieve.Contracts.Identifiers;

/// <summary>
/// Vehicle identification numbers per ISO 3779 and GB 16735: 17 characters of <c>[A-HJ-NPR-Z0-9]</c> (I, O and Q
/// are never used because they read like 1 and 0) with a check digit at position 9. GB 16735 makes the check digit
/// mandatory for vehicles sold in China, so it is always validated.
/// </summary>
internal static class VinFormat
{
    /// <summary>Characters in a VIN.</summary>
    public const int Length = 17;

    /// <summary>Zero-based index of the check digit (position 9).</summary>
    public const int CheckDigitIndex = 8;

    /// <summary>Position weights; the check digit's own position weighs 0.</summary>
    private static ReadOnlySpan<byte> Weights => [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2];

    /// <summary>
    /// Normalizes a trimmed VIN: upper-cases it into <paramref name="destination"/>[0..17] and checks characters and
    /// the check digit.
    /// </summary>
    public static NormalizeStatus Normalize(ReadOnlySpan<byte> trimmed, Span<byte> destination, out int written)
    {
        written = 0;
        if (trimmed.Length != Length)
        {
            return trimmed.Length > Length ? NormalizeStatus.TooLong : NormalizeStatus.InvalidLength;
        }

        // One table load per character and no early exit: a bad character makes its value negative, and the sign
        // bits are collected and tested once after the loop.
        ReadOnlySpan<sbyte> values = Values;
        ReadOnlySpan<byte> weights = Weights;
        trimmed = trimmed[..Length];
        destination = destination[..Length];
        int sum = 0;
        int bad = 0;
        for (int i = 0; i < Length; i++)
        {
            byte c = trimmed[i];
            int value = values[c];
            bad |= value;
            destination[i] = AsciiText.ToUpper(c);
            sum += value * weights[i];
        }

        if (bad < 0)
        {
            return NormalizeStatus.InvalidCharacter;
        }

        if (destination[CheckDigitIndex] != CheckCharacter(sum))
        {
            return NormalizeStatus.InvalidChecksum;
        }

        written = Length;
        return NormalizeStatus.Ok;
    }

    /// <summary>
    /// The check digit of a 17-character VIN of either case; the character at position 9 is ignored. Returns 0
    /// and the index of the first bad character in <paramref name="badIndex"/> when a character is not a VIN
    /// character.
    /// </summary>
    public static byte ComputeCheckDigit(ReadOnlySpan<byte> vin17, out int badIndex)
    {
        int sum = 0;
        for (int i = 0; i < Length; i++)
        {
            if (i == CheckDigitIndex)
            {
                continue;
            }

            int value = Transliterate(vin17[i]);
            if (value < 0)
            {
                badIndex = i;
                return 0;
            }

            sum += value * Weights[i];
        }

        badIndex = -1;
        return CheckCharacter(sum);
    }

    private static byte CheckCharacter(int weightedSum)
    {
        int remainder = weightedSum % 11;
        return remainder == 10 ? (byte)'X' : (byte)('0' + remainder);
    }

    /// <summary>
    /// The numeric value of a VIN character of either case, or -1 for a character a VIN may not contain. Letters run
    /// A-H = 1-8, J-N = 1-5, P = 7, R = 9, S-Z = 2-9 (I, O and Q have no value).
    /// </summary>
    private static int Transliterate(byte c) => Values[c];

    /// <summary><see cref="Transliterate"/> for every byte value: digits and both cases of letters; -1 elsewhere.</summary>
    private static ReadOnlySpan<sbyte> Values =>
    [
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
         0,  1,  2,  3,  4,  5,  6,  7,  8,  9, -1, -1, -1, -1, -1, -1,
        -1,  1,  2,  3,  4,  5,  6,  7,  8, -1,  1,  2,  3,  4,  5, -1,
         7, -1,  9,  2,  3,  4,  5,  6,  7,  8,  9, -1, -1, -1, -1, -1,
        -1,  1,  2,  3,  4,  5,  6,  7,  8, -1,  1,  2,  3,  4,  5, -1,
         7, -1,  9,  2,  3,  4,  5,  6,  7,  8,  9, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    ];
}
