using System.Diagnostics;
using Confluent.Kafka;
using Sieve.Commands.Demo;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Contracts;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Simulation;

namespace Sieve.Commands.Bench;

/// <summary>
/// The latency run: events made as they are sent (so their event time is their send time) at a fixed rate below
/// saturation, through a minimizer on its own input topics, while a downstream reader takes positioning records
/// (which keep the exact event time as their Kafka timestamp) and measures now minus that time. Producer,
/// minimizer and reader run side by side, so the mock's retention never matters.
/// </summary>
/// <param name="cluster">The bench's Kafka.</param>
/// <param name="topics">The run's topics; the engine reads the paced inputs.</param>
/// <param name="core">The core the engine runs on, for its policy and plans.</param>
/// <param name="createEngine">Makes the paced engine (over <paramref name="core"/>); the run disposes it.</param>
public sealed class PacedRun(BenchCluster cluster, BenchTopics topics, MinimizerCore core, Func<MinimizerEngine> createEngine)
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    /// <summary>Inputs produced so far.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Inputs the minimizer has committed so far.</summary>
    public long Committed => _engine?.Stats.Inputs ?? 0;

    private long _produced;
    private long _positioningRead;
    private MinimizerEngine? _engine;

    /// <summary>Sends <paramref name="events"/> inputs at <paramref name="rate"/> per second drawn from <paramref name="fleet"/>.</summary>
    public async Task<PacedResult> RunAsync(FleetSimulator fleet, int rate, int events, int partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        CompiledPolicy policy = core.Policy;
        PurposePlan? positioning = policy.FindPurpose(KnownPurposes.Positioning);
        var outputTopics = new List<(string, int)>();
        foreach (string topic in topics.PurposeTopics)
        {
            outputTopics.Add((topic, partitions));
        }

        outputTopics.Add((topics.PacedQuarantine, partitions));
        Dictionary<(string Topic, int Partition), long> before = cluster.HighWatermarks(outputTopics);

        using MinimizerEngine engine = createEngine();
        _engine = engine;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task engineTask = Task.Factory.StartNew(() => engine.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var joined = Stopwatch.StartNew();
        while (engine.Assignment.Count == 0 && !engineTask.IsCompleted && joined.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        long measureFrom = DateTimeOffset.UtcNow.Add(WarmUp).ToUnixTimeMilliseconds();
        var latency = new LatencyRecorder(Math.Max(1, events));
        Task watcherTask = positioning is null
            ? Task.CompletedTask
            : Task.Factory.StartNew(() => Watch(positioning.Topic, partitions, before, measureFrom, latency, stop.Token),
                stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var clock = Stopwatch.StartNew();
        await Task.Factory.StartNew(() => Produce(fleet, rate, events, partitions, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;

        // Wait until every input is committed and every positioning record has reached the reader.
        var progress = Stopwatch.StartNew();
        long last = -1;
        int positioningIndex = positioning is null ? -1 : IndexOf(core.Plans, positioning);
        while (!engineTask.IsCompleted && progress.Elapsed < TimeSpan.FromSeconds(30))
        {
            long committed = engine.Stats.Inputs;
            long forwarded = positioningIndex < 0 ? 0 : engine.Stats.Count(positioningIndex, Outcome.Forwarded);
            if (committed >= events && Interlocked.Read(ref _positioningRead) >= forwarded)
            {
                break;
            }

            if (committed + Interlocked.Read(ref _positioningRead) != last)
            {
                last = committed + Interlocked.Read(ref _positioningRead);
                progress.Restart();
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(engineTask, watcherTask).ConfigureAwait(false);

        var audit = new AuditTotals();
        Dictionary<(string Topic, int Partition), long> auditFrom = [];
        for (int p = 0; p < partitions; p++)
        {
            auditFrom[(topics.PacedAudit, p)] = 0;
        }

        TopicReader.Read(cluster.BootstrapServers, auditFrom, r => audit.Add(r.Message.Value), TimeSpan.FromSeconds(60));
        Dictionary<string, long> read = TopicReader.Read(cluster.BootstrapServers, before, null, TimeSpan.FromSeconds(120));
        var outputs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (PurposePlan plan in core.Plans)
        {
            outputs[plan.Name] = read.GetValueOrDefault(plan.Topic);
        }

        return new PacedResult
        {
            Rate = rate,
            Produced = Produced,
            Seconds = seconds,
            Samples = latency.Count,
            P50Ms = latency.Percentile(50),
            P99Ms = latency.Percentile(99),
            MaxMs = latency.Percentile(100),
            Audit = audit,
            Outputs = outputs,
            QuarantineRead = read.GetValueOrDefault(topics.PacedQuarantine),
        };
    }

    private void Produce(FleetSimulator fleet, int rate, int events, int partitions, CancellationToken cancellationToken)
    {
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 2,
            ClientId = "sieve-bench-paced-devices",
        }).Build();
        int[] next = new int[2];
        var clock = Stopwatch.StartNew();
        long sent = 0;
        while (sent < events && !cancellationToken.IsCancellationRequested)
        {
            long due = Math.Min(events, (long)(clock.Elapsed.TotalSeconds * rate));
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            while (sent < due)
            {
                RawMessage m = fleet.Next(now);
                int input = m.Topic == Topics.TelematicsRaw ? 0 : 1;
                int partition = next[input];
                next[input] = (partition + 1) % partitions;
                string topic = input == 0 ? topics.PacedTelematicsInput : topics.PacedWifiInput;
                KafkaBackpressure.Produce(producer, new TopicPartition(topic, partition),
                    new Message<byte[], byte[]> { Key = m.Key, Value = m.Value, Timestamp = new Timestamp(now, TimestampType.CreateTime) });
                sent++;
                Interlocked.Exchange(ref _produced, sent);
            }

            Thread.Sleep(1);
        }

        producer.Flush(cancellationToken);
    }

    private void Watch(string topic, int partitions, Dictionary<(string Topic, int Partition), long> from, long measureFrom, LatencyRecorder latency,
        CancellationToken cancellationToken)
    {
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "sieve-bench-latency-" + topics.RunId,
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = 5,
            ConsumeResultFields = "timestamp",
        }).Build();
        var assignment = new List<TopicPartitionOffset>(partitions);
        for (int p = 0; p < partitions; p++)
        {
            assignment.Add(new TopicPartitionOffset(topic, p, new Offset(from[(topic, p)])));
        }

        consumer.Assign(assignment);
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsumeResult<Ignore, Ignore>? result = consumer.Consume(TimeSpan.FromMilliseconds(50));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            long eventTime = result.Message.Timestamp.UnixTimestampMs;
            if (eventTime >= measureFrom)
            {
                latency.Add(Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - eventTime));
            }

            Interlocked.Increment(ref _positioningRead);
        }
    }

    private static int IndexOf(IReadOnlyList<PurposePlan> plans, PurposePlan plan)
    {
        for (int i = 0; i < plans.Count; i++)
        {
            if (ReferenceEquals(plans[i], plan))
            {
                return i;
            }
        }

        return -1;
    }
}
