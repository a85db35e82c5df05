namespace Sieve.Core.Devices;

/// <summary>The syntax of an IMEI: exactly 15 ASCII digits whose last digit is the Luhn check digit of the first 14.</summary>
public static class ImeiCheck
{
    /// <summary>Digits of an IMEI.</summary>
    public const int Length = 15;

    /// <summary>True when <paramref name="imei"/> is 15 ASCII digits passing the Luhn check.</summary>
    public static bool IsValid(ReadOnlySpan<byte> imei)
    {
        if (imei.Length != Length)
        {
            return false;
        }

        int sum = 0;
        for (int i = 0; i < Length; i++)
        {
            int digit = imei[Length - 1 - i] - '0';
            if ((uint)digit > 9)
            {
                return false;
            }

            // From the right, every second digit is doubled (and 9 subtracted when it carries).
            if ((i & 1) == 1)
            {
                digit *= 2;
                if (digit > 9)
                {
                    digit -= 9;
                }
            }

            sum += digit;
        }

        return sum % 10 == 0;
    }

    /// <summary>True when <paramref name="imei"/> is 15 ASCII digits passing the Luhn check.</summary>
    public static bool IsValid(ReadOnlySpan<char> imei)
    {
        if (imei.Length != Length)
        {
            return false;
        }

        Span<byte> ascii = stackalloc byte[Length];
        for (int i = 0; i < Length; i++)
        {
            char c = imei[i];
            if (c > 0x7F)
            {
                return false;
            }

            ascii[i] = (byte)c;
        }

        return IsValid(ascii);
    }
}
