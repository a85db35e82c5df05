using Sieve.Commands;
using Sieve.Commands.Consent;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Core.Policy;
using Sieve.Testing.Cli;

namespace Sieve.Tests.Cli;

/// <summary>Whom <c>sieve consent expiring</c> lists: the selection over stored records, and its command line.</summary>
public sealed class ConsentExpiringTests
{
    private const long Day = 86_400_000;
    private const long Now = 1_764_054_000_000; // 2025-11-25T07:00:00Z
    private const long Within = 30 * Day;
    private const long MaxAge = 365 * Day; // every consent purpose of the shipped policy

    private static readonly CompiledPolicy Policy = PolicyLoader.LoadDefault();
    private static readonly int Positioning = KnownPurposes.IndexOf(KnownPurposes.Positioning);
    private static readonly int Personalization = KnownPurposes.IndexOf(KnownPurposes.Personalization);
    private static readonly int Analytics = KnownPurposes.IndexOf(KnownPurposes.Analytics);

    [Fact]
    public void Only_the_purposes_that_need_consent_are_reported_and_a_grant_to_another_is_ignored()
    {
        // A grant to analytics (no consent needed) from long enough ago to have lapsed under any max age.
        IReadOnlyList<PurposeExpiry> result = ExpiringConsents.Select([(Key('a'), Record(Analytics, Granted(Now - MaxAge + Day)))], Policy, Now, Within);

        Assert.Equal([KnownPurposes.Positioning, KnownPurposes.Personalization, KnownPurposes.Marketing], result.Select(p => p.Plan.Name));
        Assert.All(result, p => Assert.Empty(p.Expiring));
        Assert.All(result, p => Assert.Equal(0, p.Expired));
    }

    [Fact]
    public void A_grant_whose_max_age_ends_within_the_window_is_listed_with_that_time_and_a_recent_one_is_not()
    {
        IReadOnlyList<PurposeExpiry> result = ExpiringConsents.Select(
            [(Key('a'), Record(Positioning, Granted(Now - MaxAge + (10 * Day)))), (Key('b'), Record(Positioning, Granted(Now - (10 * Day))))],
            Policy, Now, Within);

        PurposeExpiry positioning = Of(result, KnownPurposes.Positioning);
        Assert.Equal([new ExpiringGrant(Key('a'), Now + (10 * Day))], positioning.Expiring);
        Assert.Equal(0, positioning.Expired);
        Assert.Empty(Of(result, KnownPurposes.Personalization).Expiring);
    }

    [Fact]
    public void A_lapsed_grant_is_counted_not_listed_and_the_window_ends_are_exact()
    {
        IReadOnlyList<PurposeExpiry> result = ExpiringConsents.Select(
        [
            (Key('a'), Record(Positioning, Granted(Now - MaxAge - Day))),          // lapsed a day ago
            (Key('b'), Record(Positioning, Granted(Now - MaxAge))),                // lapses now: lapsed
            (Key('c'), Record(Positioning, Granted(Now - MaxAge + Within))),       // the window's last instant
            (Key('d'), Record(Positioning, Granted(Now - MaxAge + Within + 1))),   // just after the window
        ], Policy, Now, Within);

        PurposeExpiry positioning = Of(result, KnownPurposes.Positioning);
        Assert.Equal(2, positioning.Expired);
        Assert.Equal([new ExpiringGrant(Key('c'), Now + Within)], positioning.Expiring);
    }

    [Fact]
    public void The_earlier_of_expiresAt_and_the_max_age_decides()
    {
        IReadOnlyList<PurposeExpiry> result = ExpiringConsents.Select(
        [
            // A recent grant with its own near end: listed at expiresAt.
            (Key('a'), Record(Positioning, Granted(Now - Day, expiresAt: Now + (5 * Day)))),
            // An old grant whose own end is far: listed at the max age.
            (Key('b'), Record(Positioning, Granted(Now - MaxAge + (20 * Day), expiresAt: Now + (100 * Day)))),
            // A recent grant whose own end has passed: lapsed, though the max age is far.
            (Key('c'), Record(Positioning, Granted(Now - (3 * Day), expiresAt: Now - Day))),
            // A recent grant whose own end is beyond the window: not listed.
            (Key('d'), Record(Positioning, Granted(Now - Day, expiresAt: Now + (31 * Day)))),
        ], Policy, Now, Within);

        PurposeExpiry positioning = Of(result, KnownPurposes.Positioning);
        Assert.Equal([new ExpiringGrant(Key('a'), Now + (5 * Day)), new ExpiringGrant(Key('b'), Now + (20 * Day))], positioning.Expiring);
        Assert.Equal(1, positioning.Expired);
    }

