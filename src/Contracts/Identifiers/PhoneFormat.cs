namespace Sieve.Contracts.Identifiers;

/// <summary>
/// Phone numbers in E.164 (<c>+</c>, country code, subscriber number; 8 to 15 digits), with mainland China (+86)
/// as the default region. Spaces, <c>-</c>, <c>.</c>, <c>(</c> and <c>)</c> are layout and dropped. Accepted forms:
/// <list type="bullet">
/// <item><c>+&lt;digits&gt;</c>: already international.</item>
/// <item><c>00&lt;digits&gt;</c>: the international call prefix used in China and most of the world; becomes <c>+</c>.</item>
/// <item>11 digits starting with 1: a mainland mobile number; becomes <c>+86</c> and the digits.</item>
/// <item>10 to 12 digits starting with a single 0: a mainland landline with its trunk prefix; the 0 is dropped and
/// <c>+86</c> put in front.</item>
/// </list>
/// </summary>
internal static class PhoneFormat
{
    /// <summary>Fewest digits after <c>+</c> accepted (short national numbers of small countries).</summary>
    public const int MinE164Digits = 8;

    /// <summary>Most digits after <c>+</c> (ITU-T E.164).</summary>
    public const int MaxE164Digits = 15;

    /// <summary>Longest input, layout included, looked at; anything longer is <see cref="NormalizeStatus.TooLong"/>.</summary>
    public const int MaxRawLength = 48;

    private const int MobileDigits = 11;
    private const int MinTrunkDigits = 10;
    private const int MaxTrunkDigits = 12;

    // "00" + 15 digits is the longest digit run any accepted form has.
    private const int MaxDigits = MaxE164Digits + 2;

    /// <summary>Normalizes a trimmed phone number into <paramref name="destination"/> as <c>+</c> and digits.</summary>
    public static NormalizeStatus Normalize(ReadOnlySpan<byte> trimmed, Span<byte> destination, out int written)
    {
        written = 0;
        if (trimmed.Length > MaxRawLength)
        {
            return NormalizeStatus.TooLong;
        }

        Span<byte> digits = stackalloc byte[MaxDigits];
        int count = 0;
        bool plus = false;
        for (int i = 0; i < trimmed.Length; i++)
        {
            byte c = trimmed[i];
            if (AsciiText.IsDigit(c))
            {
                if (count == MaxDigits)
                {
                    return NormalizeStatus.InvalidLength;
                }

                digits[count++] = c;
            }
            else if (c == (byte)'+')
            {
                // Only as the very first character: "+86 ..." or "(+86) ...".
                if (plus || count != 0)
                {
                    return NormalizeStatus.InvalidCharacter;
                }

                plus = true;
            }
            else if (c is not ((byte)' ' or (byte)'-' or (byte)'.' or (byte)'(' or (byte)')'))
            {
                return NormalizeStatus.InvalidCharacter;
            }
        }

        ReadOnlySpan<byte> number = digits[..count];
        if (count == 0)
        {
            return NormalizeStatus.InvalidLength;
        }

        if (plus)
        {
            return WriteInternational(number, destination, out written);
        }

        if (count >= 2 && number[0] == (byte)'0' && number[1] == (byte)'0')
        {
            return WriteInternational(number[2..], destination, out written);
        }

        if (count == MobileDigits && number[0] == (byte)'1')
        {
            return WriteMainland(number, destination, out written);
        }

        if (number[0] == (byte)'0' && count is >= MinTrunkDigits and <= MaxTrunkDigits)
        {
            return WriteMainland(number[1..], destination, out written);
        }

        return NormalizeStatus.InvalidLength;
    }

    private static NormalizeStatus WriteInternational(ReadOnlySpan<byte> e164Digits, Span<byte> destination, out int written)
    {
        written = 0;
        if (e164Digits.Length is < MinE164Digits or > MaxE164Digits)
        {
            return NormalizeStatus.InvalidLength;
        }

        // Country codes never start with 0 (a leading 0 is a trunk or call prefix that was left in).
        if (e164Digits[0] == (byte)'0')
        {
            return NormalizeStatus.InvalidCharacter;
        }

        destination[0] = (byte)'+';
        e164Digits.CopyTo(destination[1..]);
        written = 1 + e164Digits.Length;
        return NormalizeStatus.Ok;
    }

    private static NormalizeStatus WriteMainland(ReadOnlySpan<byte> nationalDigits, Span<byte> destination, out int written)
    {
        destination[0] = (byte)'+';
        destination[1] = (byte)'8';
        destination[2] = (byte)'6';
        nationalDigits.CopyTo(destination[3..]);
        written = 3 + nationalDigits.Length;
        return NormalizeStatus.Ok;
    }
}
