using System.Net.Sockets;
using System.Net;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Embedded;
using Sieve.Testing.Cli;
using Sieve.Testing.Consent;

namespace Sieve.IntegrationTests.Cli;

public sealed class ConsentShowCommandTests
{
    private const string Vin = "LSVAU218XN2183294";

    [Fact]
    public async Task Shows_the_record_written_through_the_store_and_the_pseudonyms()
    {
        using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        string consentKey;
        using (PseudonymKey index = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch))
        {
            consentKey = index.ComputeString(SubjectType.Vin, Vin);
        }

        long granted = DateTimeOffset.Parse("2026-11-25T07:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
        await using (RedisConsentStore store = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(server.Configuration)))
        {
            Assert.True(await store.ApplyAsync(new ConsentUpdate(consentKey, KnownPurposes.IndexOf(KnownPurposes.Positioning), true, granted, "2026-11-01", minor: false)));
            Assert.True(await store.ApplyAsync(new ConsentUpdate(consentKey, KnownPurposes.IndexOf(KnownPurposes.Personalization), false, granted + 60_000, "2026-11-02", minor: true)));
            Assert.True(await store.ApplyAsync(new ConsentUpdate(consentKey, KnownPurposes.IndexOf(KnownPurposes.Marketing), true, granted, "2026-11-01", minor: false,
                expiresAtMillis: granted + (30L * 86_400_000))));
        }

        // Lower case: the command normalizes before it derives the consent key.
        CliResult result = await CliRunner.RunAsync("consent", "show", "--type", "vin", "--id", Vin.ToLowerInvariant(), "--redis", server.Configuration, "--demo-keys");

