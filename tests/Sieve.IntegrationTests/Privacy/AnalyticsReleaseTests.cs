using System.Globalization;
using Sieve.Commands.Privacy;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Policy;
using Sieve.Core.Privacy;
using Sieve.Embedded;
using Sieve.Simulation.Mobility;
using Sieve.Testing.Cli;
using Sieve.Testing.EndToEnd;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.Privacy;

/// <summary>
/// The finding of the anonymous-analytics issue, measured through the real Minimizer over Kafka: one simulated day of a
/// dense city, nobody consenting, read back from <c>analytics.v1</c> as an attacker would, with ground truth from the
/// city. Today's release singles out most vehicles; these assertions document the gap. When the protections land,
/// the thresholds flip to the targets (unicity at 4 points ≤ 5 %, home/work ≤ 1 %, no cell below k = 5).
/// </summary>
/// <remarks>Runs on a mock cluster of its own, with 16-partition topics: the mock keeps at most 5 MiB a partition.</remarks>
[Collection(EndToEndCollection.Name)]
public sealed class AnalyticsReleaseTests(ITestOutputHelper output)
{
    private const int Vehicles = 1_000;
    private const int Seed = 2026;
    private const int Partitions = 16;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Todays_analytics_release_through_the_minimizer_singles_out_most_vehicles_and_the_audit_adds_up()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        PipelineTopics topics = await PipelineTopics.CreateAsync(cluster, "privacy", rawPartitions: Partitions, purposePartitions: Partitions);
        CompiledPolicy policy = topics.Policy();
        PurposePlan analytics = policy.FindPurpose(KnownPurposes.Analytics)!;
        (int precision, long bucketMillis) = PrivacyCommand.Generalization(analytics);
        Assert.Equal((5, 15 * 60_000L), (precision, bucketMillis));

        var city = new MobilitySimulator(CityProfile.Dense(Vehicles), Seed);
        var identities = new MobilityRecords(Seed);
        var data = new ReleasedDataset(bucketMillis, city.Profile.UtcOffsetMinutes);
        SimulatedTruth truth = SimulatedTruth.Build(city, identities, new PseudonymKeyFactory(MasterKeyRing.CreateDemo()), analytics.Name, daily: true, precision, data);
        var reader = new ReleaseReader(data, truth);
        using TopicTail<AuditEntry> audit = TopicTail<AuditEntry>.Start(cluster.BootstrapServers, topics.Audit, OutputDecoder.Audit);

        CityRunResult run = await CityRun.RunAsync(cluster.BootstrapServers, policy, topics.ToOptions(), topics.Analytics, city, identities, reader, "privacy-test", CancellationToken.None);
        output.WriteLine($"{run.Produced:N0} raw records, {reader.Measured:N0} analytics records read in {run.Elapsed.TotalSeconds:0.0} s");

        // The audit adds up: analytics needs no consent, so everything not quarantined is forwarded to it, and nothing
        // reaches the consent purposes of a city where nobody consented.
        List<AuditEntry> entries = (await audit.ReadToEndAsync(Wait)).Select(r => r.Value).ToList();
        AuditLedger.AssertBalanced(entries, [KnownPurposes.Positioning, KnownPurposes.Personalization, KnownPurposes.Analytics]);
        Assert.Equal(run.Produced, AuditLedger.Inputs(entries));
        Dictionary<string, PurposeCounts> totals = AuditLedger.Totals(entries);
        long quarantined = AuditLedger.Quarantined(entries).Values.Sum();
        Assert.Equal(run.Produced - quarantined, totals[KnownPurposes.Analytics].Forwarded);
        Assert.Equal(0, totals[KnownPurposes.Positioning].Forwarded);
        Assert.Equal(0, totals[KnownPurposes.Personalization].Forwarded);

        // Every forwarded record was read back, and every pseudonym is one of the city's vehicles on one UTC day.
        Assert.Equal(totals[KnownPurposes.Analytics].Forwarded, reader.Measured);
        Assert.Equal(0, reader.Skipped);
        Assert.Equal(0, reader.Unattributed);

