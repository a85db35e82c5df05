namespace Sieve.Core.Teltonika.Protocol;

/// <summary>
/// CRC-16/IBM as Teltonika uses it (also known as CRC-16/ARC): polynomial 0x8005 processed LSB-first (reflected
/// 0xA001), initial value 0, no final XOR. Table-driven, one lookup per byte; nothing is allocated.
/// </summary>
public static class Crc16Ibm
{
    private const ushort ReflectedPolynomial = 0xA001;

    private static readonly ushort[] Table = BuildTable();

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC: <paramref name="crc"/> is the CRC of the bytes before <paramref name="data"/> (0 to start).</summary>
    public static ushort Append(ushort crc, ReadOnlySpan<byte> data)
    {
        ushort[] table = Table;
        uint value = crc;
        foreach (byte b in data)
        {
            value = (value >> 8) ^ table[(byte)(value ^ b)];
        }

        return (ushort)value;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (int i = 0; i < 256; i++)
        {
            uint value = (uint)i;
            for (int bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (value >> 1) ^ ReflectedPolynomial : value >> 1;
            }

            table[i] = (ushort)value;
        }

        return table;
    }
}
