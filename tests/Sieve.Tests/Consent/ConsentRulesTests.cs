using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;

namespace Sieve.Tests.Consent;

public class ConsentRulesTests
{
    private const long EventTime = 1_000_000;
    private const long Day = 86_400_000;
    private static readonly int Positioning = KnownPurposes.IndexOf(KnownPurposes.Positioning);
    private static readonly int Marketing = KnownPurposes.IndexOf(KnownPurposes.Marketing);

    public enum Stored
    {
        None,
        GrantedBefore,
        GrantedAtEventTime,
        GrantedAfter,
        WithdrawnBefore,
        WithdrawnAfter,
    }

    [Theory]
    // Minor wins over everything, with or without consent and whether or not the purpose needs it.
    [InlineData(true, true, Stored.GrantedBefore, ConsentDecision.WithheldMinor)]
    [InlineData(true, true, Stored.None, ConsentDecision.WithheldMinor)]
    [InlineData(true, true, Stored.WithdrawnBefore, ConsentDecision.WithheldMinor)]
    [InlineData(true, false, Stored.None, ConsentDecision.WithheldMinor)]
    [InlineData(true, false, Stored.GrantedBefore, ConsentDecision.WithheldMinor)]
    // Purposes that need no consent forward whatever the consent state.
    [InlineData(false, false, Stored.None, ConsentDecision.Forward)]
    [InlineData(false, false, Stored.WithdrawnBefore, ConsentDecision.Forward)]
    [InlineData(false, false, Stored.GrantedAfter, ConsentDecision.Forward)]
    // Purposes that need consent.
    [InlineData(false, true, Stored.None, ConsentDecision.WithheldNoConsent)]
    [InlineData(false, true, Stored.GrantedBefore, ConsentDecision.Forward)]
    [InlineData(false, true, Stored.GrantedAtEventTime, ConsentDecision.Forward)]
    [InlineData(false, true, Stored.GrantedAfter, ConsentDecision.WithheldNoConsent)]
    [InlineData(false, true, Stored.WithdrawnBefore, ConsentDecision.WithheldWithdrawn)]
    // Withdrawn now: even an event from before the withdrawal is withheld.
    [InlineData(false, true, Stored.WithdrawnAfter, ConsentDecision.WithheldWithdrawn)]
    public void Decide_follows_the_truth_table(bool minor, bool consentRequired, Stored stored, ConsentDecision expected)
    {
        PurposeConsent consent = stored switch
        {
            Stored.None => default,
            Stored.GrantedBefore => new(ConsentState.Granted, EventTime - 1, "v1"),
            Stored.GrantedAtEventTime => new(ConsentState.Granted, EventTime, "v1"),
            Stored.GrantedAfter => new(ConsentState.Granted, EventTime + 1, "v1"),
            Stored.WithdrawnBefore => new(ConsentState.Withdrawn, EventTime - 1, "v1"),
            Stored.WithdrawnAfter => new(ConsentState.Withdrawn, EventTime + 1, "v1"),
            _ => throw new ArgumentOutOfRangeException(nameof(stored)),
        };
        var purposes = new PurposeConsent[KnownPurposes.Count];
        purposes[Positioning] = consent;
        ConsentRecord record = ConsentRecord.Create(minor, purposes);

        Assert.Equal(expected, ConsentRules.Decide(record, Positioning, consentRequired, ConsentRules.NoMaxAge, EventTime, nowMillis: 0));
    }

