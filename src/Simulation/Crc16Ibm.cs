namespace Sieve.Simulation;

/// <summary>
/// CRC-16/IBM (also called CRC-16/ARC): polynomial 0x8005 processed reflected (0xA001), initial value 0, no final
/// XOR. Teltonika's AVL packets carry it over the bytes from the codec id to the second record count.
/// </summary>
public static class Crc16Ibm
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data)
    {
        int crc = 0;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1;
            }
        }

        return (ushort)crc;
    }
}
