using Sieve.Contracts.Purposes;
using Sieve.Core.Privacy;
using Sieve.Testing.Cli;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Sieve.Testing.Recall;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// Safety notices are not marketing: a customer who unsubscribed from marketing gets no marketing record, and the
/// owner of a vehicle that unsubscribed is still reached by a recall. The real Minimizer seals the VIN to the
/// escrow; a quality engineer lists quality pseudonyms; two approvers sign; `sieve recall resolve` writes the VIN.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RecallEndToEndTests(KafkaFixture kafka, RedisFixture redis) : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private const int Events = 6;
    private readonly string _dir = Directory.CreateTempSubdirectory("sieve-recall-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public async Task An_unsubscribed_customer_gets_no_marketing_and_its_vehicle_is_still_reached_by_a_two_approver_recall()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "recall", rawPartitions: 1);
        var fleet = new TestFleet(seed: 4242);
        TestSubject vehicle = fleet.Vehicle("recalled vehicle", withDriver: true, KnownPurposes.Positioning, KnownPurposes.Marketing);
        TestSubject visitor = fleet.PhoneVisitor("unsubscribed visitor", KnownPurposes.Personalization, KnownPurposes.Marketing);

        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var quality = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Quality, r => OutputDecoder.Purpose(r, "QualityRecord"));
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs, "recall");
        using var producer = new RawProducer(kafka.BootstrapServers);
        var oracle = new PseudonymOracle(minimizer.Keys);

        // Both granted marketing an hour ago and unsubscribed a minute ago.
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var changes = fleet.All.SelectMany(s => s.InitialChanges(now - 3_600_000)).ToList();
        changes.Add(vehicle.Change(KnownPurposes.Marketing, granted: false, now - 60_000));
        changes.Add(visitor.Change(KnownPurposes.Marketing, granted: false, now - 60_000));
        await producer.SendConsentAsync(topics.ConsentChanges, changes);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == changes.Count, Wait,
            () => "consent loader stored " + minimizer.Loader.Stored + " of " + changes.Count, minimizer.ThrowIfStopped);

        for (int i = 0; i < Events; i++)
        {
            await producer.SendEventAsync(topics, vehicle, now - 30_000 + i);
            await producer.SendEventAsync(topics, visitor, now - 30_000 + i);
        }

        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= 2 * Events, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + (2 * Events), minimizer.ThrowIfStopped);
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
        var inputs = entries.Where(e => !e.IsRelease).ToList();
        Assert.Equal(Events, inputs.Where(e => e.SourceTopic == topics.WifiRaw).Sum(e => e.Purposes[KnownPurposes.Marketing].WithheldWithdrawn));
        Assert.Equal(0, inputs.Sum(e => e.Purposes[KnownPurposes.Marketing].Forwarded));
        Assert.Equal(Events, inputs.Where(e => e.SourceTopic == topics.TelematicsRaw).Sum(e => e.Purposes[KnownPurposes.Quality].Forwarded));

        // The quality engineer sees only pseudonyms; the escrow holds the vehicle's VIN sealed, never in the clear.
        string qualityPseudonym = oracle.Stable(KnownPurposes.Quality, vehicle);
        List<PurposeRecord> qualityRecords = await quality.WaitForAsync(r => r.Count >= Events, Wait, r => r.Count + " quality records", minimizer.ThrowIfStopped);
        Assert.All(qualityRecords, r => Assert.Equal(qualityPseudonym, r.Key));
        RawIdentifierScanner scanner = fleet.Scanner();
        await scanner.AssertTopicsCleanAsync(kafka.BootstrapServers, topics.Outputs);
        scanner.AssertClean(logs.Lines, "the minimizer's log");

        // Two approvers resolve the pseudonyms the engineer found, plus the vehicle's positioning pseudonym, which the
        // escrow does not know.
        await OperatorsAsync("alice", "bob");
        File.WriteAllLines(PathOf("found.txt"), [qualityPseudonym, oracle.Stable(KnownPurposes.Positioning, vehicle)]);
        Ok(await CliRunner.RunAsync("recall", "request", "--campaign", "R2026-E2E", "--legal-basis", "recall regulation, filing R2026-E2E",
            "--pseudonyms", PathOf("found.txt"), "--out", PathOf("request.json")));
        string[] approvals = [await ApproveAsync("alice"), await ApproveAsync("bob")];

        CliResult alone = await ResolveAsync(topics, [approvals[0]], PathOf("alone.csv"));
        Assert.Equal(1, alone.ExitCode);
        Assert.False(File.Exists(PathOf("alone.csv")));

        CliResult resolved = await ResolveAsync(topics, approvals, PathOf("vins.csv"));
        Ok(resolved);
        Assert.Equal([qualityPseudonym + "," + vehicle.Id], File.ReadAllLines(PathOf("vins.csv")).Where(l => l != "pseudonym,vin"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PathOf("vins.csv")));
        }

        Assert.DoesNotContain(vehicle.Id, resolved.All, StringComparison.Ordinal);
        Assert.DoesNotContain(vehicle.Id, alone.All, StringComparison.Ordinal);
    }

    private async Task OperatorsAsync(params string[] operators)
    {
        Directory.CreateDirectory(PathOf("approvers"));
        Directory.CreateDirectory(PathOf("keys"));
        foreach (string op in operators)
        {
            Ok(await CliRunner.RunAsync("recall", "operator-key", "--operator", op, "--out", PathOf("keys")));
            File.Copy(PathOf($"keys/{op}.pub.pem"), PathOf($"approvers/{op}.pub.pem"));
        }
    }

    private async Task<string> ApproveAsync(string op)
    {
        string output = PathOf(op + ".approval.json");
        Ok(await CliRunner.RunAsync("recall", "approve", "--request", PathOf("request.json"), "--operator", op, "--key", PathOf($"keys/{op}.key.pem"), "--out", output));
        return output;
    }

    private Task<CliResult> ResolveAsync(PipelineTopics topics, string[] approvals, string output)
    {
        var args = new List<string> { "recall", "resolve", "--request", PathOf("request.json") };
        foreach (string approval in approvals)
        {
            args.AddRange(["--approval", approval]);
        }

        args.AddRange(["--approvers", PathOf("approvers"), "--recall-key", TestRecallKey.Path, "--bootstrap", kafka.BootstrapServers,
            "--escrow-topic", topics.QualityEscrow, "--audit-topic", topics.QualityEscrow + ".audit", "--out", output]);
        return CliRunner.RunAsync([.. args]);
    }

    private static void Ok(CliResult result) => Assert.True(result.ExitCode == 0, result.All);
}
