namespace Sieve.Simulation.Mobility;

/// <summary>What kind of place a vehicle is parked at, or <see cref="Road"/> while it drives.</summary>
public enum PlaceKind
{
    /// <summary>Driving (ignition on).</summary>
    Road,
    /// <summary>The vehicle's home.</summary>
    Home,
    /// <summary>The vehicle's workplace.</summary>
    Work,
    /// <summary>A shop or other errand destination.</summary>
    Shop,
    /// <summary>A dealer outlet.</summary>
    Outlet,
}

/// <summary>
/// One telematics record of a simulated vehicle, with its ground truth. Records of one vehicle come in strictly
/// increasing time order.
/// </summary>
/// <param name="Vehicle">Index of the vehicle in the fleet (ground truth).</param>
/// <param name="TimeMillis">When the unit recorded it, Unix milliseconds.</param>
/// <param name="Latitude">Reported latitude (with GPS noise), WGS-84 degrees.</param>
/// <param name="Longitude">Reported longitude (with GPS noise), WGS-84 degrees.</param>
/// <param name="SpeedKph">Speed over ground, km/h (0 while parked or stopped at a light).</param>
/// <param name="HeadingDeg">Heading, degrees clockwise from north.</param>
/// <param name="IgnitionOn">The ignition flag the unit reports.</param>
/// <param name="Moving">Ground truth: recorded during a trip (ignition on), so eligible for movement analytics.</param>
/// <param name="Trip">Ground truth: index of the vehicle's trip of the day while moving, otherwise -1.</param>
/// <param name="Stop">Ground truth: index of the stop in the vehicle's day while parked, otherwise -1.</param>
/// <param name="Place">Ground truth: where the vehicle is parked, or <see cref="PlaceKind.Road"/>.</param>
/// <param name="OdometerKm">Total distance, kilometres; never decreases.</param>
/// <param name="FuelPct">Fuel level, percent; falls with distance.</param>
/// <param name="BatteryVoltage">Battery voltage; charging while the ignition is on, slowly falling while parked.</param>
public readonly record struct MobilitySample(
    int Vehicle,
    long TimeMillis,
    double Latitude,
    double Longitude,
    float SpeedKph,
    float HeadingDeg,
    bool IgnitionOn,
    bool Moving,
    int Trip,
    int Stop,
    PlaceKind Place,
    double OdometerKm,
    float FuelPct,
    float BatteryVoltage);

/// <summary>Ground truth about one simulated vehicle.</summary>
/// <param name="Index">Index of the vehicle in the fleet.</param>
/// <param name="HomeLatitude">Latitude of its home (where it parks overnight).</param>
/// <param name="HomeLongitude">Longitude of its home.</param>
/// <param name="Work">Latitude and longitude of its workplace, or null for a vehicle that does not commute.</param>
/// <param name="Trips">Trips in its plan for the day (a trip planned to start after 23:00 is not driven).</param>
public sealed record VehicleProfile(int Index, double HomeLatitude, double HomeLongitude, (double Latitude, double Longitude)? Work, int Trips)
{
    /// <summary>True when the vehicle commutes to a workplace.</summary>
    public bool Commuter => Work is not null;
}

/// <summary>One Wi-Fi sighting of a simulated visitor at a dealer outlet, with its ground truth.</summary>
/// <param name="Visitor">Index of the visitor (ground truth).</param>
/// <param name="Outlet">Index of the outlet, as in <see cref="FleetSimulator.Outlet"/>.</param>
/// <param name="TimeMillis">When the gateway saw the client, Unix milliseconds.</param>
/// <param name="Latitude">Where the client was seen, WGS-84 degrees.</param>
/// <param name="Longitude">Where the client was seen, WGS-84 degrees.</param>
/// <param name="Rssi">Signal strength, dBm.</param>
/// <param name="Visit">Index of the visit in the visitor's day.</param>
public readonly record struct WifiVisitSample(int Visitor, int Outlet, long TimeMillis, double Latitude, double Longitude, int Rssi, int Visit);
