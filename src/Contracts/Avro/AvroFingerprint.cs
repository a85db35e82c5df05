namespace Sieve.Contracts.Avro;

/// <summary>
/// CRC-64-AVRO, the 64-bit Rabin fingerprint the Avro specification defines for a schema's parsing canonical form.
/// </summary>
public static class AvroFingerprint
{
    /// <summary>The fingerprint of the empty input, and the polynomial the table is built from.</summary>
    public const ulong Empty = 0xc15d213aa4d7a795UL;

    private static readonly ulong[] Table = BuildTable();

    /// <summary>Fingerprints <paramref name="canonicalFormUtf8"/>, the schema's parsing canonical form in UTF-8.</summary>
    public static ulong Compute(ReadOnlySpan<byte> canonicalFormUtf8)
    {
        ulong fp = Empty;
        foreach (byte b in canonicalFormUtf8)
        {
            fp = (fp >> 8) ^ Table[(int)(fp ^ b) & 0xff];
        }

        return fp;
    }

    private static ulong[] BuildTable()
    {
        var table = new ulong[256];
        for (int i = 0; i < 256; i++)
        {
            ulong fp = (ulong)i;
            for (int j = 0; j < 8; j++)
            {
                fp = (fp >> 1) ^ (Empty & (0UL - (fp & 1UL)));
            }

            table[i] = fp;
        }

        return table;
    }
}
