using Sieve.Core.Privacy;
using System.Collections.Concurrent;
using System.Diagnostics;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Engine;
using Sieve.Embedded;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>The Minimizer service process is killed (SIGKILL) mid-stream and started again, in either delivery mode.</summary>
/// <remarks>
/// Runs on a mock cluster of its own (in this process; the service connects to it over loopback TCP) because it
/// slows the broker down to make the kill land inside a batch's commit, and because what it tolerates (repeats) is
/// specific to the mock.
/// </remarks>
[Collection(EndToEndCollection.Name)]
public sealed class ProcessRestartTests(RedisFixture redis, ITestOutputHelper output)
{
    private const int TotalEvents = 3000;
    private static readonly TimeSpan BurstPause = TimeSpan.FromMilliseconds(10);

    // Past TotalEvents the producer slows down and goes on until the second run has started, so the kill is always
    // mid-stream however long a loaded machine takes, and the mock's ~5 MB per partition is never reached.
    private static readonly TimeSpan SlowBurstPause = TimeSpan.FromMilliseconds(250);
    private const int EventsPerBurst = 20;
    private const int AuditedBeforeKill = 300;
    private static readonly TimeSpan SlowBroker = TimeSpan.FromMilliseconds(30);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string Positioning = KnownPurposes.Positioning;
    private static readonly string Personalization = KnownPurposes.Personalization;

    [Theory]
    [InlineData(DeliveryMode.ExactlyOnce)]
    [InlineData(DeliveryMode.AtLeastOnce)]
    public async Task A_killed_minimizer_process_resumes_from_its_commits_and_loses_no_input(DeliveryMode delivery)
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        string bootstrapServers = cluster.BootstrapServers;
        PipelineTopics topics = await PipelineTopics.CreateAsync(cluster, "restart", rawPartitions: 3);
        var fleet = new TestFleet(seed: 505);
        for (int i = 0; i < 6; i++)
        {
            TestSubject vehicle = i < 4 ? fleet.Vehicle("vehicle " + i, withDriver: i == 1, Positioning, Personalization) : fleet.Vehicle("vehicle " + i, withDriver: i == 5);
            vehicle.Partition = i % 3;
        }

        fleet.PhoneVisitor("phone visitor", Positioning, Personalization).Partition = 0;
        fleet.DeviceVisitor("device visitor", Positioning).Partition = 1;
        fleet.MacVisitor("mac visitor").Partition = 2;
        IReadOnlyList<TestSubject> subjects = fleet.All;