        Assert.True(result.ExitCode == 0, result.Error);
        string[] lines = result.Out.Split('\n');
        Assert.Contains(consentKey, result.Out, StringComparison.Ordinal);
        Assert.Single(lines, l => l.Contains("positioning", StringComparison.Ordinal) && l.Contains("granted", StringComparison.Ordinal)
                                  && l.Contains("2026-11-25T07:00:00.000Z", StringComparison.Ordinal) && l.Contains("2026-11-01", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("personalization", StringComparison.Ordinal) && l.Contains("withdrawn", StringComparison.Ordinal)
                                  && l.Contains("2026-11-25T07:01:00.000Z", StringComparison.Ordinal) && l.Contains("2026-11-02", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("minor", StringComparison.Ordinal) && l.Contains("yes", StringComparison.Ordinal));

        // Expiry: positioning's 365-day consentMaxAge under the shipped policy; marketing (not in it) only by its own end.
        Assert.Single(lines, l => l.Contains("positioning", StringComparison.Ordinal) && l.Contains("2027-11-25T07:00:00.000Z", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("marketing", StringComparison.Ordinal) && l.Contains("2026-12-25T07:00:00.000Z", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("after-sales", StringComparison.Ordinal) && !l.Contains("never", StringComparison.Ordinal));

        using (PseudonymKey positioning = factory.Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch))
        {
            string pseudonym = positioning.ComputeString(SubjectType.Vin, Vin);
            Assert.Single(lines, l => l.Contains("demo-1/positioning/stable", StringComparison.Ordinal) && l.Contains(pseudonym, StringComparison.Ordinal));
        }

        Assert.Single(lines, l => l.Contains("analytics", StringComparison.Ordinal) && l.Contains("random per trip segment", StringComparison.Ordinal));
        Assert.DoesNotContain(Vin, result.All, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task After_an_erasure_show_says_erased_and_withheld_for_every_purpose_in_json_too_and_nothing_wraps_when_piped()
    {
        using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        string consentKey;
        using (PseudonymKey index = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch))
        {
            consentKey = index.ComputeString(SubjectType.Vin, Vin);
        }

        long granted = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds();
        await using (RedisConsentStore store = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(server.Configuration)))
        {
            Assert.True(await store.ApplyAsync(new ConsentUpdate(consentKey, KnownPurposes.IndexOf(KnownPurposes.Positioning), false, granted, "2026-11-01", minor: false)));
            Assert.True(await store.ApplyAsync(new ConsentUpdate(consentKey, KnownPurposes.IndexOf(KnownPurposes.Personalization), true, granted, "2026-11-01", minor: false)));
        }

        CliResult before = await CliRunner.RunAsync("consent", "show", "--type", "vin", "--id", Vin, "--redis", server.Configuration, "--demo-keys");
        Assert.True(before.ExitCode == 0, before.Error);
        string[] lines = before.Out.Split('\n');
        Assert.Single(lines, l => l.Contains("erased", StringComparison.Ordinal) && l.Contains(" no", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("personalization", StringComparison.Ordinal) && l.Contains("granted", StringComparison.Ordinal) && l.Contains("forwarded", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("positioning", StringComparison.Ordinal) && l.Contains("withheld: consent-withdrawn", StringComparison.Ordinal));

        await using (RedisConsentStore store = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(server.Configuration)))
        {
            Assert.True(await store.MarkErasedAsync(consentKey));
        }

        // Piped: a plain console that reports the usual 80 columns.
        var stdout = new StringWriter();
        var console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings
        {
            Out = new Spectre.Console.AnsiConsoleOutput(stdout),
            Ansi = Spectre.Console.AnsiSupport.No,
            ColorSystem = Spectre.Console.ColorSystemSupport.NoColors,
            Interactive = Spectre.Console.InteractionSupport.No,
        });
        console.Profile.Width = 80;
        int exitCode = await Sieve.Commands.SieveCli.RunAsync(["consent", "show", "--type", "vin", "--id", Vin, "--redis", server.Configuration, "--demo-keys"],
            console, new StringWriter(), CancellationToken.None);
        Assert.Equal(0, exitCode);
        lines = stdout.ToString().Split('\n');
        Assert.Single(lines, l => l.Contains("erased", StringComparison.Ordinal) && l.Contains("yes: the subject was erased", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("consent key " + consentKey + " (key demo-1/consent-index/stable)", StringComparison.Ordinal));
        foreach (string purpose in KnownPurposes.All)
        {
            Assert.Single(lines, l => l.Contains(" " + purpose + " ", StringComparison.Ordinal) && l.Contains("withheld: erased", StringComparison.Ordinal));
        }

        using (PseudonymKey positioning = factory.Create(KnownPurposes.Positioning, PseudonymKeyFactory.StableEpoch))
        {
            string pseudonym = positioning.ComputeString(SubjectType.Vin, Vin);
            Assert.Single(lines, l => l.Contains("demo-1/positioning/stable", StringComparison.Ordinal) && l.Contains(pseudonym, StringComparison.Ordinal));
        }

        CliResult json = await CliRunner.RunAsync("consent", "show", "--type", "vin", "--id", Vin, "--redis", server.Configuration, "--demo-keys", "--json");
        Assert.True(json.ExitCode == 0, json.Error);
        using var document = System.Text.Json.JsonDocument.Parse(json.Out);
        Assert.True(document.RootElement.GetProperty("erased").GetBoolean());
        Assert.False(document.RootElement.GetProperty("minor").GetBoolean());
        Assert.Equal(consentKey, document.RootElement.GetProperty("consentKey").GetString());
        var purposes = document.RootElement.GetProperty("purposes").EnumerateArray().ToDictionary(p => p.GetProperty("purpose").GetString()!);
        Assert.Equal("withdrawn", purposes["positioning"].GetProperty("state").GetString());
        Assert.All(purposes.Values, p => Assert.Equal("withheld: erased", p.GetProperty("inForce").GetString()));
        Assert.Contains(document.RootElement.GetProperty("pseudonyms").EnumerateArray(), p => p.GetProperty("keyId").GetString() == "demo-1/positioning/stable");
        Assert.DoesNotContain(Vin, json.All + stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Unknown_subject_shows_no_decisions()
    {
        using RedisServerProcess server = await RedisServerProcess.StartNewAsync();

        CliResult result = await CliRunner.RunAsync("consent", "show", "--type", "phone", "--id", "+86 139 1762 0458", "--redis", server.Configuration, "--demo-keys");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("no record", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("granted", result.Out, StringComparison.Ordinal);
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

        CliResult result = await CliRunner.RunAsync("consent", "show", "--type", "vin", "--id", Vin, "--redis", "127.0.0.1:" + port, "--demo-keys");

        string line = CliRunner.SingleErrorLine(result, 1);
        Assert.Contains("127.0.0.1:" + port, line, StringComparison.Ordinal);
        Assert.Contains("--redis", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_key_options_are_a_usage_error()
    {
        CliResult result = await CliRunner.RunAsync("consent", "show", "--type", "vin", "--id", Vin, "--keys", "keys.json", "--demo-keys");

        CliRunner.SingleErrorLine(result, 2);
    }

    [Fact]
    public async Task A_missing_keys_file_is_one_usage_error_that_says_how_to_make_one()
    {
        string missing = Path.Combine(Path.GetTempPath(), "sieve-absent-" + Guid.NewGuid().ToString("N") + ".json");

        CliResult result = await CliRunner.RunAsync("consent", "show", "--type", "vin", "--id", "LSVAU218XN2183294", "--redis", "127.0.0.1:1", "--keys", missing);

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("does not exist; pass --keys the Sieve keys file (make one with 'sieve keys generate')", line, StringComparison.Ordinal);
        Assert.DoesNotContain("LSVAU218XN2183294", result.All, StringComparison.Ordinal);
    }
}
