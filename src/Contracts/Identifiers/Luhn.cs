namespace Sieve.Contracts.Identifiers;

/// <summary>The Luhn (mod 10) check used by IMEIs: the last digit makes the weighted digit sum a multiple of 10.</summary>
internal static class Luhn
{
    /// <summary>True when <paramref name="digits"/> is non-empty, all ASCII digits, and passes the Luhn check.</summary>
    public static bool IsValid(ReadOnlySpan<byte> digits)
    {
        if (digits.IsEmpty)
        {
            return false;
        }

        int sum = 0;
        bool doubled = false;
        for (int i = digits.Length - 1; i >= 0; i--)
        {
            int d = digits[i] - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            if (doubled)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubled = !doubled;
        }

        return sum % 10 == 0;
    }
}
