using Sieve.Contracts.Records;

namespace Sieve.Testing.Codec;

/// <summary>Random raw records covering every optional branch, edge numbers and non-ASCII text.</summary>
internal sealed class RandomRecords(int seed)
{
    private static readonly string[] Texts = ["", "a", "京A·12345", "Zoë", "🚗", "dtc-P0301", new string('x', 120)];
    private readonly Random _random = new(seed);

    public TelematicsEventData Telematics() => new()
    {
        EventId = Text(),
        Vin = Text(),
        DeviceId = Text(),
        EventTime = Long(),
        Location = Maybe(Location),
        Status = Maybe(() => new VehicleStatusData(MaybeV(Double), MaybeV(Float), MaybeV(Float), MaybeV(() => _random.Next(2) == 1), Strings(5))),
        Driver = Maybe(() => new DriverData(MaybeRef(Text), MaybeRef(Text), MaybeRef(Text))),
    };

    public WifiEventData Wifi() => new()
    {
        EventId = Text(),
        GatewayId = Text(),
        OutletId = Text(),
        EventTime = Long(),
        ClientMac = Text(),
        PhoneNumber = MaybeRef(Text),
        DeviceId = MaybeRef(Text),
        Location = Maybe(Location),
        Rssi = MaybeV(() => _random.Next(int.MinValue, int.MaxValue)),
        VisitedDomains = Strings(12),
        DwellSeconds = MaybeV(() => _random.Next(-5, 100_000)),
    };

    public ConsentChangeData Consent() => new()
    {
        SubjectType = (Sieve.Contracts.Identifiers.SubjectType)_random.Next(4),
        SubjectId = Text(),
        Purpose = Text(),
        Granted = _random.Next(2) == 1,
        EffectiveTime = Long(),
        PolicyVersion = Text(),
        Minor = _random.Next(2) == 1,
        ExpiresAt = MaybeV(Long),
    };

    private GeoLocationData Location() => new(Double(), Double(), MaybeV(Float), MaybeV(Float), MaybeV(Float));

    private string Text() => _random.Next(3) == 0 ? Texts[_random.Next(Texts.Length)] : Guid.NewGuid().ToString("N")[.._random.Next(1, 32)];

    private long Long() => _random.Next(6) switch
    {
        // Apache.Avro maps timestamp-millis to DateTime, so stay within DateTime's range (years 1..9999).
        0 => -62_135_596_800_000 + 86_400_000,
        1 => 7_258_118_400_000, // 2200-01-01; far-future times lose a millisecond in Apache.Avro's double-based DateTime conversion
        2 => 0,
        3 => -_random.NextInt64(1, 1 << 20),
        _ => _random.NextInt64(1_500_000_000_000, 2_000_000_000_000),
    };

    private double Double() => _random.Next(5) switch
    {
        0 => -180.0 + (_random.NextDouble() * 360.0),
        1 => double.Epsilon,
        2 => -0.0,
        3 => double.MaxValue,
        _ => (_random.NextDouble() - 0.5) * 1e7,
    };

    private float Float() => _random.Next(4) switch
    {
        0 => float.MinValue,
        1 => 0f,
        _ => (float)((_random.NextDouble() - 0.5) * 1000),
    };

    private List<string> Strings(int max)
    {
        int n = _random.Next(max + 1);
        var list = new List<string>(n);
        for (int i = 0; i < n; i++)
        {
            list.Add(Text());
        }

        return list;
    }

    private T? Maybe<T>(Func<T> make) where T : class => _random.Next(3) == 0 ? null : make();

    private T? MaybeRef<T>(Func<T> make) where T : class => _random.Next(3) == 0 ? null : make();

    private T? MaybeV<T>(Func<T> make) where T : struct => _random.Next(3) == 0 ? null : make();
}
