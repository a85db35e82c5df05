using Sieve.Core.Generalization;
using Sieve.Core.Privacy;
using Sieve.Simulation.Mobility;

namespace Sieve.Tests.Privacy;

/// <summary>
/// The release <c>analytics.v1</c> makes today, applied to a simulated city without Kafka: geohash 5, 15-minute buckets,
/// the odometer rounded to 1,000 km and the fuel level to 10 %, every record released, one pseudonym per vehicle per day.
/// The two rounded values form the slowly changing attribute the chaining attack compares (equal or not).
/// </summary>
internal static class TodayStyleRelease
{
    public const int Precision = 5;
    public const long BucketMillis = 15 * 60_000;
    public const long OdometerStepKm = 1000;
    public const double FuelStepPct = 10;

    /// <summary>Which day a pseudonym lasts: the simulated (local) day, or the UTC day as the Minimizer's "daily" pseudonym does.</summary>
    public enum Day
    {
        Local,
        Utc,
    }

    public static ReleasedDataset Build(MobilitySimulator city, Day day)
    {
        var data = new ReleasedDataset(BucketMillis, city.Profile.UtcOffsetMinutes);
        for (int v = 0; v < city.VehicleCount; v++)
        {
            VehicleProfile vehicle = city.Vehicle(v);
            if (vehicle.Work is { } work)
            {
                data.SetHomeWork(v, Cell(vehicle.HomeLatitude, vehicle.HomeLongitude), Cell(work.Latitude, work.Longitude));
            }

            foreach (MobilitySample s in city.Samples(v))
            {
                long cell = Cell(s.Latitude, s.Longitude);
                long bucket = TimeBuckets.Floor(s.TimeMillis, BucketMillis);
                long odometer = (long)Math.Round(s.OdometerKm / OdometerStepKm) * OdometerStepKm;
                long fuel = (long)Math.Round(s.FuelPct / FuelStepPct);
                long attribute = (odometer * 16) + fuel;
                long pseudonym = day == Day.Local ? v : ((s.TimeMillis / 86_400_000) << 24) | (uint)v;
                data.AddReleased(pseudonym, cell, bucket, attribute, v, s.Moving);
                data.AddTruth(v, cell, bucket, s.Moving);
            }
        }

        return data;
    }

    /// <summary>Today's Wi-Fi release: one pseudonym per visitor per day, the outlet's geohash 5, 15-minute buckets.</summary>
    public static ReleasedDataset BuildWifi(OutletVisitors visitors)
    {
        var data = new ReleasedDataset(BucketMillis, visitors.Profile.UtcOffsetMinutes);
        for (int v = 0; v < visitors.VisitorCount; v++)
        {
            foreach (WifiVisitSample s in visitors.Sightings(v))
            {
                long cell = Cell(s.Latitude, s.Longitude);
                long bucket = TimeBuckets.Floor(s.TimeMillis, BucketMillis);
                data.AddReleased(v, cell, bucket, ReleasedDataset.NoAttribute, v, moving: true);
                data.AddTruth(v, cell, bucket, moving: true);
            }
        }

        return data;
    }

    public static long Cell(double latitude, double longitude)
    {
        Span<byte> geohash = stackalloc byte[Precision];
        Geohash.Encode(latitude, longitude, Precision, geohash);
        return GeohashCells.Pack(geohash);
    }
}
