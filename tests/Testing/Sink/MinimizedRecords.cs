using Sieve.Simulation;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Pipeline;

namespace Sieve.Testing.Sink;

/// <summary>
/// Minimized records made the way the minimizer makes them: synthetic raw events run through a real
/// <see cref="MinimizerCore"/> (default policy, demo keys, in-memory consent).
/// </summary>
internal sealed class MinimizedRecords : IDisposable
{
    public const long Start = 1_764_050_400_123; // 2025-11-25T06:00:00.123Z
    private readonly SyntheticIdentities _ids;
    private int _event;

    public MinimizedRecords(int seed = 7)
    {
        _ids = new SyntheticIdentities(seed);
        Harness = new CoreHarness();
    }

    public CoreHarness Harness { get; }

    /// <summary>Records forwarded so far: purpose, key (pseudonym) and value.</summary>
    public List<(string Purpose, string Topic, byte[] Key, byte[] Value)> Records => Harness.Sink.Records;

    /// <summary>A new vehicle that consented to positioning and personalization.</summary>
    public async Task<string> ConsentingVehicleAsync()
    {
        string vin = _ids.Vin();
        await Harness.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Start - 86_400_000);
        await Harness.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Personalization, Start - 86_400_000);
        return vin;
    }

    /// <summary>A new phone-identified Wi-Fi visitor that consented to personalization and marketing.</summary>
    public async Task<string> ConsentingVisitorAsync()
    {
        string phone = _ids.Phone();
        await Harness.GrantAsync(SubjectType.Phone, phone, KnownPurposes.Personalization, Start - 86_400_000);
        await Harness.GrantAsync(SubjectType.Phone, phone, KnownPurposes.Marketing, Start - 86_400_000);
        return phone;
    }

    /// <summary>Drives <paramref name="vin"/> for <paramref name="events"/> events, 13 minutes apart, from <paramref name="from"/>.</summary>
    public async Task DriveAsync(string vin, int events, long from = Start)
    {
        for (int i = 0; i < events; i++)
        {
            var e = new TelematicsEventData
            {
                EventId = "t-" + (++_event),
                Vin = vin,
                DeviceId = _ids.Imei(),
                EventTime = from + (i * 13L * 60_000),
                Location = new GeoLocationData(31.2 + (i * 0.001), 121.47 + (i * 0.001), 40f + i, 90f),
                Status = new VehicleStatusData(12_000 + (i * 10), 50f, 12.6f, true, i % 4 == 0 ? ["P0301", "U0100"] : []),
            };
            (ProcessStatus status, _, _) = await Harness.ProcessAsync(InputKind.Telematics, e.ToMessage());
            Assert.Equal(ProcessStatus.Processed, status);
        }
    }

    /// <summary>Visits an outlet with <paramref name="phone"/>, browsing two interest categories.</summary>
    public async Task VisitAsync(string phone, int events, long from = Start)
    {
        for (int i = 0; i < events; i++)
        {
            var e = new WifiEventData
            {
                EventId = "w-" + (++_event),
                GatewayId = "gw-1",
                OutletId = "outlet-" + (i % 3),
                EventTime = from + (i * 17L * 60_000),
                ClientMac = _ids.Mac(false),
                PhoneNumber = phone,
                Location = new GeoLocationData(31.23, 121.47),
                VisitedDomains = ["autohome.com.cn", "ctrip.com"],
                DwellSeconds = 600 + i,
            };
            (ProcessStatus status, _, _) = await Harness.ProcessAsync(InputKind.Wifi, e.ToMessage());
            Assert.Equal(ProcessStatus.Processed, status);
        }
    }

    public void Dispose() => Harness.Dispose();
}
