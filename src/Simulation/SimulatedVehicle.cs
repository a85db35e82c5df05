namespace Sieve.Simulation;

/// <summary>
/// A vehicle making trips on a street grid, whose telematics unit reports AVL records. With dealer outlets given, its
/// trips alternate between an outlet, where it parks (speed 0, ignition off) for a dwell, and an errand somewhere
/// within a few kilometres; without outlets it roams (straight on, sometimes turning a corner, sometimes stopping).
/// Holds raw identifiers: they go only onto the device socket, never into output.
/// </summary>
public sealed class SimulatedVehicle
{
    /// <summary>Distance from a destination at which the vehicle counts as arrived.</summary>
    public const double ArrivalMetres = 25;

    /// <summary>Shortest dwell at an outlet.</summary>
    public const int MinDwellSeconds = 20;

    /// <summary>Longest dwell at an outlet.</summary>
    public const int MaxDwellSeconds = 180;

    private const double MetresPerDegreeLat = 111_320;
    private const double ErrandMetres = 3_000;
    private readonly IReadOnlyList<(double Latitude, double Longitude)> _outlets;
    private double _odometerMetres;
    private double _dwellSecondsLeft;
    private bool _towardsOutlet;

    /// <summary>Places a roaming vehicle at (<paramref name="latitude"/>, <paramref name="longitude"/>).</summary>
    public SimulatedVehicle(string imei, string vin, double latitude, double longitude, Random random)
        : this(imei, vin, latitude, longitude, random, [])
    {
    }

