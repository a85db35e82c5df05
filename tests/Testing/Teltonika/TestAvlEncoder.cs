using System.Buffers.Binary;

namespace Sieve.Testing.Teltonika;

/// <summary>A fixed-size IO element for <see cref="TestAvlEncoder"/>: id, value size (1, 2, 4 or 8) and value.</summary>
internal readonly record struct TestIo(int Id, int Size, ulong Value);

/// <summary>A variable-size (NX) IO element for <see cref="TestAvlEncoder"/>.</summary>
internal readonly record struct TestNx(int Id, byte[] Value);

/// <summary>One AVL record for <see cref="TestAvlEncoder"/>; coordinates in degrees.</summary>
internal sealed record TestRecord(
    long Timestamp,
    double Longitude,
    double Latitude,
    byte Priority = 1,
    short Altitude = 0,
    ushort Angle = 0,
    byte Satellites = 0,
    ushort Speed = 0,
    int EventIoId = 0,
    TestIo[]? Io = null,
    TestNx[]? Nx = null,
    int? TotalIoOverride = null);

/// <summary>
/// A Teltonika AVL encoder written for the tests from the protocol documentation alone: it shares no code with the
/// service's parser (its CRC-16/IBM is computed bit by bit here). Used by the parser tests and the device simulator.
/// </summary>
internal static class TestAvlEncoder
{
    public const byte Codec8 = 0x08;
    public const byte Codec8Extended = 0x8E;

    /// <summary>The data field: codec id, count, records, count.</summary>
    public static byte[] EncodeData(byte codec, IReadOnlyList<TestRecord> records)
    {
        bool extended = codec == Codec8Extended;
        var data = new List<byte> { codec, checked((byte)records.Count) };
        foreach (TestRecord r in records)
        {
            AppendBigEndian(data, (ulong)r.Timestamp, 8);
            data.Add(r.Priority);
            AppendBigEndian(data, (uint)(int)Math.Round(r.Longitude * 1e7), 4);
            AppendBigEndian(data, (uint)(int)Math.Round(r.Latitude * 1e7), 4);
            AppendBigEndian(data, (ushort)r.Altitude, 2);
            AppendBigEndian(data, r.Angle, 2);
            data.Add(r.Satellites);
            AppendBigEndian(data, r.Speed, 2);

            int width = extended ? 2 : 1;
            TestIo[] io = r.Io ?? [];
            TestNx[] nx = r.Nx ?? [];
            AppendBigEndian(data, (ulong)r.EventIoId, width);
            AppendBigEndian(data, (ulong)(r.TotalIoOverride ?? io.Length + (extended ? nx.Length : 0)), width);
            foreach (int size in new[] { 1, 2, 4, 8 })
            {
                TestIo[] group = io.Where(e => e.Size == size).ToArray();
                AppendBigEndian(data, (ulong)group.Length, width);
                foreach (TestIo e in group)
                {
                    AppendBigEndian(data, (ulong)e.Id, width);
                    AppendBigEndian(data, e.Value, size);
                }
            }

            if (extended)
            {
                AppendBigEndian(data, (ulong)nx.Length, 2);
                foreach (TestNx e in nx)
                {
                    AppendBigEndian(data, (ulong)e.Id, 2);
                    AppendBigEndian(data, (ulong)e.Value.Length, 2);
                    data.AddRange(e.Value);
                }
            }
            else if (nx.Length > 0)
            {
                throw new ArgumentException("Codec 8 has no variable-size IO section.");
            }
        }

        data.Add(checked((byte)records.Count));
        return data.ToArray();
    }

    /// <summary>A whole frame around <paramref name="data"/>: zero preamble, its length, itself and its CRC.</summary>
    public static byte[] Frame(byte[] data)
    {
        byte[] frame = new byte[8 + data.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)data.Length);
        data.CopyTo(frame, 8);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8 + data.Length), Crc16(data));
        return frame;
    }

    /// <summary>A whole, valid packet.</summary>
    public static byte[] Packet(byte codec, params TestRecord[] records) => Frame(EncodeData(codec, records));

    /// <summary>The opening message: 2-byte length and the ASCII IMEI.</summary>
    public static byte[] Handshake(string imei)
    {
        byte[] message = new byte[2 + imei.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message, (ushort)imei.Length);
        for (int i = 0; i < imei.Length; i++)
        {
            message[2 + i] = (byte)imei[i];
        }

        return message;
    }

    /// <summary>CRC-16/IBM (poly 0x8005 reflected, init 0), bit by bit.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
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

    private static void AppendBigEndian(List<byte> data, ulong value, int size)
    {
        for (int shift = (size - 1) * 8; shift >= 0; shift -= 8)
        {
            data.Add((byte)(value >> shift));
        }
    }
}
