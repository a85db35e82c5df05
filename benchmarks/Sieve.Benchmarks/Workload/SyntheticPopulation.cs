using System.Globalization;
using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;

namespace Sieve.Benchmarks.Workload;

/// <summary>What a subject agreed to before the measured events (effective a month earlier).</summary>
internal enum ConsentMix : byte
{
    /// <summary>Granted positioning and personalization; analytics needs no consent: forwarded to all three.</summary>
    All,
    /// <summary>Granted positioning only.</summary>
    PositioningOnly,
    /// <summary>Never granted anything: only analytics receives their events.</summary>
    None,
    /// <summary>Granted both, then withdrew personalization.</summary>
    WithdrewPersonalization,
    /// <summary>A minor (Wi-Fi visitors only): nothing is forwarded anywhere.</summary>
    Minor,
}

/// <summary>One data subject: the identifier the consent rule keys on, as the source spells it, and its consent.</summary>
internal sealed record SyntheticSubject(SubjectType Type, string RawId, ConsentMix Consent);

/// <summary>
/// A deterministic synthetic population: vehicles (valid VINs, Luhn-valid IMEIs) driving around Shanghai and dealer
/// Wi-Fi visitors (mainland mobile numbers typed in several spellings, device ids, client MACs), with a realistic
/// consent mix, and their raw events already encoded in the wire format (single-object Avro).
/// </summary>
internal sealed class SyntheticPopulation
{
    /// <summary>2026-11-25T01:00:00Z: every event lies within the next 12 hours, so one UTC day's keys serve them all.</summary>
    public const long StartMillis = 1_795_568_400_000;

    /// <summary>Consent decisions took effect 30 days before the events.</summary>
    public const long ConsentEffectiveMillis = StartMillis - (30L * 86_400_000);

    private const long SpanMillis = 12L * 3_600_000;
    private const double MetresPerDegreeLat = 111_320;
    private static readonly string[] MobilePrefixes = ["138", "139", "186", "135", "177", "150"];
    private static readonly string[] DtcPool = ["P0301", "P0420", "P0171", "U0100", "B1342", "C0035"];
    private static readonly string[] Domains =
    [
        "autohome.com.cn", "m.autohome.com.cn", "dongchedi.com", "yiche.com", "ctrip.com", "qunar.com", "taobao.com",
        "jd.com", "eastmoney.com", "sina.com.cn", "bilibili.com", "iqiyi.com", "meituan.com", "dianping.com",
        "example-unmapped.cn", "weather.com.cn",
    ];

    private static readonly (string Id, string Gateway, double Lat, double Lon)[] Outlets =
    [
        ("SH-PD-001", "gw-pd-01", 31.2213, 121.5447),
        ("SH-MH-002", "gw-mh-01", 31.1127, 121.3817),
        ("SH-JA-003", "gw-ja-01", 31.2290, 121.4480),
        ("SH-BS-004", "gw-bs-01", 31.4046, 121.4894),
        ("SH-SJ-005", "gw-sj-01", 31.0322, 121.2276),
    ];

    private readonly Random _random;
    private readonly Sieve.Simulation.SyntheticIdentities _ids;

    private SyntheticPopulation(int seed)
    {
        _random = new Random(seed);
        _ids = new Sieve.Simulation.SyntheticIdentities(seed);
    }

    /// <summary>Vehicles; their subject is the VIN.</summary>
    public List<SyntheticSubject> Vehicles { get; } = [];

    /// <summary>Wi-Fi visitors; their subject is the phone number, else the device id, else the client MAC.</summary>
    public List<SyntheticSubject> Visitors { get; } = [];

    /// <summary>Encoded telematics events, cycling over the vehicles in shuffled rounds.</summary>
    public byte[][] TelematicsMessages { get; private set; } = [];

    /// <summary>Encoded Wi-Fi events, cycling over the visitors in shuffled rounds.</summary>
    public byte[][] WifiMessages { get; private set; } = [];

