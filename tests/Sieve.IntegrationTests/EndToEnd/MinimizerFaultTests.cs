using Sieve.Core.Privacy;
using Confluent.Kafka;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Engine;
using Sieve.Embedded;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// The fault matrix of the Minimizer: broker-side faults in the middle of its transactions, injected through the
/// mock cluster. For each, the engine retries or stops as documented, and nothing is lost or leaked: every input
/// offset is audited, repeats are bounded by the batches the engine retried, and no purpose that needs consent gets
/// a subject without it.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MinimizerFaultTests(RedisFixture redis, ITestOutputHelper output)
{
    // librdkafka protocol API keys.
    private const short Produce = 0;
    private const short AddOffsetsToTxn = 25;
    private const short EndTxn = 26;

    private const int Inputs = 300;

    // Long enough for a stalled call to be reported (40 s limit, checked every 10 s) and the host's 30 s shutdown.
    private static readonly TimeSpan StallWait = TimeSpan.FromSeconds(180);

    // Batches of 10, each its own transaction, so the 300 inputs take about 30 transactions and a fault lands mid-stream.
    private static readonly MinimizerPipelineOptions SmallBatches = new() { BatchMaxMessages = 10 };
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static readonly string Positioning = KnownPurposes.Positioning;

    [Fact]
    public async Task Retriable_produce_errors_mid_transaction_are_retried_by_the_client_and_lose_nothing()
    {
        await using Scenario scenario = await Scenario.StartAsync(redis, output, "fault-produce-retriable");
        scenario.Cluster.PushRequestErrors(Produce, Enumerable.Repeat(ErrorCode.NotEnoughReplicas, 6).ToArray());
        scenario.Minimizer.StartEngine();
        await scenario.AssertNothingLostAsync();
        Assert.Equal(0, scenario.Minimizer.Engine.Stats.KafkaFailures);
    }

    [Fact]
    public async Task A_produce_error_that_aborts_the_transaction_makes_the_engine_retry_the_batch_and_lose_nothing()
    {
        await using Scenario scenario = await Scenario.StartAsync(redis, output, "fault-produce-fatal");
        scenario.Cluster.PushRequestErrors(Produce, ErrorCode.InvalidRecord);
        scenario.Minimizer.StartEngine();
        await scenario.AssertNothingLostAsync();
        Assert.True(scenario.Minimizer.Engine.Stats.KafkaFailures >= 1, "the aborted transaction was not seen by the engine");
        Assert.True(scenario.Minimizer.Engine.Stats.Retries >= 1);
    }

    [Theory]
    [InlineData(EndTxn)]
    [InlineData(AddOffsetsToTxn)]
    public async Task A_failing_transaction_step_is_retried_and_loses_nothing(short apiKey)
    {
        await using Scenario scenario = await Scenario.StartAsync(redis, output, "fault-txn-" + apiKey);
        scenario.Cluster.PushRequestErrors(apiKey, ErrorCode.GroupCoordinatorNotAvailable, ErrorCode.NotCoordinatorForGroup, ErrorCode.GroupLoadInProgress);
        scenario.Minimizer.StartEngine();
        await scenario.AssertNothingLostAsync();
    }

    [Fact]
    public async Task The_transaction_coordinator_moving_mid_stream_loses_nothing()
    {
        await using Scenario scenario = await Scenario.StartAsync(redis, output, "fault-coordinator", brokers: 3);
        scenario.Minimizer.StartEngine();
        await scenario.AuditedAtLeastAsync(60);
        scenario.Cluster.SetCoordinator("transaction", scenario.TransactionalId, 2);
        scenario.Cluster.SetCoordinator("group", scenario.GroupId, 3);
        await scenario.AuditedAtLeastAsync(150);
        scenario.Cluster.SetCoordinator("transaction", scenario.TransactionalId, 3);
        await scenario.AssertNothingLostAsync();
    }

    [Fact]
    public async Task The_broker_down_for_30_seconds_mid_stream_holds_the_minimizer_process_and_loses_nothing()
    {
        // A process, not an in-process engine: after a coordinator outage librdkafka's send_offsets_to_transaction can
        // block past its timeout for good (confluentinc/librdkafka#5456); the service then stops for a restart,
        // which only a process can show.
        await using Scenario scenario = await Scenario.StartAsync(redis, output, "fault-broker-down", inProcess: false);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        string[] arguments = scenario.ProcessArguments(redis.Configuration, stallLimitSeconds: 40);
        ServiceProcess first = MinimizerProcess.Start(arguments, lines);
        ServiceProcess? second = null;
        try
        {
            await scenario.AuditedAtLeastAsync(60, () => first.ThrowIfExited(lines));
            scenario.Cluster.SetBrokerDown(1);
            await Task.Delay(TimeSpan.FromSeconds(30));
            scenario.Cluster.SetBrokerUp(1);

            // Either the process carries on by itself, or its watchdog stops it (exit code 1) and it is restarted.
            // Whichever comes first is awaited without a deadline of its own racing the other: a stalled call is
            // reported after the 40 s limit and the host then takes up to its 30 s shutdown timeout to exit.
            await Eventually.UntilAsync(() => first.HasExited || scenario.AllAudited(), StallWait,
                () => "the first process neither finished nor exited after the outage");
            if (first.HasExited && !scenario.AllAudited() && await first.WaitForExitAsync(TimeSpan.FromSeconds(10)) is int code)
            {
                // It stops loudly: a critical line says why (the watchdog's stalled call, or a loop that ended on a
                // transactional state librdkafka left erroneous), and the exit code asks for a restart.
                string? why = lines.LastOrDefault(l => l.Contains("crit:", StringComparison.Ordinal));
                output.WriteLine("the first process exited with " + code + ": " + why);
                Assert.Equal(1, code);
                Assert.NotNull(why);
                second = MinimizerProcess.Start(arguments, lines);
            }
            else
            {
                output.WriteLine("the first process carried on after the outage");
            }

            // Each batch a process aborted can show on the mock (refused by Kafka, or abandoned to a rebalance); a
            // batch whose offsets only its transaction committed (the mock does not store those) is read again by a
            // restart or a reassignment: the repeats those allow. Counted once every input is audited, so that the
            // restarted process's own aborts are in the log.
            await scenario.AssertNothingLostAsync(ownProcess: true, processRepeats: () =>
            {
                int refused = lines.Count(l => l.Contains("Kafka refused the batch", StringComparison.Ordinal));
                int abandoned = lines.Count(l => l.Contains("revoked mid-batch", StringComparison.Ordinal));
                int uncommitted = lines.Count(l => l.Contains("Offset commit after transaction failed", StringComparison.Ordinal));
                output.WriteLine($"refused {refused}, abandoned {abandoned}, offsets not committed outside the transaction {uncommitted}, restarts {(second is null ? 0 : 1)}");
                return refused + abandoned + uncommitted + (second is null ? 0 : 1);
            });
            scenario.Scanner().AssertClean([.. lines], "the Minimizer process's console output");
        }
        catch
        {
            output.WriteLine(string.Join(Environment.NewLine, lines.TakeLast(40)));
            throw;
        }
        finally
        {
            first.Dispose();
            second?.Dispose();
        }
    }

    [Fact]
    public async Task A_fenced_instance_stops_instead_of_fencing_back_and_its_successor_loses_nothing()
    {
        // The mock does not fence an older producer epoch by itself (a twin with the same transactional id ran next to
        // the first for 90 s without either seeing an error), so the broker's answer to a fenced producer is injected.
        await using Scenario scenario = await Scenario.StartAsync(redis, output, "fault-fenced");
        scenario.Minimizer.StartEngine();
        await scenario.AuditedAtLeastAsync(60);
        scenario.Cluster.PushRequestErrors(EndTxn, ErrorCode.ProducerFenced);

        InstanceFencedException? fenced = null;
        await Eventually.UntilAsync(() =>
        {
            try
            {
                scenario.Minimizer.ThrowIfStopped();
                return false;
            }
            catch (InstanceFencedException e)
            {
                fenced = e;
                return true;
            }
        }, Wait, () => "the fenced instance did not stop");
        output.WriteLine("the fenced instance stopped: " + fenced!.Message);
        Assert.Contains("Minimizer:InstanceId", fenced.Message, StringComparison.Ordinal);

        // The instance that took over (same id and group) finishes the stream.
        await using InProcessMinimizer successor = await scenario.StartTwinAsync();
        await scenario.AssertNothingLostAsync(stillRunning: successor);
    }

    /// <summary>
    /// A dedicated mock cluster, eight vehicles on two raw partitions (six consenting), their consent, and 300 inputs
    /// produced before any engine starts; with a minimizer in this process unless the test runs its own process.
    /// </summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private readonly ITestOutputHelper _output;
        private readonly RawProducer _producer;
        private readonly TopicTail<AuditEntry> _audit;
        private readonly TestFleet _fleet;
        private readonly TestSubject[] _vehicles;
        private readonly LogRecorder _logs;
        private readonly PipelineTopics _topics;
        private readonly string _redis;
        private readonly string _name;
        private readonly List<SentEvent> _sent = [];
        private long _eventTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;

        private Scenario(ITestOutputHelper output, MockKafkaCluster cluster, string redisConfiguration, PipelineTopics topics, string name,
            InProcessMinimizer? minimizer, LogRecorder logs, TestFleet fleet, TestSubject[] vehicles)
        {
            _output = output;
            Cluster = cluster;
            _redis = redisConfiguration;
            _topics = topics;
            _name = name;
            _minimizer = minimizer;
            _logs = logs;
            _fleet = fleet;
            _vehicles = vehicles;
            _producer = new RawProducer(cluster.BootstrapServers);
            _audit = TopicTail<AuditEntry>.Start(cluster.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        }

        private readonly InProcessMinimizer? _minimizer;

        public MockKafkaCluster Cluster { get; }

        /// <summary>The minimizer in this process (not for a scenario whose test runs its own process).</summary>
        public InProcessMinimizer Minimizer => _minimizer ?? throw new InvalidOperationException("This scenario runs no minimizer in-process.");

        public string GroupId => Minimizer.Options.GroupId;

        public string TransactionalId => Minimizer.Options.GroupId + "-" + Minimizer.Options.InstanceId;

        public static async Task<Scenario> StartAsync(RedisFixture redis, ITestOutputHelper output, string name, int brokers = 1, bool inProcess = true)
        {
            MockKafkaCluster cluster = MockKafkaCluster.Start(brokers);
            cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
            PipelineTopics topics = await PipelineTopics.CreateAsync(cluster, name, rawPartitions: 2);
            var fleet = new TestFleet(seed: 1111);
            TestSubject[] vehicles = [.. Enumerable.Range(0, 8).Select(i =>
            {
                TestSubject vehicle = i < 6 ? fleet.Vehicle("vehicle " + i, withDriver: false, Positioning) : fleet.Vehicle("vehicle " + i);
                vehicle.Partition = i % 2;
                return vehicle;
            })];
            var logs = new LogRecorder();
            InProcessMinimizer? minimizer = inProcess
                ? await InProcessMinimizer.StartAsync(cluster.BootstrapServers, redis.Configuration, topics, logs, name,
                    startEngine: false, groupId: "fault-" + name + "-" + Guid.NewGuid().ToString("N"), options: SmallBatches)
                : null;
            var scenario = new Scenario(output, cluster, redis.Configuration, topics, name, minimizer, logs, fleet, vehicles);
            var grants = vehicles.SelectMany(s => s.InitialChanges(scenario._eventTime - 3_600_000)).ToList();
            await scenario._producer.SendConsentAsync(topics.ConsentChanges, grants);
            if (minimizer is not null)
            {
                await Eventually.UntilAsync(() => minimizer.Loader.Stored >= grants.Count, Wait, () => "consent loader stored " + minimizer.Loader.Stored);
            }

            // Every input is produced before the engine starts: faults injected next hit the engine's requests, not
            // the test's own producer (the mock's injected errors are per request type, for any client).
            await scenario.SendAsync(Inputs);
            return scenario;
        }

        /// <summary>A second minimizer with the same instance id and group as the first, as a mistaken second deployment would start.</summary>
        public Task<InProcessMinimizer> StartTwinAsync() =>
            InProcessMinimizer.StartAsync(Cluster.BootstrapServers, _redis, _topics, _logs, _name, groupId: GroupId, options: SmallBatches);

        /// <summary>Command-line settings for a Minimizer process on this scenario's cluster, topics and Redis, with small batches.</summary>
        public string[] ProcessArguments(string redisConfiguration, int stallLimitSeconds)
        {
            string policyPath = Path.Combine(Path.GetTempPath(), "sieve-fault-policy-" + Guid.NewGuid().ToString("N") + ".json");
            File.WriteAllText(policyPath, _topics.PolicyJson());
            return
            [
                "--Kafka:BootstrapServers=" + Cluster.BootstrapServers,
                "--Redis:Configuration=" + redisConfiguration,
                "--Keys:AllowDemoKey=true",
                "--Recall:KeyPath=" + Sieve.Testing.Recall.TestRecallKey.Path,
                "--Minimizer:InstanceId=e2e-" + _name,
                "--Minimizer:GroupId=fault-" + _name + "-" + Guid.NewGuid().ToString("N"),
                "--Minimizer:BatchMaxMessages=" + SmallBatches.BatchMaxMessages,
                "--Minimizer:KafkaStallLimitSeconds=" + stallLimitSeconds,
                "--Consent:LoaderGroupId=fault-loader-" + Guid.NewGuid().ToString("N"),
                "--Topics:TelematicsRaw=" + _topics.TelematicsRaw,
                "--Topics:WifiRaw=" + _topics.WifiRaw,
                "--Topics:ConsentChanges=" + _topics.ConsentChanges,
                "--Topics:Quarantine=" + _topics.Quarantine,
                "--Topics:Audit=" + _topics.Audit,
                "--Policy:Path=" + policyPath,

                // A restarted member waits for the killed one's session to time out; keep that short.
                "--Kafka:Properties:session.timeout.ms=6000",
                "--Kafka:Properties:heartbeat.interval.ms=500",
            ];
        }

        public RawIdentifierScanner Scanner() => _fleet.Scanner();

        public IEnumerable<string> LogLines() => _logs.Lines;

        /// <summary>Waits until at least <paramref name="count"/> inputs are audited.</summary>
        public Task AuditedAtLeastAsync(int count, Action? check = null) =>
            _audit.WaitForAsync(e => AuditLedger.Inputs(e) >= count, Wait, e => "audited " + AuditLedger.Inputs(e) + " of " + count, check ?? Minimizer.ThrowIfStopped);

        /// <summary>Whether every input offset is audited by now.</summary>
        public bool AllAudited() => AuditLedger.CoversAll(_audit.Values(), Ends());

        /// <summary>Waits until every input offset is audited.</summary>
        public Task<List<AuditEntry>> AuditedAsync(Action check)
        {
            Dictionary<(string Topic, int Partition), long> ends = Ends();
            return _audit.WaitForAsync(e => AuditLedger.CoversAll(e, ends), Wait, e => "audited " + AuditLedger.Inputs(e) + " inputs of " + _sent.Count, check);
        }

        /// <summary>
        /// Every offset produced is audited at least once, repeats stay within what the engine retried (with the
        /// minimizer in this process) or within <paramref name="processRepeats"/> (a process: its aborted batches and
        /// restarts, counted once every input is audited), and nothing leaked.
        /// </summary>
        public async Task AssertNothingLostAsync(InProcessMinimizer? stillRunning = null, bool ownProcess = false, Func<int>? processRepeats = null)
        {
            List<AuditEntry> entries = await AuditedAsync(ownProcess ? () => { } : stillRunning is null ? Minimizer.ThrowIfStopped : stillRunning.ThrowIfStopped);
            AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
            long retries = Repeats(_minimizer) + Repeats(stillRunning) + (processRepeats?.Invoke() ?? 0);
            long mostAudits = 1 + Math.Max(1, retries);
            int repeated = 0;
            foreach (((string topic, int partition), int[] counts) in AuditLedger.Coverage(entries, Ends()))
            {
                int gap = Array.IndexOf(counts, 0);
                Assert.True(gap < 0, topic + " [" + partition + "]: offset " + gap + " is in no audit record");
                Assert.True(Array.TrueForAll(counts, c => c <= mostAudits), topic + " [" + partition + "]: an offset audited more than " + mostAudits + " times");
                repeated += counts.Count(c => c > 1);
            }

            // The mock shows an aborted transaction's records (a real broker hides them from read_committed readers),
            // so a retried batch can show twice; without a retry or a second instance, nothing may.
            Assert.True(repeated == 0 || retries > 0 || stillRunning is not null || ownProcess, repeated + " offsets audited twice without any retried batch");

            var oracle = new PseudonymOracle(new PseudonymKeyFactory(MasterKeyRing.CreateDemo()));
            var forbidden = _vehicles.Where(v => !v.Grants.Contains(Positioning)).Select(v => oracle.Stable(Positioning, v)).ToHashSet();
            using var positioning = TopicTail<PurposeRecord>.Start(Cluster.BootstrapServers, _topics.Positioning, r => OutputDecoder.Purpose(r, "PositioningRecord"));
            List<PurposeRecord> records = [.. (await positioning.ReadToEndAsync(Wait)).Select(r => r.Value)];
            Assert.NotEmpty(records);
            Assert.DoesNotContain(records, r => forbidden.Contains(r.Key) || forbidden.Contains(r.Subject));
            RawIdentifierScanner scanner = _fleet.Scanner();
            await scanner.AssertTopicsCleanAsync(Cluster.BootstrapServers, _topics.Outputs);
            scanner.AssertClean(_logs.Lines, "the minimizer's log");
            _output.WriteLine($"{_sent.Count} inputs, {entries.Count} audit records, {repeated} offsets audited twice; engine retries {retries}"
                + (_minimizer is null ? "" : $" (consent unavailable {_minimizer.Engine.Stats.ConsentFailures}), Kafka failures {_minimizer.Engine.Stats.KafkaFailures}"));
        }

        /// <summary>Batches an in-process minimizer produced and then aborted: each can show on the mock.</summary>
        private static long Repeats(InProcessMinimizer? minimizer) =>
            minimizer is null ? 0 : minimizer.Engine.Stats.Retries + minimizer.Engine.Stats.Abandoned;

        public async ValueTask DisposeAsync()
        {
            _producer.Dispose();
            _audit.Dispose();
            if (_minimizer is not null)
            {
                try
                {
                    await _minimizer.DisposeAsync();
                }
                catch (InstanceFencedException)
                {
                    // The loop that stopped on purpose rethrows its exception when awaited.
                }
            }

            Cluster.Dispose();
        }

        /// <summary>Produces <paramref name="count"/> events round robin over the vehicles, in bursts.</summary>
        public async Task SendAsync(int count)
        {
            for (int sent = 0; sent < count; sent += 20)
            {
                List<SentEvent> burst = await _producer.SendEventsAsync(_topics, Enumerable.Range(0, Math.Min(20, count - sent)).Select(i => (_vehicles[i % _vehicles.Length], _eventTime++)));
                _sent.AddRange(burst);
            }
        }

        private Dictionary<(string Topic, int Partition), long> Ends() =>
            _sent.GroupBy(e => (e.Topic, e.Partition)).ToDictionary(g => g.Key, g => g.Max(e => e.Offset) + 1);
    }
}
