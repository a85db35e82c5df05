namespace Sieve.Simulation.Mobility;

/// <summary>
/// Wi-Fi visitors at the dealer outlets of <see cref="FleetSimulator.OutletLocations"/> during the simulated day of a
/// <see cref="CityProfile"/>: each visitor comes once (some twice, to a second outlet) between 10:00 and 19:00 local,
/// stays about three quarters of an hour, and the outlet's gateway sees their phone every
/// <see cref="ScanIntervalSeconds"/>. Deterministic for a seed, generated on demand per visitor.
/// </summary>
public sealed class OutletVisitors
{
    private const double MetresPerDegreeLatitude = 111_320;

    /// <summary>Creates the visitors of <paramref name="profile"/> (<see cref="CityProfile.Visitors"/> of them).</summary>
    public OutletVisitors(CityProfile profile, int seed, int scanIntervalSeconds = 60)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(scanIntervalSeconds);
        Profile = profile;
        Seed = seed;
        ScanIntervalSeconds = scanIntervalSeconds;
    }

    /// <summary>The city.</summary>
    public CityProfile Profile { get; }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>Seconds between two sightings of a visitor who stays.</summary>
    public int ScanIntervalSeconds { get; }

    /// <summary>Visitors in the day.</summary>
    public int VisitorCount => Profile.Visitors;

    /// <summary>The sightings of visitor <paramref name="index"/>, in time order.</summary>
    public IEnumerable<WifiVisitSample> Sightings(int index)
    {
        if ((uint)index >= (uint)Profile.Visitors)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return Visit(index);
    }

    /// <summary>Every visitor's sightings, visitor after visitor.</summary>
    public IEnumerable<WifiVisitSample> AllSightings()
    {
        for (int v = 0; v < Profile.Visitors; v++)
        {
            foreach (WifiVisitSample s in Visit(v))
            {
                yield return s;
            }
        }
    }

    private IEnumerable<WifiVisitSample> Visit(int visitor)
    {
        var random = new MobilityRandom(Seed, visitor, 5);
        IReadOnlyList<(double Latitude, double Longitude)> outlets = FleetSimulator.OutletLocations;
        int visits = random.Chance(0.15) ? 2 : 1;
        double t = random.Uniform(10 * 3600, 17 * 3600);
        int outlet = random.Next(outlets.Count);
        for (int visit = 0; visit < visits; visit++)
        {
            double end = t + random.Normal(45 * 60, 20 * 60, 10 * 60, 150 * 60);
            (double lat, double lon) = outlets[outlet];
            for (; t < end; t += ScanIntervalSeconds)
            {
                double r = 40 * Math.Sqrt(random.NextDouble());
                double a = random.Uniform(0, 2 * Math.PI);
                yield return new WifiVisitSample(
                    visitor,
                    outlet,
                    Profile.DayStartUnixMillis + (long)(t * 1000),
                    lat + (r * Math.Cos(a) / MetresPerDegreeLatitude),
                    lon + (r * Math.Sin(a) / (MetresPerDegreeLatitude * Math.Cos(lat * Math.PI / 180))),
                    -40 - random.Next(50),
                    visit);
            }

            t = end + random.Uniform(30 * 60, 120 * 60);
            outlet = (outlet + 1 + random.Next(outlets.Count - 1)) % outlets.Count;
        }
    }
}