    /// <summary>Every subject, vehicles first.</summary>
    public IEnumerable<SyntheticSubject> Subjects => Vehicles.Concat(Visitors);

    /// <summary>Builds the population and encodes its events.</summary>
    public static SyntheticPopulation Create(int vehicles, int visitors, int telematicsMessages, int wifiMessages, int seed = 2026)
    {
        var population = new SyntheticPopulation(seed);
        population.Build(vehicles, visitors, telematicsMessages, wifiMessages);
        return population;
    }

    private void Build(int vehicleCount, int visitorCount, int telematicsMessages, int wifiMessages)
    {
        var vehicles = new VehicleState[vehicleCount];
        for (int i = 0; i < vehicleCount; i++)
        {
            (double lat, double lon) = Around(31.2304, 121.4737, 15_000);
            vehicles[i] = new VehicleState
            {
                Vin = _ids.Vin(),
                Imei = _ids.Imei(),
                Lat = lat,
                Lon = lon,
                Heading = _random.Next(4) * 90,
                Speed = 20 + _random.Next(50),
                Odometer = 5_000 + _random.Next(80_000),
                Fuel = 30 + _random.Next(70),
                DriverPhone = _random.Next(3) == 0 ? _ids.Phone() : null,
            };
            Vehicles.Add(new SyntheticSubject(SubjectType.Vin, vehicles[i].Vin, PickConsent(allowMinor: false)));
        }

        var visitors = new VisitorState[visitorCount];
        for (int i = 0; i < visitorCount; i++)
        {
            int mode = _random.Next(10);
            var v = new VisitorState
            {
                Mac = _ids.Mac(randomized: _random.Next(2) == 0),
                Phone = mode < 5 ? _ids.Phone() : null,
                DeviceId = mode is >= 5 and < 7 ? (_random.Next(2) == 0 ? _ids.Imei() : _ids.AppDeviceId()) : null,
                Outlet = _random.Next(Outlets.Length),
            };
            visitors[i] = v;
            (SubjectType type, string id) = v.Phone is not null ? (SubjectType.Phone, v.Phone)
                : v.DeviceId is not null ? (SubjectType.DeviceId, v.DeviceId)
                : (SubjectType.Mac, v.Mac);
            Visitors.Add(new SyntheticSubject(type, id, PickConsent(allowMinor: true)));
        }

        TelematicsMessages = new byte[telematicsMessages][];
        int[] order = Shuffled(vehicleCount);
        for (int n = 0; n < telematicsMessages; n++)
        {
            if (n > 0 && n % vehicleCount == 0)
            {
                order = Shuffled(vehicleCount);
            }

            TelematicsMessages[n] = Telematics(vehicles[order[n % vehicleCount]], TimeOf(n, telematicsMessages), n);
        }

        WifiMessages = new byte[wifiMessages][];
        order = Shuffled(visitorCount);
        for (int n = 0; n < wifiMessages; n++)
        {
            if (n > 0 && n % visitorCount == 0)
            {
                order = Shuffled(visitorCount);
            }

            WifiMessages[n] = Wifi(visitors[order[n % visitorCount]], TimeOf(n, wifiMessages), n);
        }
    }

    private static long TimeOf(int n, int count) => StartMillis + (SpanMillis * n / Math.Max(1, count));

    private byte[] Telematics(VehicleState v, long time, int n)
    {
        v.Step(_random);
        var e = new TelematicsEventData
        {
            EventId = "t-" + n.ToString(CultureInfo.InvariantCulture),
            Vin = v.Vin,
            DeviceId = v.Imei,
            EventTime = time,
            Location = _random.Next(20) == 0 ? null : new GeoLocationData(v.Lat, v.Lon, (float)v.Speed, v.Heading, 4 + (float)_random.NextDouble()),
            Status = new VehicleStatusData(Math.Round(v.Odometer, 1), (float)Math.Round(v.Fuel, 1), 12.2f + (float)(_random.NextDouble() * 2), v.Speed > 0,
                _random.Next(40) == 0 ? [DtcPool[_random.Next(DtcPool.Length)]] : []),
            Driver = v.DriverPhone is null ? null : new DriverData("Driver " + (n % 97), v.DriverPhone, "31010119900101" + (1000 + (n % 9000))),
        };
        return e.ToMessage();
    }

