using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Sieve.Commands.Consent;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Embedded;
using Sieve.Simulation;
using Sieve.Testing.Cli;
using Sieve.Testing.Consent;

namespace Sieve.IntegrationTests.Cli;

/// <summary><c>sieve consent expiring</c> against a real Redis holding records written through the consent store.</summary>
public sealed class ConsentExpiringCommandTests
{
    private const long Day = 86_400_000;
    private const string Prefix = "it:expiring:consent:";

    private static readonly PseudonymKeyFactory Keys = new(MasterKeyRing.CreateDemo());

    [Fact]
    public async Task Lists_per_purpose_the_consent_keys_whose_grant_lapses_within_the_window_and_counts_the_lapsed()
    {
        using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        Subjects subjects = await StoreAsync(server);

        CliResult result = await CliRunner.RunAsync("consent", "expiring", "--within", "30d", "--redis", server.Configuration, "--key-prefix", Prefix);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);
        string[] lines = result.Out.Split('\n');
        Assert.Contains(lines, l => l.Contains("; 7 subjects", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("positioning (consentMaxAge 365d): 1 expiring within 30d, 1 expired", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("personalization (consentMaxAge 365d): 1 expiring within 30d, 0 expired", StringComparison.Ordinal));
        Assert.Single(lines, l => l.StartsWith("marketing (consentMaxAge 365d): 1 expiring within 30d, 0 expired", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("analytics", StringComparison.Ordinal) || l.StartsWith("quality", StringComparison.Ordinal));

        // Each listed grant is one line under its purpose: the consent key and when it lapses.
        Assert.Equal(
            [
                "positioning", $"  {subjects.Renewing}  expires {Time(subjects.RenewingPositioningUntil)}",
                "personalization", $"  {subjects.Recent}  expires {Time(subjects.RecentPersonalizationUntil)}",
                "marketing", $"  {subjects.Renewing}  expires {Time(subjects.RenewingMarketingUntil)}",
            ],
            lines.Where(l => l.StartsWith("  ", StringComparison.Ordinal) || (l.Contains("expiring within", StringComparison.Ordinal)))
                .Select(l => l.StartsWith("  ", StringComparison.Ordinal) ? l : l[..l.IndexOf(' ', StringComparison.Ordinal)]));

        foreach (string absent in subjects.NeverListed)
        {
            Assert.DoesNotContain(absent, result.All, StringComparison.Ordinal);
        }

        AssertNoIdentifier(result, subjects);
    }

    [Fact]
    public async Task Json_gives_each_purpose_its_counts_and_grants()
    {
        using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        Subjects subjects = await StoreAsync(server);

        CliResult result = await CliRunner.RunAsync("consent", "expiring", "--redis", server.Configuration, "--key-prefix", Prefix, "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using JsonDocument document = JsonDocument.Parse(result.Out);
        JsonElement root = document.RootElement;
        Assert.Equal("30d", root.GetProperty("within").GetString());
        Assert.Equal(Prefix, root.GetProperty("keyPrefix").GetString());
        Assert.Equal(7, root.GetProperty("subjects").GetInt32());
        long now = DateTimeOffset.Parse(root.GetProperty("now").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        Assert.Equal(Time(now + (30 * Day)), root.GetProperty("until").GetString());

        var purposes = root.GetProperty("purposes").EnumerateArray().ToDictionary(p => p.GetProperty("purpose").GetString()!);
        Assert.Equal([KnownPurposes.Positioning, KnownPurposes.Personalization, KnownPurposes.Marketing], purposes.Keys);
        AssertPurpose(purposes[KnownPurposes.Positioning], expired: 1, (subjects.Renewing, subjects.RenewingPositioningUntil));
        AssertPurpose(purposes[KnownPurposes.Personalization], expired: 0, (subjects.Recent, subjects.RecentPersonalizationUntil));
        AssertPurpose(purposes[KnownPurposes.Marketing], expired: 0, (subjects.Renewing, subjects.RenewingMarketingUntil));
        Assert.All(purposes.Values, p => Assert.Equal("365d", p.GetProperty("consentMaxAge").GetString()));
        AssertNoIdentifier(result, subjects);
    }

    [Fact]
    public async Task Another_prefix_holds_other_subjects()
    {
        using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        _ = await StoreAsync(server);

        // The default prefix holds nothing here: every record above is under Prefix.
        CliResult result = await CliRunner.RunAsync("consent", "expiring", "--redis", server.Configuration, "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        using JsonDocument document = JsonDocument.Parse(result.Out);
        Assert.Equal(0, document.RootElement.GetProperty("subjects").GetInt32());
        Assert.All(document.RootElement.GetProperty("purposes").EnumerateArray(), p => Assert.Equal(0, p.GetProperty("grants").GetArrayLength()));
    }

    [Fact]
    public async Task Unreachable_redis_is_one_failure_line()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        CliResult result = await CliRunner.RunAsync("consent", "expiring", "--redis", "127.0.0.1:" + port);

        string line = CliRunner.SingleErrorLine(result, 1);
        Assert.Contains("127.0.0.1:" + port, line, StringComparison.Ordinal);
        Assert.Contains("--redis", line, StringComparison.Ordinal);
        Assert.Equal("", result.Out);
    }

    private static void AssertPurpose(JsonElement purpose, int expired, params (string ConsentKey, long Until)[] grants)
    {
        Assert.Equal(grants.Length, purpose.GetProperty("expiring").GetInt32());
        Assert.Equal(expired, purpose.GetProperty("expired").GetInt32());
        Assert.Equal(
            grants.Select(g => (g.ConsentKey, Time(g.Until))),
            purpose.GetProperty("grants").EnumerateArray().Select(g => (g.GetProperty("consentKey").GetString()!, g.GetProperty("expiresAt").GetString()!)));
    }

    private static void AssertNoIdentifier(CliResult result, Subjects subjects)
    {
        foreach (string id in subjects.Identifiers)
        {
            Assert.DoesNotContain(id, result.All, StringComparison.OrdinalIgnoreCase);
        }
    }

    // Seven subjects under Prefix and one under another prefix; times relative to now, as the command reads the clock.
    private static async Task<Subjects> StoreAsync(RedisServerProcess server)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        int positioning = KnownPurposes.IndexOf(KnownPurposes.Positioning);
        int personalization = KnownPurposes.IndexOf(KnownPurposes.Personalization);
        int marketing = KnownPurposes.IndexOf(KnownPurposes.Marketing);
        int analytics = KnownPurposes.IndexOf(KnownPurposes.Analytics);
        var ids = new SyntheticIdentities(seed: 2611);

        (string renewingId, string renewing) = Subject(SubjectType.Vin, ids.Vin());
        (string lapsedId, string lapsed) = Subject(SubjectType.Vin, ids.Vin());
        (string recentId, string recent) = Subject(SubjectType.Phone, ids.Phone());
        (string minorId, string minor) = Subject(SubjectType.Vin, ids.Vin());
        (string erasedId, string erased) = Subject(SubjectType.Phone, ids.Phone());
        (string withdrawnId, string withdrawn) = Subject(SubjectType.DeviceId, ids.AppDeviceId());
        (string analyticsId, string analyticsOnly) = Subject(SubjectType.DeviceId, ids.AppDeviceId());
        (string elsewhereId, string elsewhere) = Subject(SubjectType.Vin, ids.Vin());

        long renewingEffective = now - (355 * Day);
        long renewingMarketingUntil = now + (3 * Day);
        long recentPersonalizationUntil = now + (20 * Day);
        long old = now - (355 * Day);
        await using (RedisConsentStore store = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(server.Configuration, Prefix)))
        {
            // Listed: positioning by its max age, marketing by its own expiresAt.
            await ApplyAsync(store, new ConsentUpdate(renewing, positioning, true, renewingEffective, "2026-11-01", minor: false));
            await ApplyAsync(store, new ConsentUpdate(renewing, marketing, true, now - Day, "2026-11-01", minor: false, expiresAtMillis: renewingMarketingUntil));

            // Lapsed: counted under positioning, not listed.
            await ApplyAsync(store, new ConsentUpdate(lapsed, positioning, true, now - (400 * Day), "2026-11-01", minor: false));

            // Recent positioning (not within 30 days), personalization with its own end within the window.
            await ApplyAsync(store, new ConsentUpdate(recent, positioning, true, now - (5 * Day), "2026-11-01", minor: false));
            await ApplyAsync(store, new ConsentUpdate(recent, personalization, true, now - (5 * Day), "2026-11-01", minor: false, expiresAtMillis: recentPersonalizationUntil));

            // Left out: a minor, an erased subject, a withdrawal, and a grant to a purpose that needs no consent.
            await ApplyAsync(store, new ConsentUpdate(minor, positioning, true, old, "2026-11-01", minor: true));
            await ApplyAsync(store, new ConsentUpdate(erased, positioning, true, old, "2026-11-01", minor: false));
            Assert.True(await store.MarkErasedAsync(erased));
            await ApplyAsync(store, new ConsentUpdate(withdrawn, positioning, false, old, "2026-11-01", minor: false));
            await ApplyAsync(store, new ConsentUpdate(analyticsOnly, analytics, true, old, "2026-11-01", minor: false));
        }

        await using (RedisConsentStore other = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(server.Configuration, "it:other:consent:")))
        {
            await ApplyAsync(other, new ConsentUpdate(elsewhere, positioning, true, old, "2026-11-01", minor: false));
        }

        return new Subjects(
            renewing, recent,
            renewingEffective + (365 * Day), renewingMarketingUntil, recentPersonalizationUntil,
            [lapsed, minor, erased, withdrawn, analyticsOnly, elsewhere],
            [renewingId, lapsedId, recentId, minorId, erasedId, withdrawnId, analyticsId, elsewhereId]);
    }

    private static async Task ApplyAsync(RedisConsentStore store, ConsentUpdate update) => Assert.True(await store.ApplyAsync(update));

    // The identifier (normalized, as the pipeline keys it) and its consent key.
    private static (string Id, string ConsentKey) Subject(SubjectType type, string id)
    {
        Assert.True(SubjectArguments.CheckId(ConsentExpiringCommand.Name, id, type, out string normalized).Successful, "the test's " + SubjectTypeNames.NameOf(type) + " is not valid");
        using PseudonymKey index = Keys.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        return (normalized, index.ComputeString(type, normalized));
    }

    private static string Time(long unixMillis) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMillis).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private sealed record Subjects(string Renewing, string Recent, long RenewingPositioningUntil, long RenewingMarketingUntil, long RecentPersonalizationUntil,
        IReadOnlyList<string> NeverListed, IReadOnlyList<string> Identifiers);
}
