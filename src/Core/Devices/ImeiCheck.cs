using Sieve.Contracts.Identifiers;

namespace Sieve.Core.Devices;

/// <summary>
/// The syntax of an IMEI: exactly 15 ASCII digits whose last digit is the Luhn check digit of the first 14. The check
/// itself is the identifier normalizer's (<see cref="IdentifierNormalizer.IsValidImei"/>, Contracts' Luhn).
/// </summary>
public static class ImeiCheck
{
    /// <summary>Digits of an IMEI.</summary>
    public const int Length = 15;

    /// <summary>True when <paramref name="imei"/> is 15 ASCII digits passing the Luhn check.</summary>
    public static bool IsValid(ReadOnlySpan<byte> imei) => IdentifierNormalizer.IsValidImei(imei);

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