    private byte[] Wifi(VisitorState v, long time, int n)
    {
        var outlet = Outlets[v.Outlet];
        int domains = _random.Next(4);
        var visited = new List<string>(domains);
        for (int i = 0; i < domains; i++)
        {
            visited.Add(Domains[_random.Next(Domains.Length)]);
        }

        (double lat, double lon) = Around(outlet.Lat, outlet.Lon, 40);
        var e = new WifiEventData
        {
            EventId = "w-" + n.ToString(CultureInfo.InvariantCulture),
            GatewayId = outlet.Gateway,
            OutletId = outlet.Id,
            EventTime = time,
            ClientMac = v.Mac,
            PhoneNumber = v.Phone,
            DeviceId = v.DeviceId,
            Location = new GeoLocationData(lat, lon),
            Rssi = -40 - _random.Next(50),
            VisitedDomains = visited,
            DwellSeconds = _random.Next(3) == 0 ? 60 * (5 + _random.Next(90)) : null,
        };
        return e.ToMessage();
    }

    private ConsentMix PickConsent(bool allowMinor)
    {
        if (allowMinor && _random.Next(50) == 0)
        {
            return ConsentMix.Minor;
        }

        return _random.Next(20) switch
        {
            < 10 => ConsentMix.All,
            < 14 => ConsentMix.PositioningOnly,
            < 18 => ConsentMix.None,
            _ => ConsentMix.WithdrewPersonalization,
        };
    }

    private int[] Shuffled(int count)
    {
        int[] order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        _random.Shuffle(order);
        return order;
    }

    private (double Lat, double Lon) Around(double lat, double lon, double radiusMetres)
    {
        double r = radiusMetres * Math.Sqrt(_random.NextDouble());
        double a = _random.NextDouble() * 2 * Math.PI;
        return (lat + (r * Math.Cos(a) / MetresPerDegreeLat), lon + (r * Math.Sin(a) / (MetresPerDegreeLat * Math.Cos(lat * Math.PI / 180))));
    }

    private sealed class VehicleState
    {
        public required string Vin { get; init; }
        public required string Imei { get; init; }
        public double Lat { get; set; }
        public double Lon { get; set; }
        public float Heading { get; set; }
        public double Speed { get; set; }
        public double Odometer { get; set; }
        public double Fuel { get; set; }
        public string? DriverPhone { get; init; }

        /// <summary>Drives a block along a street grid: straight on, sometimes turning, sometimes stopping.</summary>
        public void Step(Random random)
        {
            if (random.Next(8) == 0)
            {
                Heading = (Heading + (random.Next(2) == 0 ? 90 : 270)) % 360;
            }

            Speed = random.Next(12) == 0 ? 0 : Math.Clamp(Speed + random.Next(-10, 11), 5, 90);
            double metres = Speed / 3.6 * 5;
            double rad = Heading * Math.PI / 180;
            Lat += metres * Math.Cos(rad) / MetresPerDegreeLat;
            Lon += metres * Math.Sin(rad) / (MetresPerDegreeLat * Math.Cos(Lat * Math.PI / 180));
            Odometer += metres / 1000;
            Fuel = Fuel < 8 ? 95 : Fuel - (metres / 20_000);
        }
    }

    private sealed class VisitorState
    {
        public required string Mac { get; init; }
        public string? Phone { get; init; }
        public string? DeviceId { get; init; }
        public int Outlet { get; init; }
    }
}