    [Fact]
    public void Withdrawn_erased_and_minor_subjects_and_those_without_a_decision_are_left_out()
    {
        long soon = Now - MaxAge + Day;
        long lapsed = Now - MaxAge - Day;
        PurposeConsent[] grants = Purposes((Positioning, Granted(soon)), (Personalization, Granted(lapsed)));
        IReadOnlyList<PurposeExpiry> result = ExpiringConsents.Select(
        [
            (Key('a'), ConsentRecord.Create(minor: false, erased: true, grants)),
            (Key('b'), ConsentRecord.Create(minor: true, grants)),
            (Key('c'), Record(Positioning, new PurposeConsent(ConsentState.Withdrawn, soon, "v1"))),
            (Key('d'), ConsentRecord.Empty),
            (Key('e'), ConsentRecord.Create(minor: false, grants)),
        ], Policy, Now, Within);

        // Only the adult, not erased subject: its positioning grant lapses within the window, its personalization one has lapsed.
        Assert.Equal([new ExpiringGrant(Key('e'), soon + MaxAge)], Of(result, KnownPurposes.Positioning).Expiring);
        Assert.Equal(0, Of(result, KnownPurposes.Positioning).Expired);
        Assert.Empty(Of(result, KnownPurposes.Personalization).Expiring);
        Assert.Equal(1, Of(result, KnownPurposes.Personalization).Expired);
    }

    [Fact]
    public void A_grant_nothing_bounds_is_never_listed()
    {
        CompiledPolicy policy = new(Policy.PolicyVersion, Policy.Source,
            [.. Policy.Purposes.Select(p => p.Name == KnownPurposes.Positioning ? WithoutMaxAge(p) : p)], Policy.Interests);

        IReadOnlyList<PurposeExpiry> result = ExpiringConsents.Select([(Key('a'), Record(Positioning, Granted(Now - (1000 * Day))))], policy, Now, Within);

        Assert.Empty(Of(result, KnownPurposes.Positioning).Expiring);
        Assert.Equal(0, Of(result, KnownPurposes.Positioning).Expired);
    }

    [Fact]
    public void Subjects_are_listed_soonest_first_and_counted()
    {
        var selection = new ExpiringConsents(Policy, Now, Within);
        selection.Add(Key('z'), Record(Positioning, Granted(Now - MaxAge + (3 * Day))));
        selection.Add(Key('y'), Record(Positioning, Granted(Now - MaxAge + (2 * Day))));
        selection.Add(Key('x'), Record(Positioning, Granted(Now - MaxAge + (3 * Day))));

        Assert.Equal(3, selection.Subjects);
        Assert.Equal([Key('y'), Key('x'), Key('z')], Of(selection.Results(), KnownPurposes.Positioning).Expiring.Select(g => g.ConsentKey));
    }

    [Theory]
    [InlineData("30")]
    [InlineData("0d")]
    [InlineData("30 d")]
    [InlineData("2w")]
    public async Task A_bad_window_is_one_usage_error(string within)
    {
        CliResult result = await CliRunner.RunAsync("consent", "expiring", "--within", within, "--redis", "127.0.0.1:1");

        string line = CliRunner.SingleErrorLine(result, ExitCodes.Usage);
        Assert.Contains("--within must be a whole number of days written <n>d", line, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task The_usage_names_each_option_with_its_default()
    {
        CliResult result = await CliRunner.RunAsync("consent", "expiring", "--help");

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        string[] lines = result.Out.Split('\n');
        Assert.Single(lines, l => l.TrimStart().StartsWith("--within", StringComparison.Ordinal) && l.Contains("(default 30d)", StringComparison.Ordinal));
        Assert.Single(lines, l => l.TrimStart().StartsWith("--redis", StringComparison.Ordinal) && l.Contains("(default localhost:6379)", StringComparison.Ordinal));
        Assert.Single(lines, l => l.TrimStart().StartsWith("--key-prefix", StringComparison.Ordinal) && l.Contains("(default " + new RedisConsentStoreOptions().KeyPrefix + ")", StringComparison.Ordinal));
        Assert.Single(lines, l => l.TrimStart().StartsWith("--policy", StringComparison.Ordinal));
        Assert.Single(lines, l => l.TrimStart().StartsWith("--json", StringComparison.Ordinal));
    }

    private static string Key(char c) => new(c, ConsentKeys.Length);

    private static PurposeConsent Granted(long effective, long expiresAt = PurposeConsent.NoExpiry) =>
        new(ConsentState.Granted, effective, "v1", expiresAt);

    private static ConsentRecord Record(int purposeId, PurposeConsent consent) => ConsentRecord.Create(minor: false, Purposes((purposeId, consent)));

    private static PurposeConsent[] Purposes(params (int PurposeId, PurposeConsent Consent)[] decisions)
    {
        var purposes = new PurposeConsent[KnownPurposes.Count];
        foreach ((int id, PurposeConsent consent) in decisions)
        {
            purposes[id] = consent;
        }

        return purposes;
    }

    private static PurposeExpiry Of(IReadOnlyList<PurposeExpiry> result, string purpose) => Assert.Single(result, p => p.Plan.Name == purpose);

    private static PurposePlan WithoutMaxAge(PurposePlan plan)
    {
        var copy = new PurposePlan(plan.Name, plan.PurposeId, plan.Topic, plan.ConsentRequired, plan.Rotation, plan.OutputSchema, plan.Slots,
            plan.TakesTelematics, plan.TakesWifi, plan.Retention);
        Assert.Equal(ConsentRules.NoMaxAge, copy.ConsentMaxAgeMillis);
        return copy;
    }
}
