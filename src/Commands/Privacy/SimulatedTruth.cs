using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Anonymization;
using Sieve.Core.Generalization;
using Sieve.Core.Privacy;
using Sieve.Simulation.Mobility;

namespace Sieve.Commands.Privacy;

/// <summary>
/// Ground truth for a release of a simulated city: which vehicle a released pseudonym belongs to (computed from the
/// city's VINs with the same master keys as the Minimizer), whether a released record was recorded while moving, and
/// every raw record and commuter generalized like the release (<see cref="ReleasedDataset.AddTruth"/>,
/// <see cref="ReleasedDataset.SetHomeWork"/>).
/// </summary>
internal sealed class SimulatedTruth : ISegmentObserver
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _vehicleByPseudonym = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _vehicleByToken = new(StringComparer.Ordinal);
    private readonly Dictionary<(int Vehicle, long Cell, long Bucket), (int Moving, int Parked)> _samples = [];

    private SimulatedTruth()
    {
    }

    /// <summary>
    /// Builds the truth of <paramref name="city"/> for <paramref name="purpose"/> (its pseudonyms for every UTC day the
    /// city's day touches, or its stable ones) and records every raw sample and commuter into <paramref name="data"/>
    /// at geohash <paramref name="precision"/>.
    /// </summary>
    public static SimulatedTruth Build(MobilitySimulator city, MobilityRecords identities, PseudonymKeyFactory keys, string purpose, bool daily, int precision, ReleasedDataset data)
    {
        var truth = new SimulatedTruth();
        // Segment pseudonyms are random: the release stage tells the truth which vehicle token each one belongs to.
        using (PseudonymKey index = keys.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch))
        {
            for (int v = 0; v < city.VehicleCount; v++)
            {
                if (Pseudonyms.TryPseudonymize(index, SubjectType.Vin, identities.Vehicle(v).Vin, out string token, out _))
                {
                    truth._vehicleByToken[token] = v;
                }
            }
        }

        long dayStart = city.Profile.DayStartUnixMillis;
        long firstDay = dayStart / 86_400_000;
        long lastDay = (dayStart + 86_400_000 - 1) / 86_400_000;
        var dayKeys = new List<PseudonymKey>();
        try
        {
            if (!daily)
            {
                dayKeys.Add(keys.Create(purpose, PseudonymKeyFactory.StableEpoch));
            }

            for (long day = firstDay; daily && day <= lastDay; day++)
            {
                dayKeys.Add(keys.Create(purpose, PseudonymKeyFactory.DailyEpoch(day * 86_400_000)));
            }

            for (int v = 0; v < city.VehicleCount; v++)
            {
                VehicleIdentity identity = identities.Vehicle(v);
                foreach (PseudonymKey key in dayKeys)
                {
                    if (Pseudonyms.TryPseudonymize(key, SubjectType.Vin, identity.Vin, out string pseudonym, out _))
                    {
                        truth._vehicleByPseudonym[pseudonym] = v;
                    }
                }

                VehicleProfile profile = city.Vehicle(v);
                if (profile.Work is { } work)
                {
                    data.SetHomeWork(v, Cell(profile.HomeLatitude, profile.HomeLongitude, precision), Cell(work.Latitude, work.Longitude, precision));
                }

                foreach (MobilitySample s in city.Samples(v))
                {
                    long cell = Cell(s.Latitude, s.Longitude, precision);
                    long bucket = TimeBuckets.Floor(s.TimeMillis, data.BucketMillis);
                    data.AddTruth(v, cell, bucket, s.Moving);
                    ref (int Moving, int Parked) counts = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(
                        truth._samples, Key(v, cell, bucket, data.BucketMillis), out _);
                    counts = s.Moving ? (counts.Moving + 1, counts.Parked) : (counts.Moving, counts.Parked + 1);
                }
            }
        }
        finally
        {
            foreach (PseudonymKey key in dayKeys)
            {
                key.Dispose();
            }
        }

        return truth;
    }

    /// <inheritdoc />
    public void SegmentStarted(ReadOnlySpan<byte> vehicle, ReadOnlySpan<byte> pseudonym)
    {
        if (_vehicleByToken.TryGetValue(System.Text.Encoding.ASCII.GetString(vehicle), out int v))
        {
            _vehicleByPseudonym[System.Text.Encoding.ASCII.GetString(pseudonym)] = v;
        }
    }

    /// <summary>The vehicle behind a released pseudonym, or -1 when it is none of the city's.</summary>
    public int Vehicle(string pseudonym) => _vehicleByPseudonym.GetValueOrDefault(pseudonym, -1);

    /// <summary>
    /// Whether a released record of <paramref name="vehicle"/> at (cell, bucket) was recorded while moving: the raw
    /// samples of that vehicle, cell and bucket are matched one to one, moving ones first.
    /// </summary>
    public bool TakeMoving(int vehicle, long cell, long bucket, long bucketMillis)
    {
        ref (int Moving, int Parked) counts = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_samples, Key(vehicle, cell, bucket, bucketMillis));
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref counts))
        {
            return false;
        }

        if (counts.Moving > 0)
        {
            counts.Moving--;
            return true;
        }

        if (counts.Parked > 0)
        {
            counts.Parked--;
        }

        return false;
    }

    /// <summary>The packed geohash of a position at <paramref name="precision"/>.</summary>
    public static long Cell(double latitude, double longitude, int precision)
    {
        Span<byte> geohash = stackalloc byte[precision];
        Geohash.Encode(latitude, longitude, precision, geohash);
        return GeohashCells.Pack(geohash);
    }

    private static (int Vehicle, long Cell, long Bucket) Key(int vehicle, long cell, long bucket, long bucketMillis) => (vehicle, cell, bucket / bucketMillis);
}
