namespace Sieve.Cli.Load;

/// <summary>
/// A vehicle driving a street grid (straight on, sometimes turning a corner, sometimes stopping), whose telematics
/// unit reports AVL records. Holds raw identifiers: they go only onto the device socket, never into output.
/// </summary>
public sealed class SimulatedVehicle
{
    private const double MetresPerDegreeLat = 111_320;
    private double _odometerMetres;

    /// <summary>Places a vehicle at (<paramref name="latitude"/>, <paramref name="longitude"/>).</summary>
    public SimulatedVehicle(string imei, string vin, double latitude, double longitude, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Imei = imei;
        Vin = vin;
        Latitude = latitude;
        Longitude = longitude;
        Heading = random.Next(4) * 90;
        SpeedKmh = 20 + random.Next(50);
        _odometerMetres = 5_000_000 + random.Next(80_000_000);
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

    /// <summary>
    /// Drives <paramref name="seconds"/> of road and returns the record the unit reports at <paramref name="nowMillis"/>.
    /// </summary>
    public AvlRecord Next(long nowMillis, double seconds, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
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
        return new AvlRecord(
            nowMillis,
            Latitude,
            Longitude,
            AltitudeMetres: (short)(4 + random.Next(20)),
            AngleDegrees: (ushort)Heading,
            Satellites: (byte)(random.Next(20) == 0 ? 0 : 6 + random.Next(8)),
            SpeedKmh: (ushort)SpeedKmh,
            Ignition: SpeedKmh > 0 || random.Next(2) == 0,
            ExternalVoltageMillivolts: (ushort)(12_200 + random.Next(2_000)),
            OdometerMetres: (uint)_odometerMetres,
            Vin: Vin);
    }
}
