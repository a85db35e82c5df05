using Sieve.Core.Privacy;
using Sieve.Simulation;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Testing.Privacy;

namespace Sieve.Testing.EndToEnd;

/// <summary>
/// A data subject of a test: a vehicle (telematics events, consent by VIN) or a dealer Wi-Fi visitor (Wi-Fi events,
/// consent by phone, else device id, else MAC), with every raw identifier its events carry.
/// </summary>
internal sealed class TestSubject
{
    private static readonly (double Lat, double Lon)[] Outlets = [(31.2213, 121.5447), (31.1127, 121.3817), (31.2290, 121.4480)];

    public required string Label { get; init; }

    public required SubjectType Type { get; init; }

    /// <summary>The identifier consent is given for, as typed.</summary>
    public required string Id { get; init; }

    public bool IsVehicle => Type == SubjectType.Vin && Mac is null;

    public string? Imei { get; init; }

    public DriverData? Driver { get; init; }

    public string? Mac { get; init; }

    public string? Phone { get; init; }

    public string? DeviceId { get; init; }

    /// <summary>The partition of the raw topic its events go to.</summary>
    public int Partition { get; set; }

    /// <summary>Purposes granted (effective before any event).</summary>
    public HashSet<string> Grants { get; } = new(StringComparer.Ordinal);

    /// <summary>Purposes withdrawn.</summary>
    public HashSet<string> Withdrawals { get; } = new(StringComparer.Ordinal);

    public bool Minor { get; set; }

    /// <summary>The identifier in the form the pipeline keys it by.</summary>
    public string Normalized => RawIdentifierScanner.Normalized(KindOf(Type, Id), Id) ?? throw new InvalidOperationException(Label + " has no valid identifier.");

    public string RawTopic(PipelineTopics topics) => IsVehicle ? topics.TelematicsRaw : topics.WifiRaw;

    /// <summary>Every raw identifier its events and consent changes carry.</summary>
    public IEnumerable<(IdentifierKind Kind, string Value)> Identifiers()
    {
        yield return (KindOf(Type, Id), Id);
        if (Imei is not null)
        {
            yield return (IdentifierKind.Imei, Imei);
        }

        if (Driver is not null)
        {
            yield return (IdentifierKind.DriverName, Driver.Name!);
            yield return (IdentifierKind.Phone, Driver.PhoneNumber!);
            yield return (IdentifierKind.LicenceNumber, Driver.LicenseNumber!);
        }

        if (Mac is not null && Type != SubjectType.Mac)
        {
            yield return (IdentifierKind.Mac, Mac);
        }

        if (DeviceId is not null && Type != SubjectType.DeviceId)
        {
            yield return (IdentifierKind.DeviceId, DeviceId);
        }
    }

    /// <summary>One raw event (single-object encoded) at <paramref name="eventTime"/>.</summary>
    public byte[] Event(string eventId, long eventTime, int sequence)
    {
        if (IsVehicle)
        {
            return new TelematicsEventData
            {
                EventId = eventId,
                Vin = Id,
                DeviceId = Imei!,
                EventTime = eventTime,
                Location = new GeoLocationData(31.2304 + (sequence * 0.0001), 121.4737 + (sequence * 0.0001), 42.5f, 90f, 4.2f),
                Status = new VehicleStatusData(12_345.6 + sequence, 55.5f, 12.6f, true, []),
                Driver = Driver,
            }.ToMessage();
        }

        (double lat, double lon) = Outlets[sequence % Outlets.Length];
        return new WifiEventData
        {
            EventId = eventId,
            GatewayId = "gw-pd-01",
            OutletId = "SH-PD-001",
            EventTime = eventTime,
            ClientMac = Mac!,
            PhoneNumber = Phone,
            DeviceId = DeviceId,
            Location = new GeoLocationData(lat, lon),
            Rssi = -55,
            VisitedDomains = ["autohome.com.cn", "jd.com"],
            DwellSeconds = 900,
        }.ToMessage();
    }

    /// <summary>A consent change of this subject; a grant with <paramref name="expiresAt"/> lapses then (exclusive).</summary>
    public ConsentChangeData Change(string purpose, bool granted, long effectiveTime, bool minor = false, long? expiresAt = null) => new()
    {
        SubjectType = Type,
        SubjectId = Id,
        Purpose = purpose,
        Granted = granted,
        EffectiveTime = effectiveTime,
        PolicyVersion = "2026-11-01",
        Minor = minor,
        ExpiresAt = expiresAt,
    };

