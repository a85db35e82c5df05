using Sieve.Simulation;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Codec;
using Sieve.Testing.Pipeline;

namespace Sieve.Tests.Pipeline;

/// <summary>
/// The core keeps each subject's consent near-cache entry and the decisions worked out from it. These tests show
/// that keeping them never outlives the cache's word: after an invalidation or a reset the very next event of the
/// subject asks for consent again rather than using what was kept.
/// </summary>
public sealed class SubjectConsentBindingTests : IDisposable
{
    private const long Now = 1_764_050_400_123;
    private readonly CoreHarness _h = new();
    private readonly SyntheticIdentities _ids = new(7);

    public void Dispose() => _h.Dispose();

    private TelematicsEventData Vehicle(string vin, long time = Now) => new()
    {
        EventId = "e-" + Guid.NewGuid().ToString("N"),
        Vin = vin,
        DeviceId = _ids.Imei(),
        EventTime = time,
        Location = new GeoLocationData(31.2304123, 121.4737456, 42.5f, 90f, 12f),
        Status = new VehicleStatusData(12_345.6, 57.3f, 12.7f, true, ["P0301"]),
        Driver = new DriverData("Li Lei", "+8613800138000", "310101199001011234"),
    };

    [Fact]
    public async Task After_an_invalidation_the_next_event_needs_consent_and_then_follows_the_new_decision()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now - 1000);
        var (_, first, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin).ToMessage());
        Assert.Equal(Outcome.Forwarded, first[_h.PlanIndex("positioning")]);

        // Served from the kept entry: no look-up, no fetch.
        var outcomes = new Outcome[_h.Core.Plans.Count];
        long fetches = _h.Cache.Fetches;
        Assert.Equal(ProcessStatus.Processed, _h.Core.Process(InputKind.Telematics, Vehicle(vin).ToMessage(), _h.Sink, outcomes, out _, out _));
        Assert.Equal(Outcome.Forwarded, outcomes[_h.PlanIndex("positioning")]);
        Assert.Equal(fetches, _h.Cache.Fetches);

        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now - 500, granted: false);
        int forwardedBefore = _h.Sink.Records.Count;
        ProcessStatus status = _h.Core.Process(InputKind.Telematics, Vehicle(vin).ToMessage(), _h.Sink, outcomes, out _, out string? key);
        Assert.Equal(ProcessStatus.NeedsConsent, status);
        Assert.Equal(_h.ConsentKey(SubjectType.Vin, vin), key);
        Assert.Equal(forwardedBefore, _h.Sink.Records.Count);

        var (_, after, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin).ToMessage());
        Assert.Equal(Outcome.WithheldWithdrawn, after[_h.PlanIndex("positioning")]);
        Assert.Equal(Outcome.HeldForRelease, after[_h.PlanIndex("analytics")]);
    }

    [Fact]
    public async Task After_a_reset_the_next_event_needs_consent()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now - 1000);
        await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin).ToMessage());

        _h.Store.ResetInvalidationStream();

        var outcomes = new Outcome[_h.Core.Plans.Count];
        Assert.Equal(ProcessStatus.NeedsConsent, _h.Core.Process(InputKind.Telematics, Vehicle(vin).ToMessage(), _h.Sink, outcomes, out _, out _));
        var (_, after, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin).ToMessage());
        Assert.Equal(Outcome.Forwarded, after[_h.PlanIndex("positioning")]);
    }

    [Fact]
    public async Task A_grant_effective_later_withholds_earlier_events_of_a_cached_subject()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now);
        var (_, atGrant, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, Now).ToMessage());
        var (_, before, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, Now - 1).ToMessage());
        Assert.Equal(Outcome.Forwarded, atGrant[_h.PlanIndex("positioning")]);
        Assert.Equal(Outcome.WithheldNoConsent, before[_h.PlanIndex("positioning")]);
    }
}