    /// <summary>
    /// Places a vehicle at (<paramref name="latitude"/>, <paramref name="longitude"/>) whose trips stop at
    /// <paramref name="outlets"/> (dealer outlet locations); the first trip goes to the nearest one.
    /// </summary>
    public SimulatedVehicle(string imei, string vin, double latitude, double longitude, Random random, IReadOnlyList<(double Latitude, double Longitude)> outlets)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(outlets);
        Imei = imei;
        Vin = vin;
        Latitude = latitude;
        Longitude = longitude;
        Heading = random.Next(4) * 90;
        SpeedKmh = 20 + random.Next(50);
        _odometerMetres = 5_000_000 + random.Next(80_000_000);
        _outlets = outlets;
        if (outlets.Count > 0)
        {
            Destination = outlets.MinBy(o => Distance(latitude, longitude, o.Latitude, o.Longitude));
            _towardsOutlet = true;
        }
    }

    /// <summary>The unit's IMEI (15 digits, Luhn-valid).</summary>
    public string Imei { get; }

    /// <summary>The vehicle's VIN, which the unit reports in IO 256.</summary>
    public string Vin { get; }

    /// <summary>Degrees north.</summary>
    public double Latitude { get; private set; }

    /// <summary>Degrees east.</summary>
    public double Longitude { get; private set; }

    /// <summary>Degrees clockwise from north: 0, 90, 180 or 270 on the grid.</summary>
    public int Heading { get; private set; }

    /// <summary>km/h.</summary>
    public int SpeedKmh { get; private set; }

    /// <summary>Where the current trip ends; null for a roaming vehicle.</summary>
    public (double Latitude, double Longitude)? Destination { get; private set; }

    /// <summary>True while parked at an outlet for a dwell.</summary>
    public bool AtOutlet => _dwellSecondsLeft > 0;

    /// <summary>
    /// Drives (or waits) <paramref name="seconds"/> and returns the record the unit reports at <paramref name="nowMillis"/>:
    /// low priority, periodic, with ignition, external voltage, odometer and VIN.
    /// </summary>
    public UnitRecord Next(long nowMillis, double seconds, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        bool ignition;
        if (_dwellSecondsLeft > 0)
        {
            // Parked at the outlet: engine off, the odometer still.
            _dwellSecondsLeft -= seconds;
            SpeedKmh = 0;
            ignition = false;
            if (_dwellSecondsLeft <= 0)
            {
                StartTrip(random);
            }
        }
        else if (Destination is { } destination)
        {
            Travel(destination, seconds, random);
            ignition = !AtOutlet; // off once parked
        }
        else
        {
            Roam(seconds, random);
            ignition = SpeedKmh > 0 || random.Next(2) == 0;
        }

        return new UnitRecord(
            nowMillis,
            Longitude,
            Latitude,
            Priority: 0,
            Altitude: (short)(4 + random.Next(20)),
            Angle: (ushort)Heading,
            Satellites: (byte)(random.Next(20) == 0 ? 0 : 6 + random.Next(8)),
            Speed: (ushort)SpeedKmh,
            Ignition: ignition,
            ExternalVoltageMillivolts: (ushort)(12_200 + random.Next(2_000)),
            OdometerMetres: (uint)_odometerMetres,
            Vin: Vin);
    }

    /// <summary>Metres between two points (equirectangular; plenty for a city).</summary>
    public static double Distance(double lat1, double lon1, double lat2, double lon2)
    {
        double north = (lat2 - lat1) * MetresPerDegreeLat;
        double east = (lon2 - lon1) * MetresPerDegreeLat * Math.Cos((lat1 + lat2) / 2 * Math.PI / 180);
        return Math.Sqrt((north * north) + (east * east));
    }

    /// <summary>Drives along the grid towards <paramref name="destination"/>: north or south first, then east or west.</summary>
    private void Travel((double Latitude, double Longitude) destination, double seconds, Random random)
    {
        double metresPerDegreeLon = MetresPerDegreeLat * Math.Cos(Latitude * Math.PI / 180);
        double north = (destination.Latitude - Latitude) * MetresPerDegreeLat;
        double east = (destination.Longitude - Longitude) * metresPerDegreeLon;
        double remaining = Math.Abs(north) + Math.Abs(east);

        // Slower in the last few hundred metres, as on the approach to a car park.
        int cruise = Math.Clamp(SpeedKmh + random.Next(-8, 9), 15, 70);
        SpeedKmh = remaining < 300 ? Math.Min(cruise, 20) : cruise;
        double metres = Math.Min(SpeedKmh / 3.6 * seconds, remaining);
        _odometerMetres += metres;
        if (Math.Abs(north) > ArrivalMetres / 2)
        {
            double step = Math.Min(metres, Math.Abs(north));
            Heading = north > 0 ? 0 : 180;
            Latitude += Math.Sign(north) * step / MetresPerDegreeLat;
            metres -= step;
        }

        if (metres > 0 && Math.Abs(east) > 0)
        {
            double step = Math.Min(metres, Math.Abs(east));
            Heading = east > 0 ? 90 : 270;
            Longitude += Math.Sign(east) * step / metresPerDegreeLon;
        }

        if (Distance(Latitude, Longitude, destination.Latitude, destination.Longitude) > ArrivalMetres)
        {
            return;
        }

        if (_towardsOutlet)
        {
            // Parked at the dealer outlet for a visit.
            Latitude = destination.Latitude;
            Longitude = destination.Longitude;
            SpeedKmh = 0;
            _dwellSecondsLeft = MinDwellSeconds + random.Next(MaxDwellSeconds - MinDwellSeconds + 1);
        }
        else
        {
            StartTrip(random);
        }
    }

    /// <summary>The next trip: after an outlet an errand nearby, after an errand a (random) outlet.</summary>
    private void StartTrip(Random random)
    {
        _towardsOutlet = !_towardsOutlet;
        if (_towardsOutlet)
        {
            Destination = _outlets[random.Next(_outlets.Count)];
            return;
        }

        double r = ErrandMetres * (0.3 + (0.7 * random.NextDouble()));
        double a = random.NextDouble() * 2 * Math.PI;
        Destination = (
            Latitude + (r * Math.Cos(a) / MetresPerDegreeLat),
            Longitude + (r * Math.Sin(a) / (MetresPerDegreeLat * Math.Cos(Latitude * Math.PI / 180))));
    }

    private void Roam(double seconds, Random random)
    {
        if (random.Next(8) == 0)
        {
            Heading = (Heading + (random.Next(2) == 0 ? 90 : 270)) % 360;
        }

        SpeedKmh = random.Next(12) == 0 ? 0 : Math.Clamp(SpeedKmh + random.Next(-10, 11), 5, 90);
        double metres = SpeedKmh / 3.6 * seconds;
        double rad = Heading * Math.PI / 180;
        Latitude += metres * Math.Cos(rad) / MetresPerDegreeLat;
        Longitude += metres * Math.Sin(rad) / (MetresPerDegreeLat * Math.Cos(Latitude * Math.PI / 180));
        _odometerMetres += metres;
    }
}
