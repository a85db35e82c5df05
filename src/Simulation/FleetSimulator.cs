using System.Text;
using Sieve.Contracts;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;

namespace Sieve.Simulation;

/// <summary>Sizes and mix of the simulated population.</summary>
public sealed class FleetOptions
{
    /// <summary>Vehicles unless set otherwise.</summary>
    public const int DefaultVehicles = 300;
    /// <summary>Visitors unless set otherwise.</summary>
    public const int DefaultVisitors = 200;
    /// <summary>Vehicles with telematics units.</summary>
    public int Vehicles { get; set; } = DefaultVehicles;
    /// <summary>People seen by dealer Wi-Fi.</summary>
    public int Visitors { get; set; } = DefaultVisitors;
    /// <summary>One input in this many is deliberately bad (0: none).</summary>
    public int BadInputEvery { get; set; } = 250;
    /// <summary>Random seed.</summary>
    public int Seed { get; set; } = 2026;
}

/// <summary>
/// A simulated fleet in Shanghai and visitors at dealer outlets, with a consent mix: some subjects consent to
/// everything, some only to positioning, some to nothing; a few Wi-Fi visitors are minors; and a wave of
/// marketing-style opt-outs (personalization withdrawals) can be triggered mid-run.
/// </summary>
public sealed class FleetSimulator
{
    private const double MetresPerDegreeLat = 111_320;
    private const long InitialConsentLeadMillis = 3_600_000;
    private static readonly (string Id, string Gateway, double Lat, double Lon)[] Outlets =
    [
        ("SH-PD-001", "gw-pd-01", 31.2213, 121.5447),
        ("SH-MH-002", "gw-mh-01", 31.1127, 121.3817),
        ("SH-JA-003", "gw-ja-01", 31.2290, 121.4480),
        ("SH-BS-004", "gw-bs-01", 31.4046, 121.4894),
        ("SH-SJ-005", "gw-sj-01", 31.0322, 121.2276),
    ];

    private static readonly string[] Domains =
    [
        "autohome.com.cn", "m.autohome.com.cn", "dongchedi.com", "yiche.com", "ctrip.com", "qunar.com", "taobao.com",
        "jd.com", "eastmoney.com", "sina.com.cn", "bilibili.com", "iqiyi.com", "meituan.com", "dianping.com",
        "example-unmapped.cn", "weather.com.cn",
    ];

    private static readonly string[] DtcPool = ["P0301", "P0420", "P0171", "U0100", "B1342", "C0035"];
    private readonly Random _random;
    private readonly FleetOptions _options;
    private readonly List<Vehicle> _vehicles = [];
    private readonly List<Visitor> _visitors = [];
    private long _sequence;

    /// <summary>Builds the population.</summary>
    public FleetSimulator(FleetOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        var ids = new SyntheticIdentities(options.Seed);
        for (int i = 0; i < options.Vehicles; i++)
        {
            (double lat, double lon) = Around(31.2304, 121.4737, 15_000);
            _vehicles.Add(new Vehicle
            {
                Vin = ids.Vin(),
                Imei = ids.Imei(),
                Lat = lat,
                Lon = lon,
                Heading = _random.Next(4) * 90,
                Speed = 20 + _random.Next(50),
                Odometer = 5_000 + _random.Next(80_000),
                Fuel = 30 + _random.Next(70),
                Consent = Pick(_random),
                DriverPhone = _random.Next(3) == 0 ? ids.Phone() : null,
            });
        }

        for (int i = 0; i < options.Visitors; i++)
        {
            int mode = _random.Next(10);
            _visitors.Add(new Visitor
            {
                Mac = ids.Mac(randomized: _random.Next(2) == 0),
                Phone = mode < 5 ? ids.Phone() : null,
                DeviceId = mode is >= 5 and < 7 ? (_random.Next(2) == 0 ? ids.Imei() : ids.AppDeviceId()) : null,
                Outlet = _random.Next(Outlets.Length),
                Consent = Pick(_random),
                Minor = mode < 5 && _random.Next(25) == 0,
            });
        }
    }

    /// <summary>Subjects (vehicles and visitors) in the population.</summary>
    public int SubjectCount => _vehicles.Count + _visitors.Count;

