using System.Globalization;
using Sieve.Simulation;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Core.Consent;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Testing.Allocation;

/// <summary>What a test subject agreed to (effective long before its events).</summary>
internal enum TestConsent
{
    All,
    PositioningOnly,
    None,
    WithdrewPersonalization,
    Minor,
}

/// <summary>One encoded raw event and the index of its subject.</summary>
internal readonly record struct TestEvent(InputKind Kind, byte[] Message, int Subject);

/// <summary>
/// A <see cref="MinimizerCore"/> brought to steady state the way the engine does it: each event is processed, a
/// <see cref="ProcessStatus.NeedsConsent"/> answer hands back the subject's consent key, the subject's decisions are
/// stored and fetched into the near-cache, and the event is processed again. Subjects cycle through every
/// <see cref="TestConsent"/>, so the events cover forwarding to all three purposes and every withheld reason.
/// </summary>
internal sealed class SteadyStateCore : IDisposable
{
    /// <summary>2026-11-25T01:00:00Z; events stay within that UTC day, as a day's traffic does.</summary>
    public const long StartMillis = 1_795_568_400_000;

    private const long GrantedMillis = StartMillis - (30L * 86_400_000);
    private const string PolicyVersion = "2026-11-01";
    private static readonly string[] Domains = ["autohome.com.cn", "m.dongchedi.com", "ctrip.com", "jd.com", "bilibili.com", "example-unmapped.cn"];

    private readonly InMemoryConsentStore _store = new();
    private readonly List<TestConsent> _subjects = [];
    private readonly HashSet<int> _stored = [];

    public SteadyStateCore(int vehicles, int visitors, int events)
    {
        Cache = new ConsentCache(_store, new ConsentCacheOptions { Capacity = 4 * (vehicles + visitors), MaxEntryAge = TimeSpan.FromDays(3650) });
        Core = new MinimizerCore(PolicyLoader.LoadDefault(), new PseudonymKeyFactory(MasterKeyRing.CreateDemo()), Cache, 2 * (vehicles + visitors));
        Events = Generate(vehicles, visitors, events);
    }

    public ConsentCache Cache { get; }

    public MinimizerCore Core { get; }

    /// <summary>Telematics and Wi-Fi events, interleaved two to one.</summary>
    public TestEvent[] Events { get; }

    /// <summary>Consent stored for this subject.</summary>
    public TestConsent ConsentOf(int subject) => _subjects[subject];

    /// <summary>Processes every event once, loading consent on demand. Every event must end up processed.</summary>
    public async Task WarmUpAsync()
    {
        var outcomes = new Outcome[Core.Plans.Count];
        foreach (TestEvent e in Events)
        {
            ProcessStatus status = Core.Process(e.Kind, e.Message, null, outcomes, out _, out string? consentKey);
            if (status == ProcessStatus.NeedsConsent)
            {
                Assert.NotNull(consentKey);
                await StoreConsentAsync(e.Subject, consentKey);
                await Cache.FetchAsync([consentKey]);
                status = Core.Process(e.Kind, e.Message, null, outcomes, out _, out _);
            }

            Assert.Equal(ProcessStatus.Processed, status);
        }
    }

    public void Dispose()
    {
        Core.Dispose();
        Cache.Dispose();
    }

