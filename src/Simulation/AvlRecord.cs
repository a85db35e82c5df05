namespace Sieve.Simulation;

/// <summary>
/// One AVL record as a Teltonika unit reports it: GPS element plus the IO elements the load generator sends
/// (ignition 239, external voltage 66, total odometer 16, VIN 256).
/// </summary>
/// <param name="TimestampMillis">Milliseconds since the Unix epoch, UTC.</param>
/// <param name="Latitude">Degrees, north positive.</param>
/// <param name="Longitude">Degrees, east positive.</param>
/// <param name="AltitudeMetres">Metres above sea level.</param>
/// <param name="AngleDegrees">Heading, 0 to 359, clockwise from north.</param>
/// <param name="Satellites">Satellites in use; 0 means no fix.</param>
/// <param name="SpeedKmh">Speed in km/h.</param>
/// <param name="Ignition">IO 239.</param>
/// <param name="ExternalVoltageMillivolts">IO 66.</param>
/// <param name="OdometerMetres">IO 16, total odometer.</param>
/// <param name="Vin">IO 256, 17 ASCII characters, or null to leave the element out.</param>
public readonly record struct AvlRecord(
    long TimestampMillis,
    double Latitude,
    double Longitude,
    short AltitudeMetres,
    ushort AngleDegrees,
    byte Satellites,
    ushort SpeedKmh,
    bool Ignition,
    ushort ExternalVoltageMillivolts,
    uint OdometerMetres,
    string? Vin);