    /// <summary>Consent decisions the population made before the run (effective an hour before <paramref name="nowMillis"/>).</summary>
    public IEnumerable<ConsentChangeData> InitialConsent(long nowMillis)
    {
        long effective = nowMillis - InitialConsentLeadMillis;
        foreach (Vehicle v in _vehicles)
        {
            foreach (ConsentChangeData c in Grants(SubjectType.Vin, v.Vin, v.Consent, minor: false, effective))
            {
                yield return c;
            }
        }

        foreach (Visitor p in _visitors)
        {
            (SubjectType type, string id) = p.Subject;
            foreach (ConsentChangeData c in Grants(type, id, p.Consent, p.Minor, effective))
            {
                yield return c;
            }
        }
    }

    /// <summary>
    /// A wave of opt-outs: roughly one in five subjects who granted personalization withdraws it now (visitors
    /// unsubscribe from marketing with it).
    /// Returns how many withdrew.
    /// </summary>
    public List<ConsentChangeData> WithdrawalWave(long nowMillis)
    {
        var changes = new List<ConsentChangeData>();
        foreach (Vehicle v in _vehicles)
        {
            if (v.Consent == ConsentMix.All && _random.Next(5) == 0)
            {
                v.Consent = ConsentMix.PositioningOnly;
                changes.Add(Change(SubjectType.Vin, v.Vin, KnownPurposes.Personalization, granted: false, minor: false, nowMillis));
            }
        }

        foreach (Visitor p in _visitors)
        {
            if (p.Consent == ConsentMix.All && _random.Next(5) == 0)
            {
                p.Consent = ConsentMix.PositioningOnly;
                (SubjectType type, string id) = p.Subject;
                changes.Add(Change(type, id, KnownPurposes.Personalization, granted: false, p.Minor, nowMillis));
                changes.Add(Change(type, id, KnownPurposes.Marketing, granted: false, p.Minor, nowMillis));
            }
        }

        return changes;
    }

    /// <summary>
    /// The vehicles as telematics units that report over Teltonika TCP (same IMEIs and VINs, so the consent decisions
    /// of <see cref="InitialConsent"/> apply to what they send). Their trips stop at the dealer outlets for a dwell; every third vehicle starts on the approach to an outlet, a few
    /// hundred metres out, so that stops happen within a short run too.
    /// </summary>
    public List<SimulatedVehicle> DeviceVehicles()
    {
        var devices = new List<SimulatedVehicle>(_vehicles.Count);
        for (int i = 0; i < _vehicles.Count; i++)
        {
            Vehicle v = _vehicles[i];
            (double lat, double lon) = (v.Lat, v.Lon);
            if (i % 3 == 0)
            {
                var outlet = Outlets[i / 3 % Outlets.Length];
                double metres = 150 + _random.Next(300);
                lat = outlet.Lat + ((_random.Next(2) == 0 ? 1 : -1) * metres / MetresPerDegreeLat);
                lon = outlet.Lon;
            }

            devices.Add(new SimulatedVehicle(v.Imei, v.Vin, lat, lon, _random, OutletLocations));
        }

        return devices;
    }

    /// <summary>Where the dealer outlets are.</summary>
    public static IReadOnlyList<(double Latitude, double Longitude)> OutletLocations { get; } = [.. Outlets.Select(o => (o.Lat, o.Lon))];

    /// <summary>
    /// Visitors seen by gateways that post to Ingest over HTTP: those who logged in with a phone number (captive
    /// portal) and those known only by their MAC (Meraki), each at <paramref name="outlet"/>'s location. Visitors with
    /// an app device id stay on the direct feed.
    /// </summary>
    public List<WifiSighting> GatewayVisitors(int outlet)
    {
        var result = new List<WifiSighting>();
        (_, _, double lat, double lon) = Outlets[outlet];
        foreach (Visitor p in _visitors)
        {
            if (p.DeviceId is null)
            {
                result.Add(new WifiSighting(p.Mac, p.Phone, lat, lon, -40 - _random.Next(50)));
            }
        }

        return result;
    }

    /// <summary>The outlet id and gateway id of outlet <paramref name="index"/>.</summary>
    public static (string OutletId, string GatewayId) Outlet(int index) => (Outlets[index].Id, Outlets[index].Gateway);

