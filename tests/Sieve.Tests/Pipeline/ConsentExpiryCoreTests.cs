using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Simulation;
using Sieve.Testing.Pipeline;

namespace Sieve.Tests.Pipeline;

/// <summary>
/// Expiring consent in the minimizer core (default policy: positioning and personalization have a 365-day
/// consentMaxAge). A subject's decisions are worked out once when its record is cached; these tests show the kept
/// decisions honour the grant's end by event time and by the clock without asking the store again.
/// </summary>
public sealed class ConsentExpiryCoreTests : IDisposable
{
    private const long Day = 86_400_000;
    private const long Now = 1_764_050_400_123;
    private readonly CoreHarness _h = new();
    private readonly SyntheticIdentities _ids = new(11);

    public ConsentExpiryCoreTests() => _h.Core.NowMillis = Now;

    public void Dispose() => _h.Dispose();

    private int Positioning => _h.PlanIndex(KnownPurposes.Positioning);

    private TelematicsEventData Vehicle(string vin, long time) => new()
    {
        EventId = "e-" + Guid.NewGuid().ToString("N"),
        Vin = vin,
        DeviceId = _ids.Imei(),
        EventTime = time,
        Location = new GeoLocationData(31.2304123, 121.4737456, 42.5f, 90f, 12f),
    };

    private async Task<Outcome> PositioningOutcomeAsync(string vin, long eventTime)
    {
        var (status, outcomes, _) = await _h.ProcessAsync(InputKind.Telematics, Vehicle(vin, eventTime).ToMessage());
        Assert.Equal(ProcessStatus.Processed, status);
        return outcomes[Positioning];
    }

    [Fact]
    public void The_default_policy_bounds_positioning_consent_to_a_year()
    {
        Assert.Equal(TimeSpan.FromDays(365), _h.Core.Plans[Positioning].ConsentMaxAge);
        Assert.Equal("withheld:expired", OutcomeNames.Name(Outcome.WithheldExpired));
        Assert.Equal(13, OutcomeNames.Count);
    }

    [Fact]
    public async Task An_event_at_or_after_expiresAt_is_withheld_as_expired_and_one_before_it_is_forwarded()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now - (10 * Day), expiresAt: Now + Day);

        Assert.Equal(Outcome.Forwarded, await PositioningOutcomeAsync(vin, Now - 1000));
        Assert.Equal(1, PositioningRecords());
        Assert.Equal(Outcome.WithheldExpired, await PositioningOutcomeAsync(vin, Now + Day));
        Assert.Equal(1, PositioningRecords());
    }

    [Fact]
    public async Task A_grant_older_than_the_policys_max_age_is_expired_even_with_a_later_expiresAt()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now - (366 * Day), expiresAt: Now + (30 * Day));

        Assert.Equal(Outcome.WithheldExpired, await PositioningOutcomeAsync(vin, Now - 1000));
    }

    [Fact]
    public async Task A_cached_subjects_grant_lapses_when_the_clock_passes_its_end_without_another_store_read()
    {
        string vin = _ids.Vin();
        long end = Now + (2 * 3_600_000);
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now - Day, expiresAt: end);
        Assert.Equal(Outcome.Forwarded, await PositioningOutcomeAsync(vin, Now));

        long fetches = _h.Cache.Fetches;
        var outcomes = new Outcome[_h.Core.Plans.Count];

        // Still before the end: served from the kept decision.
        _h.Core.NowMillis = end - 1;
        Assert.Equal(ProcessStatus.Processed, _h.Core.Process(InputKind.Telematics, Vehicle(vin, end - 60_000).ToMessage(), _h.Sink, outcomes, out _, out _));
        Assert.Equal(Outcome.Forwarded, outcomes[Positioning]);

        // The clock reaches the end: a late event from before it is withheld, still with no fetch.
        _h.Core.NowMillis = end;
        Assert.Equal(ProcessStatus.Processed, _h.Core.Process(InputKind.Telematics, Vehicle(vin, end - 60_000).ToMessage(), _h.Sink, outcomes, out _, out _));
        Assert.Equal(Outcome.WithheldExpired, outcomes[Positioning]);
        Assert.Equal(Outcome.HeldForRelease, outcomes[_h.PlanIndex(KnownPurposes.Analytics)]);
        Assert.Equal(fetches, _h.Cache.Fetches);
    }

    [Fact]
    public async Task A_renewal_after_the_lapse_forwards_again()
    {
        string vin = _ids.Vin();
        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now - (20 * Day), expiresAt: Now - (5 * Day));
        Assert.Equal(Outcome.WithheldExpired, await PositioningOutcomeAsync(vin, Now - 1000));

        await _h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, Now - Day);
        Assert.Equal(Outcome.Forwarded, await PositioningOutcomeAsync(vin, Now - 1000));
        Assert.Equal(Outcome.WithheldNoConsent, await PositioningOutcomeAsync(vin, Now - (2 * Day)));
    }

    private int PositioningRecords() => _h.Sink.Records.Count(r => r.Purpose == KnownPurposes.Positioning);
}
