namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// RFC 4648 base32 in lower case (<c>a-z2-7</c>) without padding: each 5 bits of input, most significant first, is
/// one character. 20 bytes make exactly 32 characters. Lower case and no padding make pseudonyms safe in URLs, file
/// names, Redis keys and case-insensitive stores.
/// </summary>
internal static class Base32
{
    private static ReadOnlySpan<byte> Alphabet => "abcdefghijklmnopqrstuvwxyz234567"u8;

    /// <summary>Characters that encode <paramref name="byteCount"/> bytes without padding.</summary>
    public static int GetEncodedLength(int byteCount) => ((byteCount * 8) + 4) / 5;

    /// <summary>
    /// Encodes <paramref name="data"/> into <paramref name="destination"/>[0..GetEncodedLength(data.Length)]; a final
    /// partial group is zero-filled on the right. Returns the characters written.
    /// </summary>
    public static int EncodeLower(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        int length = GetEncodedLength(data.Length);
        if (destination.Length < length)
        {
            ThrowHelper.ThrowDestinationTooSmall(nameof(destination), length);
        }

        int buffer = 0;
        int bits = 0;
        int written = 0;
        foreach (byte b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                destination[written++] = Alphabet[(buffer >> bits) & 0x1F];
            }
        }

        if (bits > 0)
        {
            destination[written++] = Alphabet[(buffer << (5 - bits)) & 0x1F];
        }

        return written;
    }
}
