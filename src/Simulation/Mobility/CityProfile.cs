namespace Sieve.Simulation.Mobility;

/// <summary>
/// A centre of residential or business density: a two-dimensional Gaussian around a point given in kilometres east and
/// north of the city centre. Homes and workplaces are drawn from a mixture of such centres, weighted.
/// </summary>
/// <param name="EastKm">Kilometres east of the city centre.</param>
/// <param name="NorthKm">Kilometres north of the city centre.</param>
/// <param name="SigmaKm">Standard deviation of the Gaussian, kilometres.</param>
/// <param name="Weight">Relative weight in the mixture (positive).</param>
public readonly record struct DensityCentre(double EastKm, double NorthKm, double SigmaKm, double Weight);

/// <summary>
/// The shape of a simulated city and of its fleet for one day: where people live and work, how many vehicles there are,
/// how many of them commute, and how their telematics units sample. Two presets exist: <see cref="Dense"/> (a mid-size
/// city about 30 km across) and <see cref="SparseMetropolis"/> (a sprawling area about 100 km across with a thin fleet),
/// both around Shanghai like <see cref="FleetSimulator"/>.
/// </summary>
public sealed record CityProfile
{
    /// <summary>Display name of the profile.</summary>
    public required string Name { get; init; }

    /// <summary>Latitude of the city centre, WGS-84 degrees.</summary>
    public double CentreLatitude { get; init; } = 31.2304;

    /// <summary>Longitude of the city centre, WGS-84 degrees.</summary>
    public double CentreLongitude { get; init; } = 121.4737;

    /// <summary>Width and height of the square the city fits in, kilometres; homes, workplaces and shops stay inside it.</summary>
    public required double SpanKm { get; init; }

    /// <summary>Vehicles in the fleet.</summary>
    public required int Vehicles { get; init; }

    /// <summary>Wi-Fi visitors seen at the dealer outlets during the day.</summary>
    public int Visitors { get; init; }

    /// <summary>Where homes are drawn from.</summary>
    public required IReadOnlyList<DensityCentre> Residential { get; init; }

    /// <summary>Where workplaces, shops and errand destinations are drawn from.</summary>
    public required IReadOnlyList<DensityCentre> Business { get; init; }

    /// <summary>Share of vehicles that commute to a workplace (the rest run errands from home only).</summary>
    public double CommuterShare { get; init; } = 0.8;

    /// <summary>Share of commuters with a midday errand.</summary>
    public double MiddayErrandShare { get; init; } = 0.25;

    /// <summary>Share of commuters with an evening errand after coming home.</summary>
    public double EveningErrandShare { get; init; } = 0.3;

    /// <summary>Share of errands that go to a dealer outlet rather than a shop.</summary>
    public double OutletErrandShare { get; init; } = 0.05;

    /// <summary>Seconds between records while the ignition is on (a Teltonika unit's "on moving" period).</summary>
    public int MovingIntervalSeconds { get; init; } = 10;

    /// <summary>Seconds between records while parked with the ignition off (a Teltonika unit's "on stop" period).</summary>
    public int ParkedIntervalSeconds { get; init; } = 3600;

    /// <summary>Start of the simulated day (local midnight), Unix milliseconds. The day lasts 24 hours.</summary>
    public long DayStartUnixMillis { get; init; } = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    /// <summary>Offset of the city's local time from UTC, minutes (Shanghai: +480).</summary>
    public int UtcOffsetMinutes { get; init; } = 480;

    /// <summary>
    /// A dense mid-size city about 30 km across: a business core and a few secondary business districts, residential
    /// districts around them.
    /// </summary>
    /// <param name="vehicles">Vehicles in the fleet (default 10,000).</param>
    public static CityProfile Dense(int vehicles = 10_000) => new()
    {
        Name = "dense",
        SpanKm = 30,
        Vehicles = vehicles,
        Visitors = Math.Max(20, vehicles / 20),
        Residential =
        [
            new(-8, 6, 2.5, 1.2), new(7, 8, 2.5, 1.0), new(9, -5, 2.5, 1.0), new(-7, -7, 2.5, 1.2),
            new(0, 10, 2.0, 0.8), new(-11, 0, 2.0, 0.8), new(11, 1, 2.0, 0.7), new(1, -10, 2.0, 0.8),
            new(0, 0, 5.0, 1.0),
        ],
        Business =
        [
            new(0, 0, 1.5, 3.0), new(3, 0.5, 1.0, 2.0), new(-5, -4, 1.5, 1.0), new(6, 6, 1.5, 0.8), new(-4, 5, 1.5, 0.8),
        ],
    };

    /// <summary>
    /// A sprawling metropolis about 100 km across with a sparse fleet, such as a premium brand's: residential towns far
    /// apart, business districts in the core and in a few satellite towns.
    /// </summary>
    /// <param name="vehicles">Vehicles in the fleet (default 5,000).</param>
    public static CityProfile SparseMetropolis(int vehicles = 5_000) => new()
    {
        Name = "sparse-metropolis",
        SpanKm = 100,
        Vehicles = vehicles,
        Visitors = Math.Max(20, vehicles / 20),
        CommuterShare = 0.75,
        Residential =
        [
            new(-10, 8, 4, 1.2), new(12, 10, 4, 1.0), new(14, -8, 4, 1.0), new(-12, -10, 4, 1.2),
            new(-30, 25, 5, 0.7), new(30, 28, 5, 0.6), new(35, -25, 5, 0.6), new(-32, -30, 5, 0.7),
            new(0, 38, 4, 0.5), new(-40, 0, 4, 0.5), new(40, 2, 4, 0.5), new(2, -40, 4, 0.5), new(0, 0, 12, 1.0),
        ],
        Business =
        [
            new(0, 0, 2.0, 3.0), new(4, 1, 1.5, 2.0), new(-25, 20, 3.0, 0.8), new(28, -22, 3.0, 0.8), new(-28, -25, 3.0, 0.6),
            new(25, 25, 3.0, 0.6),
        ],
    };
}
