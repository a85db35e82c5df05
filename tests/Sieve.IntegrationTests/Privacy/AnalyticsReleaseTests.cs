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
/// The anonymous-analytics targets, measured through the real Minimizer and its release stage over Kafka: one simulated
/// day of a city, nobody consenting, read back from <c>analytics.v1</c> as an attacker would, with ground truth from
/// the city. The shipped policy's <c>anonymize</c> block must hold the bounds: unicity at 4 points and home/work
/// linkage at most 5 % and 1 %, no released (cell, bucket) below k = 5, at most 10 % of consecutive segments re-linked,
/// and the released share of moving points and the per-cell counts within the utility bounds.
/// </summary>
/// <remarks>Runs on a mock cluster of its own, with 16-partition topics: the mock keeps at most 5 MiB a partition.</remarks>
[Collection(EndToEndCollection.Name)]
public sealed class AnalyticsReleaseTests(ITestOutputHelper output)
{
    private const int Seed = 2026;
    private const int Partitions = 16;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_dense_city_of_10000_vehicles_is_released_within_the_anonymity_and_utility_bounds_and_the_audit_adds_up()
    {
        (PrivacyReport report, _) = await MeasureAsync(CityProfile.Dense(10_000), "dense");

        AssertAnonymous(report);
        Assert.True(report.Utility.ReleasedShare >= 0.60, $"released {report.Utility.ReleasedShare:P1} of moving points");
        Assert.True(report.Utility.Counts.CellsCompared > 100, $"only {report.Utility.Counts.CellsCompared} (cell, bucket)s of 50 or more vehicles");
        AssertCountsWithinTenPercent(report);
    }

    [Fact]
    public async Task A_sparse_fleet_of_5000_vehicles_over_a_metropolis_is_released_within_the_anonymity_and_utility_bounds()
    {
        (PrivacyReport report, ReleaseReader reader) = await MeasureAsync(CityProfile.SparseMetropolis(5_000), "sparse");

        AssertAnonymous(report);
        Assert.True(report.Utility.ReleasedShare >= 0.30, $"released {report.Utility.ReleasedShare:P1} of moving points");
        Assert.True(report.Utility.Counts.CellsCompared > 50, $"only {report.Utility.Counts.CellsCompared} (cell, bucket)s of 50 or more vehicles");
        AssertCountsWithinTenPercent(report);

        // The same topic read by 'sieve privacy' without ground truth sees what an attacker sees: no pseudonym is a vehicle's.
        Assert.Equal(0, reader.Unattributed);
    }

    private static void AssertAnonymous(PrivacyReport report)
    {
        // A trace too short for 4 points cannot be singled out by 4: the share is then of no traces at all.
        Assert.True(Share(report.Unicity[3]) <= 0.05, $"unicity at p = 4 was {report.Unicity[3].Share:P1} of {report.Unicity[3].Sampled}");
        Assert.True(Share(report.UnicityMoving[3]) <= 0.05, $"unicity of moving points at p = 4 was {report.UnicityMoving[3].Share:P1}");
        Assert.True(report.HomeWork.Commuters > 0);
        Assert.True(report.HomeWork.LinkedShare <= 0.01, $"home/work under one pseudonym for {report.HomeWork.LinkedShare:P1} of commuters");
        Assert.Equal(0, report.CellK.RecordsBelowK);
        Assert.True(report.CellK.MinK >= 5, $"a released (cell, bucket) had {report.CellK.MinK} vehicles");
        Assert.True(report.Chaining.TruePairs > 1000, $"only {report.Chaining.TruePairs} consecutive segment pairs");
        Assert.True(report.Chaining.Recall <= 0.10, $"chaining re-linked {report.Chaining.Recall:P1} of consecutive segments");
    }

    /// <summary>Every (cell, bucket) of 50 or more moving vehicles has a published count within 10 % of the truth.</summary>
    private static void AssertCountsWithinTenPercent(PrivacyReport report)
    {
        CountAccuracy counts = report.Utility.Counts;
        Assert.Equal(counts.CellsCompared, report.Utility.PublishedCells);
        Assert.True(counts.MaxRelativeError <= 0.10, $"a busy (cell, bucket)'s published count was off by {counts.MaxRelativeError:P1}; {counts.WithinTenPercent} of {counts.CellsCompared} within 10 %");
        Assert.Equal(counts.CellsCompared, counts.WithinTenPercent);
    }

