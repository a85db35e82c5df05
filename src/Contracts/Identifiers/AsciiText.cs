using System.Runtime.CompilerServices;

namespace Sieve.Contracts.Identifiers;

/// <summary>Byte-level ASCII helpers for the normalizers. Bytes of 0x80 and above (non-ASCII UTF-8) match nothing.</summary>
internal static class AsciiText
{
    /// <summary>Space, tab, line feed, vertical tab, form feed, carriage return.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsWhitespace(byte b) => b == (byte)' ' || (uint)(b - '\t') <= '\r' - '\t';

    /// <summary>The span without leading and trailing ASCII whitespace.</summary>
    public static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> value)
    {
        int start = 0;
        while (start < value.Length && IsWhitespace(value[start]))
        {
            start++;
        }

        int end = value.Length;
        while (end > start && IsWhitespace(value[end - 1]))
        {
            end--;
        }

        return value[start..end];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>Maps 'A'..'Z' to 'a'..'z' and leaves every other byte alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ToLower(byte b) => (uint)(b - 'A') <= 'Z' - 'A' ? (byte)(b | 0x20) : b;

    /// <summary>Maps 'a'..'z' to 'A'..'Z' and leaves every other byte alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ToUpper(byte b) => (uint)(b - 'a') <= 'z' - 'a' ? (byte)(b & 0xDF) : b;

    /// <summary>The value 0..15 of a hexadecimal digit of either case, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int HexValue(byte b)
    {
        if ((uint)(b - '0') <= 9)
        {
            return b - '0';
        }

        uint lower = (uint)(b | 0x20) - 'a';
        return lower <= 'f' - 'a' ? (int)lower + 10 : -1;
    }
}