        string policyPath = Path.Combine(Path.GetTempPath(), "sieve-e2e-policy-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(policyPath, topics.PolicyJson());
        string[] arguments =
        [
            .. MinimizerProcess.Arguments(bootstrapServers, redis.Configuration, topics, policyPath, "restart"),
            "--Minimizer:Delivery=" + delivery,

            // A killed member stays in its group until its session times out, and the restarted one's join waits for
            // that: a short session keeps the restart quick (librdkafka's default is 45 s).
            "--Kafka:Properties:session.timeout.ms=4000",
            "--Kafka:Properties:heartbeat.interval.ms=500",
        ];

        var lines = new ConcurrentQueue<string>();
        using var audit = TopicTail<AuditEntry>.Start(bootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var producer = new RawProducer(bootstrapServers);
        try
        {
            long eventTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
            await producer.SendConsentAsync(topics.ConsentChanges, subjects.SelectMany(s => s.InitialChanges(eventTime - 3_600_000)));

            var sent = new ConcurrentQueue<SentEvent>();
            using var restartedSignal = new CancellationTokenSource();
            Task producing = Task.Run(async () =>
            {
                for (int n = 0; n < TotalEvents || !restartedSignal.IsCancellationRequested;)
                {
                    var burst = new List<(TestSubject, long)>();
                    for (int i = 0; i < EventsPerBurst; i++, n++)
                    {
                        burst.Add((subjects[n % subjects.Count], eventTime + n));
                    }

                    foreach (SentEvent e in await producer.SendEventsAsync(topics, burst))
                    {
                        sent.Enqueue(e);
                    }

                    await Task.Delay(n < TotalEvents ? BurstPause : SlowBurstPause);
                }
            });

            // First run: until some batches are audited. Then every broker response is delayed, which stretches the
            // commit that follows a batch's writes (offsets to the transaction, end of transaction, plain offset
            // commit: several round trips), and the process is killed (SIGKILL) as soon as the next audit record is
            // visible, most likely inside that window: mid-stream and mid-batch.
            ServiceProcess first = MinimizerProcess.Start(arguments, lines);
            long started = Stopwatch.GetTimestamp();
            await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= AuditedBeforeKill, Wait,
                e => "audited " + AuditLedger.Inputs(e) + " inputs before the kill", () => first.ThrowIfExited(lines));
            cluster.SetBrokerRtt(-1, SlowBroker);
            int recordsBeforeSlow = audit.Snapshot().Count;
            await audit.WaitForAsync(e => e.Count > recordsBeforeSlow, Wait, e => "no audit record with a slow broker", () => first.ThrowIfExited(lines));
            first.Kill();
            cluster.SetBrokerRtt(-1, TimeSpan.Zero);
            long killed = Stopwatch.GetTimestamp();
            int producedAtKill = sent.Count;
            List<AuditEntry> beforeKill = [.. (await audit.ReadToEndAsync(Wait)).Select(r => r.Value)];
            first.Dispose();

            // Second run, same instance id (in exactly-once mode it fences the first one's transactional producer) and group.
            using ServiceProcess second = MinimizerProcess.Start(arguments, lines);
            long restarted = Stopwatch.GetTimestamp();
            // The producer goes on (a burst every 250 ms) until the second run has input the first never audited.
            long auditedBeforeKill = AuditLedger.Inputs(beforeKill);
            await Eventually.UntilAsync(() => sent.Count > auditedBeforeKill, Wait, () => "no input produced after the kill");
            await restartedSignal.CancelAsync();
            await producing;
            Assert.True(sent.Count > AuditLedger.Inputs(beforeKill), "The second run had no input left that the first one had not audited.");
            var ends = sent.GroupBy(e => (e.Topic, e.Partition)).ToDictionary(g => g.Key, g => g.Max(e => e.Offset) + 1);
            List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.CoversAll(e, ends), Wait,
                e => "audited " + AuditLedger.Inputs(e) + " inputs (with repeats) of " + sent.Count, () => second.ThrowIfExited(lines));
            long completed = Stopwatch.GetTimestamp();
            List<AuditEntry> afterRestart = entries.Skip(beforeKill.Count).ToList();
            Assert.NotEmpty(afterRestart);
            AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
            Assert.All(entries, e => Assert.Equal(e.IsRelease ? "e2e-restart-release" : "e2e-restart", e.InstanceId));

            // No gap: every offset of every input partition is covered by an audit record, so nothing was lost.
            // Repeats: the batch in flight when the process died is processed again by its successor. In at-least-once
            // mode that is the contract: outputs are flushed before the offsets are committed, so a kill between the
            // two repeats the batch, on any broker. In exactly-once mode, on a real broker
            // the successor's fenced transaction is aborted and read_committed readers never see the first attempt;
            // librdkafka's mock cluster neither stores transactional offset commits (the engine's plain commit after
            // each transaction is what the restart resumes from) nor hides aborted or open transactions, so here the
            // first attempt's records stay visible. A repeat can therefore only be the last batch each partition had in
            // flight at the kill: every repeated offset lies within that partition's last audit record of the first run.
            var repeats = new Dictionary<(string Topic, int Partition), int>();
            foreach (((string topic, int partition), int[] counts) in AuditLedger.Coverage(entries, ends))
            {
                string where = topic + " [" + partition + "]";
                int gap = Array.IndexOf(counts, 0);
                Assert.True(gap < 0, where + ": offset " + gap + " is in no audit record");
                Assert.True(Array.TrueForAll(counts, c => c <= 2), where + ": an offset audited more than twice");
                long[] repeated = [.. counts.Select((c, offset) => (c, offset)).Where(x => x.c == 2).Select(x => (long)x.offset)];
                repeats[(topic, partition)] = repeated.Length;
                if (repeated.Length > 0)
                {
                    AuditEntry last = beforeKill.Where(e => e.SourceTopic == topic && e.Partition == partition).MaxBy(e => e.LastOffset)!;
                    Assert.True(repeated.All(o => o >= last.FirstOffset && o <= last.LastOffset),
                        where + ": offsets repeated outside the last batch of the killed process (" + last.FirstOffset + ".." + last.LastOffset + "): "
                        + string.Join(",", repeated.Take(10)));
                }
            }

            // Subjects without consent never reached positioning or personalization, in either run.
            var oracle = new PseudonymOracle(new PseudonymKeyFactory(MasterKeyRing.CreateDemo()));
            var forbidden = subjects.Where(s => !s.Grants.Contains(Positioning)).Select(s => oracle.Stable(Positioning, s))
                .Concat(subjects.Where(s => !s.Grants.Contains(Personalization)).Select(s => oracle.Stable(Personalization, s)))
                .ToHashSet();
            foreach (string topic in new[] { topics.Positioning, topics.Personalization })
            {
                using var tail = TopicTail<PurposeRecord>.Start(bootstrapServers, topic,
                    r => OutputDecoder.Purpose(r, topic == topics.Positioning ? "PositioningRecord" : "PersonalizationRecord"));
                List<Tailed<PurposeRecord>> records = await tail.ReadToEndAsync(Wait);
                Assert.NotEmpty(records);
                Assert.DoesNotContain(records, r => forbidden.Contains(r.Value.Key) || forbidden.Contains(r.Value.Subject));
            }

            RawIdentifierScanner scanner = fleet.Scanner();
            await scanner.AssertTopicsCleanAsync(bootstrapServers, topics.Outputs);
            scanner.AssertClean([.. lines], "the Minimizer process's console output");

            output.WriteLine($"{sent.Count} events; killed after {Ms(started, killed)} ms of the first run with {AuditLedger.Inputs(beforeKill)} inputs audited "
                + $"in {beforeKill.Count} records and {producedAtKill} events produced; second run audited everything {Ms(restarted, completed)} ms after its start");
            output.WriteLine($"audit records: {entries.Count} ({afterRestart.Count} by the second run); repeated offsets per partition: "
                + string.Join(", ", repeats.OrderBy(r => r.Key.Topic).ThenBy(r => r.Key.Partition).Select(r => r.Key.Topic[..r.Key.Topic.IndexOf('-', StringComparison.Ordinal)] + "[" + r.Key.Partition + "]=" + r.Value)));
        }
        catch
        {
            output.WriteLine(string.Join(Environment.NewLine, lines.TakeLast(40)));
            throw;
        }
        finally
        {
            File.Delete(policyPath);
        }
    }

    private static string Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
}