    private async Task StoreConsentAsync(int subject, string key)
    {
        if (!_stored.Add(subject))
        {
            return;
        }

        int positioning = KnownPurposes.IndexOf(KnownPurposes.Positioning);
        int personalization = KnownPurposes.IndexOf(KnownPurposes.Personalization);
        int marketing = KnownPurposes.IndexOf(KnownPurposes.Marketing);
        switch (_subjects[subject])
        {
            case TestConsent.All:
                await _store.ApplyAsync(new ConsentUpdate(key, positioning, true, GrantedMillis, PolicyVersion, minor: false));
                await _store.ApplyAsync(new ConsentUpdate(key, personalization, true, GrantedMillis, PolicyVersion, minor: false));
                await _store.ApplyAsync(new ConsentUpdate(key, marketing, true, GrantedMillis, PolicyVersion, minor: false));
                break;
            case TestConsent.PositioningOnly:
                await _store.ApplyAsync(new ConsentUpdate(key, positioning, true, GrantedMillis, PolicyVersion, minor: false));
                break;
            case TestConsent.WithdrewPersonalization:
                await _store.ApplyAsync(new ConsentUpdate(key, positioning, true, GrantedMillis, PolicyVersion, minor: false));
                await _store.ApplyAsync(new ConsentUpdate(key, personalization, true, GrantedMillis, PolicyVersion, minor: false));
                await _store.ApplyAsync(new ConsentUpdate(key, personalization, false, GrantedMillis + 86_400_000, PolicyVersion, minor: false));
                break;
            case TestConsent.Minor:
                await _store.ApplyAsync(new ConsentUpdate(key, positioning, true, GrantedMillis, PolicyVersion, minor: true));
                break;
        }
    }

    private TestEvent[] Generate(int vehicles, int visitors, int count)
    {
        var ids = new SyntheticIdentities(7);
        var random = new Random(7);
        var vins = new string[vehicles];
        var imeis = new string[vehicles];
        for (int i = 0; i < vehicles; i++)
        {
            vins[i] = ids.Vin();
            imeis[i] = ids.Imei();
            _subjects.Add((TestConsent)(i % 4)); // vehicles are never minors
        }

        var visitorIds = new (string Mac, string? Phone, string? DeviceId)[visitors];
        for (int i = 0; i < visitors; i++)
        {
            visitorIds[i] = (i % 3) switch
            {
                0 => (ids.Mac(randomized: true), ids.Phone(), null),
                1 => (ids.Mac(randomized: false), null, ids.Imei()),
                _ => (ids.Mac(randomized: i % 2 == 0), null, null),
            };
            _subjects.Add((TestConsent)(i % 5));
        }

        var events = new TestEvent[count];
        for (int n = 0; n < count; n++)
        {
            long time = StartMillis + (n * 1_000L);
            string eventId = "e-" + n.ToString(CultureInfo.InvariantCulture);
            if (n % 3 != 2)
            {
                int v = random.Next(vehicles);
                var e = new TelematicsEventData
                {
                    EventId = eventId,
                    Vin = vins[v],
                    DeviceId = imeis[v],
                    EventTime = time,
                    Location = n % 17 == 0 ? null : new GeoLocationData(31.0 + random.NextDouble(), 121.0 + random.NextDouble(), random.Next(3) == 0 ? null : random.Next(120), 90f * random.Next(4), 4.5f),
                    Status = n % 11 == 0 ? null : new VehicleStatusData(10_000 + random.Next(90_000), random.Next(100), 12.5f, random.Next(2) == 0,
                        n % 7 == 0 ? ["P0301", "U0100"] : []),
                    Driver = n % 5 == 0 ? new DriverData("Driver", "13800138000", "310101199001011234") : null,
                };
                events[n] = new TestEvent(InputKind.Telematics, e.ToMessage(), v);
            }
            else
            {
                int p = random.Next(visitors);
                int domains = random.Next(4);
                var visited = new List<string>(domains);
                for (int d = 0; d < domains; d++)
                {
                    visited.Add(Domains[random.Next(Domains.Length)]);
                }

                var e = new WifiEventData
                {
                    EventId = eventId,
                    GatewayId = "gw-pd-01",
                    OutletId = "SH-PD-001",
                    EventTime = time,
                    ClientMac = visitorIds[p].Mac,
                    PhoneNumber = visitorIds[p].Phone,
                    DeviceId = visitorIds[p].DeviceId,
                    Location = n % 13 == 0 ? null : new GeoLocationData(31.2213 + (random.NextDouble() / 1000), 121.5447 + (random.NextDouble() / 1000)),
                    Rssi = -40 - random.Next(50),
                    VisitedDomains = visited,
                    DwellSeconds = random.Next(3) == 0 ? 60 * random.Next(1, 90) : null,
                };
                events[n] = new TestEvent(InputKind.Wifi, e.ToMessage(), vehicles + p);
            }
        }

        return events;
    }
}
