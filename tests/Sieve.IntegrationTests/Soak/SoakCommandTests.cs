using System.Text.RegularExpressions;
using Sieve.Testing.Cli;
using Sieve.Testing.EndToEnd;

namespace Sieve.IntegrationTests.Soak;

/// <summary>
/// A short <c>sieve soak</c>: the three services as processes under load, each SIGKILLed at least once, and the
/// report's checks from outside (the 30-minute run is in docs/reliability.md; this one shows the command works).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed partial class SoakCommandTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task A_short_soak_with_every_service_killed_loses_nothing_and_leaks_nothing()
    {
        string dir = Directory.CreateTempSubdirectory("sieve-soak-test-").FullName;
        string report = Path.Combine(dir, "report.txt");

        // With this seed the kills go Ingest, Sink, Ingest, Sink, Minimizer: five kills reach all three services.
        CliResult result = await CliRunner.RunAsync("soak", "--minutes", "1", "--kill-every", "6-10", "--vehicles", "10", "--visitors", "10",
            "--seed", "2026", "--dir", Path.Combine(dir, "work"), "--report", report);
        output.WriteLine(result.All);

        Assert.True(result.ExitCode == 0, result.All);
        string text = await File.ReadAllTextAsync(report);
        Assert.Contains("verdict     PASS", text, StringComparison.Ordinal);
        Match kills = Kills().Match(text);
        Assert.True(kills.Success, text);
        Assert.InRange(int.Parse(kills.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 5, 20);
        Assert.Matches(@"kills .*Ingest [1-9]", text);
        Assert.Matches(@"kills .*Minimizer [1-9]", text);
        Assert.Matches(@"kills .*Sink [1-9]", text);

        // What the checks counted is real: records were acked, audited and landed.
        Assert.Matches(@"units: [1-9][\d,]* records acked", text);
        Assert.Matches(@"acked but not in the raw topic: 0 telematics, 0 Wi-Fi", text);
        Assert.Matches(@"raw inputs: [1-9][\d,]* audited, 0 not", text);
        Assert.Matches(@"positioning\.v1 +[1-9][\d,]* +[1-9][\d,]* +0 +0", text);
        Assert.Matches(@"looked for in [1-9][\d,]* items: 0 found", text);
        Assert.True(Directory.EnumerateFiles(Path.Combine(dir, "work", "logs"), "ingest-*.log").Count() >= 2, "Ingest was started again after its kill");
    }

    [GeneratedRegex(@"kills +(\d+) SIGKILLs")]
    private static partial Regex Kills();
}