    private static double Share(UnicityResult r) => r.Sampled == 0 ? 0 : r.Share;

    private async Task<(PrivacyReport Report, ReleaseReader Reader)> MeasureAsync(CityProfile profile, string name)
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        PipelineTopics topics = await PipelineTopics.CreateAsync(cluster, "privacy-" + name, rawPartitions: Partitions, purposePartitions: Partitions);
        CompiledPolicy policy = topics.Policy();
        PurposePlan analytics = policy.FindPurpose(KnownPurposes.Analytics)!;
        (int precision, long bucketMillis) = PrivacyCommand.Generalization(analytics);
        Assert.Equal((5, 15 * 60_000L), (precision, bucketMillis));

        var city = new MobilitySimulator(profile, Seed);
        var identities = new MobilityRecords(Seed);
        var data = new ReleasedDataset(bucketMillis, city.Profile.UtcOffsetMinutes);
        SimulatedTruth truth = SimulatedTruth.Build(city, identities, new PseudonymKeyFactory(MasterKeyRing.CreateDemo()), analytics.Name, daily: false, precision, data);
        var reader = new ReleaseReader(data, truth);
        using TopicTail<AuditEntry> audit = TopicTail<AuditEntry>.Start(cluster.BootstrapServers, topics.Audit, OutputDecoder.Audit);

        CityRunResult run = await CityRun.RunAsync(cluster.BootstrapServers, policy, topics.ToOptions(), topics.Analytics, city, identities, reader,
            "privacy-test-" + name, CancellationToken.None, truth);
        output.WriteLine($"{run.Produced:N0} raw records, {reader.Measured:N0} analytics records read in {run.Elapsed.TotalSeconds:0.0} s");

        // The audit adds up in both stages: every raw input is accounted for, analytics needs no consent so every
        // located input is held for its release stage, which accounts for each held record as forwarded or withheld
        // with a reason; nothing reaches the consent purposes of a city where nobody consented.
        List<AuditEntry> entries = (await audit.ReadToEndAsync(Wait)).Select(r => r.Value).ToList();
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
        Assert.Equal(run.Produced, AuditLedger.Inputs(entries));
        Dictionary<string, PurposeCounts> totals = AuditLedger.Totals(entries);
        long quarantined = AuditLedger.Quarantined(entries).Values.Sum();
        Assert.Equal(0, totals[KnownPurposes.Analytics].Forwarded);
        Assert.Equal(run.Produced - quarantined, totals[KnownPurposes.Analytics].Held);
        Assert.Equal(0, totals[KnownPurposes.Positioning].Forwarded);
        Assert.Equal(0, totals[KnownPurposes.Personalization].Forwarded);
        PurposeCounts released = AuditLedger.ReleaseTotals(entries)[KnownPurposes.Analytics];
        Assert.Equal(totals[KnownPurposes.Analytics].Held, AuditLedger.ReleaseInputs(entries));
        Assert.Equal(released.Total, AuditLedger.ReleaseInputs(entries));
        Assert.True(released.WithheldParked > 0 && released.WithheldTrimmed > 0 && released.WithheldGap > 0, "every release reason is exercised");
        output.WriteLine($"release stage: {released.Forwarded:N0} forwarded, withheld {released.WithheldParked:N0} parked, {released.WithheldTrimmed:N0} trimmed, " +
            $"{released.WithheldGap:N0} gap, {released.WithheldZone:N0} zone, {released.WithheldSparseCell:N0} sparse cell");

        // Every forwarded record was read back, and every segment pseudonym belongs to one vehicle of the city.
        Assert.Equal(released.Forwarded, reader.Measured);
        Assert.Equal(0, reader.Skipped);
        Assert.Equal(0, reader.Unattributed);
        Assert.Equal(0, data.InconsistentPublishedCounts);

        PrivacyReport report = PrivacyAudit.Measure(data, new PrivacyAuditOptions { Label = $"analytics.v1 through the Minimizer, {profile.Name}, {city.VehicleCount:N0} vehicles, seed {Seed}", Seed = Seed });
        output.WriteLine(report.ToTable());
        return (report, reader);
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
            Assert.True(document.RootElement.GetProperty("report").GetProperty("traces").GetInt32() > 0);
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
