using System.Buffers.Binary;

namespace Sieve.Benchmarks.Ingest;

/// <summary>
/// Builds Teltonika AVL frames for the benchmarks, written from the protocol documentation and sharing no code with
/// the service's parser (its CRC-16/IBM is computed bit by bit here). Setup-time only, so it favours plainness over
/// speed.
/// </summary>
internal static class AvlPacketBuilder
{
    /// <summary>Codec 8 Extended codec id.</summary>
    public const byte Codec8Extended = 0x8E;

    /// <summary>IO ids used by the synthetic records (Teltonika FMB AVL ID list).</summary>
    private const int Ignition = 239;
    private const int ObdFuelLevel = 48;
    private const int ExternalVoltage = 66;
    private const int TotalOdometer = 16;
    private const int Vin = 256;

    /// <summary>
    /// The documented Codec 8 example (Teltonika Data Sending Protocols, first example): one record, 2019-06-10
    /// 10:04:46 UTC, event IO 1, IO 21 = 3, IO 1 = 1, IO 66 = 0x5E0F, IO 241 = 0x601A, IO 78 = 0; CRC 0xC7CF.
    /// </summary>
    public static byte[] Codec8DocumentedExample() => Convert.FromHexString(
        "000000000000003608010000016B40D8EA30010000000000000000000000000000000105021503010101425E0F01F10000601A014E0000000000000000010000C7CF");

    /// <summary>
    /// A Codec 8 Extended frame of <paramref name="recordCount"/> records, one second apart, each with four
    /// fixed-size IO elements (ignition 1 B, OBD fuel level 1 B, external voltage 2 B, total odometer 4 B) and the
    /// 17-byte VIN as an NX element; the vehicle drives a short line through Shanghai.
    /// </summary>
    public static byte[] Codec8ExtendedTrip(int recordCount, string vin)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(recordCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(recordCount, 255);
        ArgumentOutOfRangeException.ThrowIfNotEqual(vin.Length, 17);
        byte[] vinBytes = System.Text.Encoding.ASCII.GetBytes(vin);

        var data = new List<byte> { Codec8Extended, (byte)recordCount };
        long start = new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (int r = 0; r < recordCount; r++)
        {
            Append(data, (ulong)(start + (r * 1000L)), 8);
            data.Add(1); // priority: high
            Append(data, (uint)(int)Math.Round((121.4737 + (r * 0.0001)) * 1e7), 4);
            Append(data, (uint)(int)Math.Round((31.2304 + (r * 0.00005)) * 1e7), 4);
            Append(data, 12, 2); // altitude, m
            Append(data, 63, 2); // angle, degrees
            data.Add(11); // satellites
            Append(data, (ulong)(40 + (r % 20)), 2); // speed, km/h

            Append(data, 0, 2); // event IO id: periodic record
            Append(data, 5, 2); // total IO count: four fixed plus one NX

            Append(data, 2, 2); // 1-byte elements
            Append(data, Ignition, 2);
            data.Add(1);
            Append(data, ObdFuelLevel, 2);
            data.Add((byte)(80 - (r % 10)));

            Append(data, 1, 2); // 2-byte elements
            Append(data, ExternalVoltage, 2);
            Append(data, 13_800, 2);

            Append(data, 1, 2); // 4-byte elements
            Append(data, TotalOdometer, 2);
            Append(data, (ulong)(1_234_567 + (r * 11)), 4);

            Append(data, 0, 2); // 8-byte elements

            Append(data, 1, 2); // NX elements
            Append(data, Vin, 2);
            Append(data, (ulong)vinBytes.Length, 2);
            data.AddRange(vinBytes);
        }

        data.Add((byte)recordCount);
        return Frame(data.ToArray());
    }

    /// <summary>A whole frame around <paramref name="data"/>: zero preamble, its length, itself and its CRC.</summary>
    private static byte[] Frame(byte[] data)
    {
        byte[] frame = new byte[8 + data.Length + 4];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)data.Length);
        data.CopyTo(frame, 8);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(8 + data.Length), Crc16(data));
        return frame;
    }

    /// <summary>CRC-16/IBM (poly 0x8005 reflected, init 0), bit by bit.</summary>
    private static ushort Crc16(ReadOnlySpan<byte> data)
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

    private static void Append(List<byte> data, ulong value, int size)
    {
        for (int shift = (size - 1) * 8; shift >= 0; shift -= 8)
        {
            data.Add((byte)(value >> shift));
        }
    }
}