        PrivacyReport report = PrivacyAudit.Measure(data, new PrivacyAuditOptions { Label = $"analytics.v1 through the Minimizer, dense, {Vehicles:N0} vehicles, seed {Seed}", Seed = Seed });
        output.WriteLine(report.ToTable());

        // The local day spans two UTC days, and the daily pseudonym turns at UTC midnight (08:00 in Shanghai).
        Assert.Equal(2 * Vehicles, report.Traces);
        Assert.Equal(1.0, report.Utility.ReleasedShare, 6);

        // Today: re-identifying. Targets once protected: <= 5 %, <= 1 %, none below k.
        Assert.True(report.Unicity[3].Share > 0.4, $"unicity at p = 4 was {report.Unicity[3].Share:P1}");
        Assert.True(report.UnicityMoving[3].Share > 0.5, $"unicity of moving points at p = 4 was {report.UnicityMoving[3].Share:P1}");
        Assert.True(report.HomeWork.LinkedShare > 0.5, $"home/work linked {report.HomeWork.LinkedShare:P1}");
        Assert.True(report.HomeWork.SingledOut > 0, "some commuters are singled out by their (home, work) pair");
        Assert.True(report.CellK.RecordsBelowK > 0, "records in (cell, bucket)s of fewer than 5 vehicles are released");

        // The same topic read by 'sieve privacy' without ground truth: every record, the same traces, labelled as such.
        CliResult fromTopic = await CliRunner.RunAsync("privacy", "--bootstrap", cluster.BootstrapServers, "--topic", topics.Analytics);
        output.WriteLine(fromTopic.All);
        Assert.Equal(0, fromTopic.ExitCode);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{reader.Measured:N0} telematics records measured, 0 skipped"), fromTopic.Out, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{2 * Vehicles:N0} traces, {reader.Measured:N0} released records"), fromTopic.Out, StringComparison.Ordinal);
        Assert.Contains("no ground truth: k counts distinct pseudonyms per (cell, bucket), an upper bound", fromTopic.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sieve_privacy_simulate_prints_the_report_table()
    {
        string json = Path.Combine(Path.GetTempPath(), "sieve-privacy-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            CliResult result = await CliRunner.RunAsync("privacy", "--simulate", "sparse", "--vehicles", "200", "--seed", "7", "--json", json);
            output.WriteLine(result.All);

            Assert.Equal(0, result.ExitCode);
            Assert.Equal("", result.Error);
            Assert.Contains("simulating one day of the sparse-metropolis city (200 vehicles, seed 7, nobody consenting)", result.Out, StringComparison.Ordinal);
            Assert.Contains("privacy report: analytics release of the sparse-metropolis city, 200 vehicles, seed 7", result.Out, StringComparison.Ordinal);
            Assert.Contains("unicity, p = 4 (all points / moving points)", result.Out, StringComparison.Ordinal);
            Assert.Contains("commuters with home and work cells under one pseudonym", result.Out, StringComparison.Ordinal);
            Assert.Contains("released records in a (cell, bucket) with k < 5", result.Out, StringComparison.Ordinal);
            Assert.Contains("eligible (moving) points released", result.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("no ground truth", result.Out, StringComparison.Ordinal);

            using var document = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(json));
            Assert.True(document.RootElement.GetProperty("groundTruth").GetBoolean());
            Assert.Equal(400, document.RootElement.GetProperty("report").GetProperty("traces").GetInt32());
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Fact]
    public async Task Sieve_privacy_without_a_source_is_one_usage_line()
    {
        CliResult result = await CliRunner.RunAsync("privacy");
        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("give exactly one of --simulate", line, StringComparison.Ordinal);

        result = await CliRunner.RunAsync("privacy", "--simulate", "mars");
        Assert.Contains("--simulate needs dense or sparse", CliRunner.SingleErrorLine(result, 2), StringComparison.Ordinal);

        result = await CliRunner.RunAsync("privacy", "--simulate", "dense", "--purpose", "nothing");
        Assert.Contains("--purpose 'nothing' is not a purpose of the policy", CliRunner.SingleErrorLine(result, 2), StringComparison.Ordinal);
    }
}