    /// <summary>The changes that set up <see cref="Grants"/>, <see cref="Withdrawals"/> and <see cref="Minor"/>.</summary>
    public IEnumerable<ConsentChangeData> InitialChanges(long effectiveTime)
    {
        foreach (string purpose in Grants)
        {
            yield return Change(purpose, granted: true, effectiveTime, Minor);
        }

        foreach (string purpose in Withdrawals)
        {
            yield return Change(purpose, granted: false, effectiveTime, Minor);
        }
    }

    public override string ToString() => Label;

    private static IdentifierKind KindOf(SubjectType type, string id) => type switch
    {
        SubjectType.Vin => IdentifierKind.Vin,
        SubjectType.Phone => IdentifierKind.Phone,
        SubjectType.Mac => IdentifierKind.Mac,
        _ => id.Length == 15 && id.All(char.IsAsciiDigit) ? IdentifierKind.Imei : IdentifierKind.DeviceId,
    };
}

/// <summary>Makes test subjects with well-formed synthetic identifiers.</summary>
internal sealed class TestFleet(int seed)
{
    private readonly SyntheticIdentities _ids = new(seed);
    private readonly List<TestSubject> _all = [];
    private int _drivers;

    public IReadOnlyList<TestSubject> All => _all;

    public TestSubject Vehicle(string label, bool withDriver = false, params string[] grants)
    {
        TestSubject subject = Add(new TestSubject
        {
            Label = label,
            Type = SubjectType.Vin,
            Id = _ids.Vin(),
            Imei = _ids.Imei(),
            Driver = withDriver ? NextDriver() : null,
        });
        subject.Grants.UnionWith(grants);
        return subject;
    }

    public TestSubject PhoneVisitor(string label, params string[] grants)
    {
        string phone = _ids.Phone();
        TestSubject subject = Add(new TestSubject { Label = label, Type = SubjectType.Phone, Id = phone, Phone = phone, Mac = _ids.Mac(randomized: true) });
        subject.Grants.UnionWith(grants);
        return subject;
    }

    public TestSubject DeviceVisitor(string label, params string[] grants)
    {
        string device = _ids.AppDeviceId();
        TestSubject subject = Add(new TestSubject { Label = label, Type = SubjectType.DeviceId, Id = device, DeviceId = device, Mac = _ids.Mac(randomized: false) });
        subject.Grants.UnionWith(grants);
        return subject;
    }

    public TestSubject MacVisitor(string label, params string[] grants)
    {
        string mac = _ids.Mac(randomized: false);
        TestSubject subject = Add(new TestSubject { Label = label, Type = SubjectType.Mac, Id = mac, Mac = mac });
        subject.Grants.UnionWith(grants);
        return subject;
    }

    /// <summary>A scanner for every identifier of every subject, plus <paramref name="extra"/>.</summary>
    public RawIdentifierScanner Scanner(params (IdentifierKind Kind, string Value)[] extra) =>
        new([.. _all.SelectMany(s => s.Identifiers()), .. extra]);

    private TestSubject Add(TestSubject subject)
    {
        _all.Add(subject);
        return subject;
    }

    private DriverData NextDriver()
    {
        int n = ++_drivers;
        return new DriverData("Zhang Weiming " + n, _ids.Phone(), "31010119900101" + (1000 + (n * 37)).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>The purposes of the shipped policy, in plan order.</summary>
internal static class PolicyPurposes
{
    public static readonly IReadOnlyList<string> All = [KnownPurposes.Positioning, KnownPurposes.Personalization, KnownPurposes.Analytics, KnownPurposes.Quality, KnownPurposes.Marketing];

    /// <summary>
    /// The consent stage's outcome for every event of <paramref name="subject"/> under the shipped policy (no withdrawal,
    /// no erasure): quality takes only vehicles and needs no consent (legal obligation), marketing takes only visitors.
    /// </summary>
    public static Sieve.Core.Pipeline.Outcome Expected(TestSubject subject, string purpose) =>
        (purpose, subject.IsVehicle) switch
        {
            (KnownPurposes.Quality, false) or (KnownPurposes.Marketing, true) => Sieve.Core.Pipeline.Outcome.WithheldNotApplicable,
            _ when subject.Minor => Sieve.Core.Pipeline.Outcome.WithheldMinor,
            (KnownPurposes.Analytics, _) => Sieve.Core.Pipeline.Outcome.HeldForRelease,
            (KnownPurposes.Quality, true) => Sieve.Core.Pipeline.Outcome.Forwarded,
            _ => subject.Grants.Contains(purpose) ? Sieve.Core.Pipeline.Outcome.Forwarded : Sieve.Core.Pipeline.Outcome.WithheldNoConsent,
        };
}
