using Sieve.Simulation;

namespace Sieve.Benchmarks.Ingest;

/// <summary>The benchmarks' Teltonika input, written with the simulated unit's <see cref="AvlWriter"/> (setup time only).</summary>
internal static class TripFrames
{
    /// <summary>IO 48, OBD fuel level (Teltonika FMB AVL ID list).</summary>
    private const int ObdFuelLevel = 48;

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
        long start = new DateTimeOffset(2026, 3, 2, 1, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var records = new UnitRecord[recordCount];
        for (int r = 0; r < recordCount; r++)
        {
            records[r] = new UnitRecord(
                start + (r * 1000L),
                121.4737 + (r * 0.0001),
                31.2304 + (r * 0.00005),
                Priority: 1,
                Altitude: 12,
                Angle: 63,
                Satellites: 11,
                Speed: (ushort)(40 + (r % 20)),
                Ignition: true,
                ExternalVoltageMillivolts: 13_800,
                OdometerMetres: (uint)(1_234_567 + (r * 11)),
                Vin: vin,
                Io: [new AvlIo(ObdFuelLevel, 1, (ulong)(80 - (r % 10)))]);
        }

        return AvlWriter.Packet(AvlWriter.Codec8Extended, records);
    }
}
