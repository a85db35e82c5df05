using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;

namespace Sieve.Tests.Consent;

public class ConsentRulesTests
{
    private const long EventTime = 1_000_000;
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

        Assert.Equal(expected, ConsentRules.Decide(record, Positioning, consentRequired, EventTime));
    }

    [Fact]
    public void A_grant_for_one_purpose_does_not_cover_another()
    {
        var purposes = new PurposeConsent[KnownPurposes.Count];
        purposes[Positioning] = new(ConsentState.Granted, 1, "v1");
        ConsentRecord record = ConsentRecord.Create(false, purposes);

        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(record, Positioning, true, EventTime));
        Assert.Equal(ConsentDecision.WithheldNoConsent, ConsentRules.Decide(record, Marketing, true, EventTime));
    }

    [Fact]
    public void An_unknown_subject_gets_only_purposes_that_need_no_consent()
    {
        Assert.Equal(ConsentDecision.WithheldNoConsent, ConsentRules.Decide(ConsentRecord.Empty, Positioning, true, EventTime));
        Assert.Equal(ConsentDecision.Forward, ConsentRules.Decide(ConsentRecord.Empty, Positioning, false, EventTime));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(KnownPurposes.Count)]
    public void An_undeclared_purpose_index_throws(int purposeId)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ConsentRules.Decide(ConsentRecord.Empty, purposeId, false, EventTime));
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
    public void Deciding_for_all_times_at_once_agrees_with_deciding_per_event()
    {
        long[] times = [long.MinValue, -1, 0, EventTime - 1, EventTime, EventTime + 1, long.MaxValue];
        PurposeConsent[] decisions =
        [
            default,
            new(ConsentState.Granted, EventTime, "v1"),
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
                        ConsentDecision ahead = ConsentRules.DecideForAllTimes(record, Positioning, required, out long forwardFrom);
                        foreach (long time in times)
                        {
                            ConsentDecision expected = ConsentRules.Decide(record, Positioning, required, time);
                            ConsentDecision actual = ahead != ConsentDecision.Forward ? ahead
                                : forwardFrom <= time ? ConsentDecision.Forward : ConsentDecision.WithheldNoConsent;
                            Assert.Equal(expected, actual);
                            checkedCases++;
                        }
                    }
                }
            }
        }

        Assert.Equal(2 * 2 * 5 * 2 * 7, checkedCases);
    }
}