    /// <summary>
    /// The next record of the feeds that still produce straight to Kafka, stamped <paramref name="nowMillis"/>:
    /// Wi-Fi events of a dealer feed, and, one in <c>BadInputEvery / 3</c>, a deliberately bad telematics record
    /// from a misbehaving producer.
    /// </summary>
    public RawMessage NextDirect(long nowMillis)
    {
        long n = ++_sequence;
        int every = _options.BadInputEvery <= 0 ? 0 : Math.Max(1, _options.BadInputEvery / 3);
        if (every > 0 && n % every == 0)
        {
            return Bad(nowMillis, n);
        }

        return Wifi(_visitors[_random.Next(_visitors.Count)], nowMillis, n);
    }

    /// <summary>The next raw event, stamped <paramref name="nowMillis"/>. Two in three are telematics.</summary>
    public RawMessage Next(long nowMillis)
    {
        long n = ++_sequence;
        if (_options.BadInputEvery > 0 && n % _options.BadInputEvery == 0)
        {
            return Bad(nowMillis, n);
        }

        return _random.Next(3) < 2 ? Telematics(_vehicles[_random.Next(_vehicles.Count)], nowMillis, n) : Wifi(_visitors[_random.Next(_visitors.Count)], nowMillis, n);
    }

    private RawMessage Telematics(Vehicle v, long now, long n)
    {
        v.Step(_random);
        var e = new TelematicsEventData
        {
            EventId = "t-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Vin = v.Vin,
            DeviceId = v.Imei,
            EventTime = now,
            Location = _random.Next(20) == 0 ? null : new GeoLocationData(v.Lat, v.Lon, (float)v.Speed, v.Heading, 4 + (float)_random.NextDouble()),
            Status = new VehicleStatusData(Math.Round(v.Odometer, 1), (float)Math.Round(v.Fuel, 1), 12.2f + (float)(_random.NextDouble() * 2), v.Speed > 0,
                _random.Next(40) == 0 ? [DtcPool[_random.Next(DtcPool.Length)]] : []),
            Driver = v.DriverPhone is null ? null : new DriverData("Driver " + (n % 97), v.DriverPhone, "31010119900101" + (1000 + (n % 9000))),
        };
        return new RawMessage(Topics.TelematicsRaw, Encoding.UTF8.GetBytes(v.Vin), e.ToMessage());
    }

    private RawMessage Wifi(Visitor p, long now, long n)
    {
        var outlet = Outlets[p.Outlet];
        int domains = _random.Next(4);
        var visited = new List<string>(domains);
        for (int i = 0; i < domains; i++)
        {
            visited.Add(Domains[_random.Next(Domains.Length)]);
        }

        (double lat, double lon) = Around(outlet.Lat, outlet.Lon, 40);
        var e = new WifiEventData
        {
            EventId = "w-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture),
            GatewayId = outlet.Gateway,
            OutletId = outlet.Id,
            EventTime = now,
            ClientMac = p.Mac,
            PhoneNumber = p.Phone,
            DeviceId = p.DeviceId,
            Location = new GeoLocationData(lat, lon),
            Rssi = -40 - _random.Next(50),
            VisitedDomains = visited,
            DwellSeconds = _random.Next(3) == 0 ? 60 * (5 + _random.Next(90)) : null,
        };
        return new RawMessage(Topics.WifiRaw, Encoding.UTF8.GetBytes(p.Subject.Id), e.ToMessage());
    }

    private RawMessage Bad(long now, long n)
    {
        Vehicle v = _vehicles[_random.Next(_vehicles.Count)];
        RawMessage good = Telematics(v, now, n);
        byte[] value = (byte[])good.Value.Clone();
        switch (_random.Next(5))
        {
            case 0:
                value = value[..(value.Length / 2)]; // truncated
                break;
            case 1:
                value[4] ^= 0x5A; // a writer schema nobody registered
                break;
            case 2:
                value = new TelematicsEventData { EventId = "t-" + n, Vin = v.Vin[..8] + (v.Vin[8] == '0' ? '1' : '0') + v.Vin[9..], DeviceId = v.Imei, EventTime = now }.ToMessage();
                break;
            case 3:
                value = new TelematicsEventData { EventId = "t-" + n, Vin = v.Vin, DeviceId = v.Imei, EventTime = now, Location = new GeoLocationData(95.0, 121.4) }.ToMessage();
                break;
            default:
                value = new TelematicsEventData { EventId = "", Vin = v.Vin, DeviceId = v.Imei, EventTime = now }.ToMessage();
                break;
        }

        return good with { Value = value };
    }