    [Fact]
    public void A_grant_for_one_purpose_does_not_cover_another()
    {
        var purposes = new PurposeConsent[KnownPurposes.Count];
        purposes[Positioning] = new(ConsentState.Granted, 1, "v1");
        ConsentRecord record = ConsentRecord.Create(false, purposes);

        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(record, Positioning, true, ConsentRules.NoMaxAge, EventTime, nowMillis: 0));
        Assert.Equal(ConsentDecision.WithheldNoConsent, ConsentRules.Decide(record, Marketing, true, ConsentRules.NoMaxAge, EventTime, nowMillis: 0));
    }

    [Fact]
    public void An_unknown_subject_gets_only_purposes_that_need_no_consent()
    {
        Assert.Equal(ConsentDecision.WithheldNoConsent, ConsentRules.Decide(ConsentRecord.Empty, Positioning, true, ConsentRules.NoMaxAge, EventTime, nowMillis: 0));
        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(ConsentRecord.Empty, Positioning, false, ConsentRules.NoMaxAge, EventTime, nowMillis: 0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(KnownPurposes.Count)]
    public void An_undeclared_purpose_index_throws(int purposeId)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConsentRules.Decide(ConsentRecord.Empty, purposeId, false, ConsentRules.NoMaxAge, EventTime, nowMillis: 0));
    }

    [Fact]
    public void Decisions_have_stable_reason_codes()
    {
        Assert.Equal("forward", ConsentDecision.Forward.ToReasonCode());
        Assert.Equal("no-consent", ConsentDecision.WithheldNoConsent.ToReasonCode());
        Assert.Equal("consent-withdrawn", ConsentDecision.WithheldWithdrawn.ToReasonCode());
        Assert.Equal("minor", ConsentDecision.WithheldMinor.ToReasonCode());
    }

    [Fact]
    public void A_grant_whose_expiresAt_comes_before_the_max_age_lapses_at_expiresAt()
    {
        ConsentRecord record = Granted(EventTime, expiresAt: EventTime + Day);
        Assert.Equal(EventTime + Day, ConsentRules.ValidUntil(record.GetPurpose(Positioning), 365 * Day));
        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(record, Positioning, true, 365 * Day, EventTime + Day - 1, nowMillis: 0));
        Assert.Equal(ConsentDecision.WithheldExpired, ConsentRules.Decide(record, Positioning, true, 365 * Day, EventTime + Day, nowMillis: 0));
    }

    [Fact]
    public void A_max_age_that_comes_before_expiresAt_lapses_the_grant_at_effective_plus_max_age()
    {
        ConsentRecord record = Granted(EventTime, expiresAt: EventTime + (400 * Day));
        Assert.Equal(EventTime + (365 * Day), ConsentRules.ValidUntil(record.GetPurpose(Positioning), 365 * Day));
        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(record, Positioning, true, 365 * Day, EventTime + (364 * Day), nowMillis: 0));
        Assert.Equal(ConsentDecision.WithheldExpired, ConsentRules.Decide(record, Positioning, true, 365 * Day, EventTime + (365 * Day), nowMillis: 0));

        // With no max age the grant's own end is all there is; with neither, it never lapses.
        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(record, Positioning, true, ConsentRules.NoMaxAge, EventTime + (399 * Day), nowMillis: 0));
        Assert.Equal(long.MaxValue, ConsentRules.ValidUntil(Granted(EventTime).GetPurpose(Positioning), ConsentRules.NoMaxAge));
    }

    [Fact]
    public void A_late_event_from_before_the_end_is_withheld_once_the_clock_has_passed_the_end()
    {
        ConsentRecord record = Granted(EventTime, expiresAt: EventTime + Day);
        long lateEvent = EventTime + Day - 1000;
        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(record, Positioning, true, 365 * Day, lateEvent, nowMillis: EventTime + Day - 1));
        Assert.Equal(ConsentDecision.WithheldExpired, ConsentRules.Decide(record, Positioning, true, 365 * Day, lateEvent, nowMillis: EventTime + Day));
        Assert.Equal(ConsentDecision.WithheldExpired, ConsentRules.Decide(record, Positioning, true, 365 * Day, lateEvent, nowMillis: EventTime + (30 * Day)));

        // Before the effective time it is still "no consent", whatever the clock says.
        Assert.Equal(ConsentDecision.WithheldNoConsent, ConsentRules.Decide(record, Positioning, true, 365 * Day, EventTime - 1, nowMillis: EventTime + (30 * Day)));
    }

    [Fact]
    public void A_renewal_grant_after_the_lapse_forwards_again_from_its_own_effective_time()
    {
        ConsentRecord lapsed = Granted(EventTime, expiresAt: EventTime + Day);
        long later = EventTime + (10 * Day);
        Assert.Equal(ConsentDecision.WithheldExpired, ConsentRules.Decide(lapsed, Positioning, true, 365 * Day, later, nowMillis: later));

        ConsentRecord renewed = lapsed.Apply(new ConsentUpdate(Sieve.Testing.Consent.TestConsentKeys.Make(1), Positioning, true, later - 1, "v2", false), out bool changed);
        Assert.True(changed);
        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(renewed, Positioning, true, 365 * Day, later, nowMillis: later));
        Assert.Equal(ConsentDecision.WithheldNoConsent, ConsentRules.Decide(renewed, Positioning, true, 365 * Day, EventTime + 5, nowMillis: later));
        Assert.Equal(ConsentDecision.WithheldExpired, ConsentRules.Decide(renewed, Positioning, true, 365 * Day, later, nowMillis: later - 1 + (365 * Day)));
    }

    [Fact]
    public void A_purpose_that_needs_no_consent_is_never_withheld_as_expired()
    {
        ConsentRecord record = Granted(EventTime, expiresAt: EventTime + 1);
        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(record, Positioning, false, Day, EventTime + (5 * Day), nowMillis: EventTime + (5 * Day)));
    }

    private static ConsentRecord Granted(long effective, long expiresAt = PurposeConsent.NoExpiry)
    {
        var purposes = new PurposeConsent[KnownPurposes.Count];
        purposes[Positioning] = new(ConsentState.Granted, effective, "v1", expiresAt);
        return ConsentRecord.Create(false, purposes);
    }

    [Fact]
    public void Decisions_have_stable_reason_codes_including_expiry()
    {
        Assert.Equal("consent-expired", ConsentDecision.WithheldExpired.ToReasonCode());
        Assert.Equal("erased", ConsentDecision.WithheldErased.ToReasonCode());
    }

    [Fact]
    public void Deciding_for_all_times_at_once_agrees_with_the_rule_as_written()
    {
        long[] times = [long.MinValue, -1, 0, EventTime - 1, EventTime, EventTime + 1, EventTime + Day - 1, EventTime + Day, EventTime + (2 * Day), long.MaxValue];
        long[] clocks = [0, EventTime, EventTime + Day - 1, EventTime + Day, EventTime + (3 * Day)];
        long[] maxAges = [ConsentRules.NoMaxAge, Day, 2 * Day];
        PurposeConsent[] decisions =
        [
            default,
            new(ConsentState.Granted, EventTime, "v1"),
            new(ConsentState.Granted, EventTime, "v1", EventTime + Day),
            new(ConsentState.Granted, EventTime, "v1", EventTime + (3 * Day)),
            new(ConsentState.Granted, EventTime, "v1", EventTime - 1),
            new(ConsentState.Granted, long.MinValue, "v1"),
            new(ConsentState.Granted, long.MaxValue, "v1"),
            new(ConsentState.Withdrawn, EventTime, "v1"),
        ];
        int checkedCases = 0;
        foreach (bool minor in (ReadOnlySpan<bool>)[false, true])
        {
            foreach (bool erased in (ReadOnlySpan<bool>)[false, true])
            {
                foreach (PurposeConsent consent in decisions)
                {
                    var purposes = new PurposeConsent[KnownPurposes.Count];
                    purposes[Positioning] = consent;
                    ConsentRecord record = ConsentRecord.Create(minor, erased, purposes);
                    foreach (bool required in (ReadOnlySpan<bool>)[false, true])
                    {
                        foreach (long maxAge in maxAges)
                        {
                            ConsentDecision ahead = ConsentRules.DecideForAllTimes(record, Positioning, required, maxAge, out long forwardFrom, out long forwardUntil);
                            foreach (long time in times)
                            {
                                foreach (long now in clocks)
                                {
                                    ConsentDecision expected = AsWritten(minor, erased, required, consent, maxAge, time, now);
                                    Assert.True(expected == ConsentRules.Decide(record, Positioning, required, maxAge, time, now), $"{consent} maxAge={maxAge} time={time} now={now} expected {expected}");
                                    Assert.Equal(expected, ahead != ConsentDecision.Forward ? ahead : ConsentRules.AtTime(forwardFrom, forwardUntil, time, now));
                                    checkedCases++;
                                }
                            }
                        }
                    }
                }
            }
        }

        Assert.Equal(2 * 2 * 8 * 2 * 3 * 10 * 5, checkedCases);
    }

    // The rule in words: erased, then minor, then no consent needed; a grant covers [effective, min(expiresAt,
    // effective + maxAge)) for the event's time, and the clock (when set) must be before that end as well; an end of
    // long.MaxValue is no end at all.
    private static ConsentDecision AsWritten(bool minor, bool erased, bool required, PurposeConsent consent, long maxAge, long time, long now)
    {
        if (erased) return ConsentDecision.WithheldErased;
        if (minor) return ConsentDecision.WithheldMinor;
        if (!required) return ConsentDecision.Forward;
        if (consent.State == ConsentState.Withdrawn) return ConsentDecision.WithheldWithdrawn;
        if (consent.State != ConsentState.Granted || time < consent.EffectiveTimeMillis) return ConsentDecision.WithheldNoConsent;
        Int128 end = Int128.Min(consent.ExpiresAtMillis, maxAge == ConsentRules.NoMaxAge ? long.MaxValue : (Int128)consent.EffectiveTimeMillis + maxAge);
        if (end >= long.MaxValue) return ConsentDecision.Forward;
        if (time >= end) return ConsentDecision.WithheldExpired;
        return now > 0 && now >= end ? ConsentDecision.WithheldExpired : ConsentDecision.Forward;
    }
}
