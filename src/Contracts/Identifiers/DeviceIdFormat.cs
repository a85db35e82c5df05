namespace Sieve.Contracts.Identifiers;

/// <summary>
/// Device identifiers. An all-digit identifier (spaces and <c>-</c> aside) is an IMEI: 15 digits whose last is a
/// Luhn check digit, kept as the bare digits. Anything else is an opaque app or device id: lower-cased, 1 to 64
/// characters of <c>[a-z0-9-_.:]</c>, its <c>-</c> kept because it is part of the id (UUIDs, Android ids).
/// </summary>
internal static class DeviceIdFormat
{
    /// <summary>Digits in an IMEI (14 identifying digits and the Luhn check digit).</summary>
    public const int ImeiLength = 15;

    /// <summary>Longest opaque id, and longest input looked at.</summary>
    public const int MaxLength = 64;

    /// <summary>Normalizes a trimmed device id into <paramref name="destination"/>.</summary>
    public static NormalizeStatus Normalize(ReadOnlySpan<byte> trimmed, Span<byte> destination, out int written)
    {
        written = 0;
        if (trimmed.Length > MaxLength)
        {
            return NormalizeStatus.TooLong;
        }

        int digits = 0;
        bool allDigits = true;
        for (int i = 0; i < trimmed.Length; i++)
        {
            byte c = trimmed[i];
            if (AsciiText.IsDigit(c))
            {
                destination[digits++] = c;
            }
            else if (c is not ((byte)' ' or (byte)'-'))
            {
                allDigits = false;
                break;
            }
        }

        if (allDigits && digits > 0)
        {
            if (digits != ImeiLength)
            {
                return NormalizeStatus.InvalidLength;
            }

            if (!Luhn.IsValid(destination[..ImeiLength]))
            {
                return NormalizeStatus.InvalidChecksum;
            }

            written = ImeiLength;
            return NormalizeStatus.Ok;
        }

        // Opaque: start again from the raw text, since '-' belongs to the id here.
        for (int i = 0; i < trimmed.Length; i++)
        {
            byte c = AsciiText.ToLower(trimmed[i]);
            bool allowed = AsciiText.IsDigit(c) || (uint)(c - 'a') <= 'z' - 'a' || c is (byte)'-' or (byte)'_' or (byte)'.' or (byte)':';
            if (!allowed)
            {
                return NormalizeStatus.InvalidCharacter;
            }

            destination[i] = c;
        }

        written = trimmed.Length;
        return NormalizeStatus.Ok;
    }
}