    /// <summary>
    /// The demo's consent mix for other <paramref name="subjects"/> (those of <c>sieve load</c>, say), drawn as
    /// <see cref="InitialConsent"/> draws it: half consent to everything, one in five to positioning only, the rest to
    /// nothing; from <paramref name="seed"/>, effective an hour before <paramref name="nowMillis"/>. No subject is a minor.
    /// </summary>
    public static IEnumerable<ConsentChangeData> DemoConsent(IEnumerable<(SubjectType Type, string Id)> subjects, int seed, long nowMillis)
    {
        ArgumentNullException.ThrowIfNull(subjects);
        var random = new Random(seed);
        long effective = nowMillis - InitialConsentLeadMillis;
        foreach ((SubjectType type, string id) in subjects)
        {
            foreach (ConsentChangeData c in Grants(type, id, Pick(random), minor: false, effective))
            {
                yield return c;
            }
        }
    }

    private static ConsentMix Pick(Random random) => random.Next(10) switch
    {
        < 5 => ConsentMix.All,
        < 7 => ConsentMix.PositioningOnly,
        _ => ConsentMix.None,
    };

    private static IEnumerable<ConsentChangeData> Grants(SubjectType type, string id, ConsentMix mix, bool minor, long effective)
    {
        if (mix == ConsentMix.None)
        {
            if (minor)
            {
                yield return Change(type, id, KnownPurposes.Positioning, granted: false, minor, effective);
            }

            yield break;
        }

        yield return Change(type, id, KnownPurposes.Positioning, granted: true, minor, effective);
        if (mix == ConsentMix.All)
        {
            yield return Change(type, id, KnownPurposes.Personalization, granted: true, minor, effective);
            yield return Change(type, id, KnownPurposes.Marketing, granted: true, minor, effective);
        }
    }

    private static ConsentChangeData Change(SubjectType type, string id, string purpose, bool granted, bool minor, long effective) => new()
    {
        SubjectType = type,
        SubjectId = id,
        Purpose = purpose,
        Granted = granted,
        EffectiveTime = effective,
        PolicyVersion = "2026-11-01",
        Minor = minor,
    };

    private (double Lat, double Lon) Around(double lat, double lon, double radiusMetres)
    {
        double r = radiusMetres * Math.Sqrt(_random.NextDouble());
        double a = _random.NextDouble() * 2 * Math.PI;
        return (lat + (r * Math.Cos(a) / MetresPerDegreeLat), lon + (r * Math.Sin(a) / (MetresPerDegreeLat * Math.Cos(lat * Math.PI / 180))));
    }

    private enum ConsentMix
    {
        All,
        PositioningOnly,
        None,
    }

    private sealed class Vehicle
    {
        public required string Vin { get; init; }
        public required string Imei { get; init; }
        public double Lat { get; set; }
        public double Lon { get; set; }
        public float Heading { get; set; }
        public double Speed { get; set; }
        public double Odometer { get; set; }
        public double Fuel { get; set; }
        public ConsentMix Consent { get; set; }
        public string? DriverPhone { get; init; }

        /// <summary>Drives a block along a street grid: straight on, sometimes turning, sometimes stopping.</summary>
        public void Step(Random random)
        {
            if (random.Next(8) == 0)
            {
                Heading = (Heading + (random.Next(2) == 0 ? 90 : 270)) % 360;
            }

            Speed = random.Next(12) == 0 ? 0 : Math.Clamp(Speed + random.Next(-10, 11), 5, 90);
            double metres = Speed / 3.6 * 5; // five seconds of driving per report
            double rad = Heading * Math.PI / 180;
            Lat += metres * Math.Cos(rad) / MetresPerDegreeLat;
            Lon += metres * Math.Sin(rad) / (MetresPerDegreeLat * Math.Cos(Lat * Math.PI / 180));
            Odometer += metres / 1000;
            Fuel = Fuel < 8 ? 95 : Fuel - (metres / 20_000);
        }
    }

    private sealed class Visitor
    {
        public required string Mac { get; init; }
        public string? Phone { get; init; }
        public string? DeviceId { get; init; }
        public int Outlet { get; init; }
        public ConsentMix Consent { get; set; }
        public bool Minor { get; init; }

        public (SubjectType Type, string Id) Subject =>
            Phone is not null ? (SubjectType.Phone, Phone) : DeviceId is not null ? (SubjectType.DeviceId, DeviceId) : (SubjectType.Mac, Mac);
    }
}
