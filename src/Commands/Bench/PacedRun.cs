using System.Diagnostics;
using Confluent.Kafka;
using Sieve.Commands.Demo;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Contracts;
using Sieve.Core.Anonymization;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Simulation;

namespace Sieve.Commands.Bench;

/// <summary>
/// The latency run: events made as they are sent (so their event time is their send time) at fixed rates below
/// saturation, one level after the other, through one minimizer engine on its own input topics, with the release
/// stage of the anonymized purposes running beside it, while a downstream reader takes positioning records (which
/// keep the exact event time as their Kafka timestamp) and measures now minus that time. Each level is drained,
/// then its audit records and outputs are read back before the next starts, so only one level's records must fit
/// the mock's retention.
/// </summary>
/// <param name="cluster">The bench's Kafka.</param>
/// <param name="topics">The run's topics; the engine reads the paced inputs.</param>
/// <param name="core">The core the engine runs on, for its policy and plans.</param>
/// <param name="createEngine">Makes the paced engine (over <paramref name="core"/>); the run disposes it.</param>
/// <param name="createRelease">Makes the release stage that runs beside the engine; the run disposes it.</param>
public sealed class PacedRun(BenchCluster cluster, BenchTopics topics, MinimizerCore core, Func<MinimizerEngine> createEngine, Func<ReleaseEngine> createRelease)
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PlanAhead = TimeSpan.FromSeconds(1);

    /// <summary>Inputs produced so far, over all levels.</summary>
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Inputs the minimizer has committed so far, over all levels.</summary>
    public long Committed => _engine?.Stats.Inputs ?? 0;

    /// <summary>Held records the release stage decided (released or withheld) during the run, once it is over.</summary>
    public long ReleaseDecided { get; private set; }

    /// <summary>Held records the release stage still held (trips not yet over) when the run ended.</summary>
    public long ReleaseHeld { get; private set; }

    private long _produced;
    private long _positioningRead;
    private long _measureFrom = long.MaxValue;
    private LatencyRecorder _latency = new(1);
    private MinimizerEngine? _engine;

    /// <summary>Runs <paramref name="levels"/> in order with inputs drawn from <paramref name="fleet"/>; one result per level.</summary>
    public async Task<IReadOnlyList<PacedResult>> RunAsync(FleetSimulator fleet, IReadOnlyList<PacedLevel> levels, int partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(levels);
        CompiledPolicy policy = core.Policy;
        PurposePlan? positioning = policy.FindPurpose(KnownPurposes.Positioning);
        int positioningIndex = positioning is null ? -1 : IndexOf(core.Plans, positioning);
        var outputTopics = new List<(string, int)>();
        foreach (string topic in topics.PurposeTopics)
        {
            outputTopics.Add((topic, partitions));
        }

        outputTopics.Add((topics.PacedQuarantine, partitions));
        outputTopics.Add((topics.PacedAudit, partitions));

        using MinimizerEngine engine = createEngine();
        using ReleaseEngine release = createRelease();
        var breakdown = new StageBreakdown();
        engine.StageObserver = breakdown;
        _engine = engine;
        StartReleaseAtEnd(release, partitions);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task engineTask = Task.Factory.StartNew(() => engine.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Task releaseTask = Task.Factory.StartNew(() => release.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        var joined = Stopwatch.StartNew();
        while (engine.Assignment.Count == 0 && !engineTask.IsCompleted && joined.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        Task watcherTask = positioning is null
            ? Task.CompletedTask
            : Task.Factory.StartNew(() => Watch(positioning.Topic, partitions, cluster.HighWatermarks([(positioning.Topic, partitions)]), breakdown, stop.Token),
                stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var results = new List<PacedResult>(levels.Count);
        try
        {
            foreach (PacedLevel level in levels)
            {
                Dictionary<(string Topic, int Partition), long> before = cluster.HighWatermarks(outputTopics);
                // The level's inputs are made before it starts (their event times are the planned send times), so making
                // them takes no CPU from the measured span; a send that falls behind its plan counts against the latency.
                long measureFrom = DateTimeOffset.UtcNow.Add(PlanAhead + WarmUp).ToUnixTimeMilliseconds();
                breakdown.Start(measureFrom, level.Events);
                Volatile.Write(ref _latency, new LatencyRecorder(Math.Max(1, level.Events)));
                Interlocked.Exchange(ref _measureFrom, measureFrom);

                long producedBefore = Produced;
                (RawMessage[] planned, long startMs) = Plan(fleet, level, measureFrom - (long)WarmUp.TotalMilliseconds);
                var clock = Stopwatch.StartNew();
                await Task.Factory.StartNew(() => Produce(planned, startMs, level.Rate, partitions, cancellationToken), cancellationToken,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                double seconds = clock.Elapsed.TotalSeconds;
                await DrainAsync(engine, engineTask, positioningIndex, cancellationToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _measureFrom, long.MaxValue);

                results.Add(ReadBack(level, Produced - producedBefore, seconds, before, partitions, breakdown));
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(engineTask, releaseTask, watcherTask).ConfigureAwait(false);
            ReleaseDecided = release.Stats.Inputs;
            ReleaseHeld = release.Held;
        }

        return results;
    }

    /// <summary>
    /// Starts the release stage's group at the pending topics' current end: the held records of the throughput run
    /// before are not this run's, and reading them would only add load that the pass-through never had.
    /// </summary>
    private void StartReleaseAtEnd(ReleaseEngine release, int partitions)
    {
        if (!release.HasWork)
        {
            return;
        }

        var pending = new List<(string, int)>();
        foreach (string topic in release.PendingTopics)
        {
            pending.Add((topic, partitions));
        }

        var offsets = new List<TopicPartitionOffset>();
        foreach (KeyValuePair<(string Topic, int Partition), long> pair in cluster.HighWatermarks(pending))
        {
            offsets.Add(new TopicPartitionOffset(pair.Key.Topic, pair.Key.Partition, new Offset(pair.Value)));
        }

        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = release.GroupId,
            EnableAutoCommit = false,
        }).Build();
        consumer.Commit(offsets);
    }

    private async Task DrainAsync(MinimizerEngine engine, Task engineTask, int positioningIndex, CancellationToken cancellationToken)
    {
        // Until every input so far is committed and every positioning record has reached the reader.
        var progress = Stopwatch.StartNew();
        long last = -1;
        while (!engineTask.IsCompleted && progress.Elapsed < TimeSpan.FromSeconds(30))
        {
            long committed = engine.Stats.Inputs;
            long forwarded = positioningIndex < 0 ? 0 : engine.Stats.Count(positioningIndex, Outcome.Forwarded);
            if (committed >= Produced && Interlocked.Read(ref _positioningRead) >= forwarded)
            {
                return;
            }

            if (committed + Interlocked.Read(ref _positioningRead) != last)
            {
                last = committed + Interlocked.Read(ref _positioningRead);
                progress.Restart();
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private PacedResult ReadBack(PacedLevel level, long produced, double seconds, Dictionary<(string Topic, int Partition), long> before, int partitions,
        StageBreakdown breakdown)
    {
        var audit = new AuditTotals();
        var auditFrom = new Dictionary<(string Topic, int Partition), long>();
        var outputsFrom = new Dictionary<(string Topic, int Partition), long>();
        foreach (KeyValuePair<(string Topic, int Partition), long> pair in before)
        {
            (string.Equals(pair.Key.Topic, topics.PacedAudit, StringComparison.Ordinal) ? auditFrom : outputsFrom)[pair.Key] = pair.Value;
        }

        TopicReader.Read(cluster.BootstrapServers, auditFrom, r => audit.Add(r.Message.Value), TimeSpan.FromSeconds(60));
        Dictionary<string, long> read = TopicReader.Read(cluster.BootstrapServers, outputsFrom, null, TimeSpan.FromSeconds(120));
        var outputs = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (PurposePlan plan in core.Plans)
        {
            outputs[plan.Name] = read.GetValueOrDefault(plan.ForwardTopic);
        }

        LatencyRecorder latency = Volatile.Read(ref _latency);
        IReadOnlyList<StageTime> stages = breakdown.Summarize(out long batches, out double meanBatch);
        return new PacedResult
        {
            Percent = level.Percent,
            Rate = level.Rate,
            Produced = produced,
            Seconds = seconds,
            Samples = latency.Count,
            P50Ms = latency.Percentile(50),
            P99Ms = latency.Percentile(99),
            P999Ms = latency.Percentile(99.9),
            MaxMs = latency.Percentile(100),
            Audit = audit,
            Outputs = outputs,
            QuarantineRead = read.GetValueOrDefault(topics.PacedQuarantine),
            Batches = batches,
            MeanBatch = meanBatch,
            Stages = stages,
        };
    }

    /// <summary>
    /// Makes the level's inputs: input <c>i</c> is due at <paramref name="startMs"/> + i / rate and carries that
    /// instant as its event time.
    /// </summary>
    private static (RawMessage[] Planned, long StartMs) Plan(FleetSimulator fleet, PacedLevel level, long startMs)
    {
        var planned = new RawMessage[level.Events];
        for (int i = 0; i < planned.Length; i++)
        {
            planned[i] = fleet.Next(startMs + (i * 1000L / level.Rate));
        }

        return (planned, startMs);
    }

    private void Produce(RawMessage[] planned, long startMs, int rate, int partitions, CancellationToken cancellationToken)
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
        int sent = 0;
        while (sent < planned.Length && !cancellationToken.IsCancellationRequested)
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            long due = Math.Min(planned.Length, Math.Max(0, (now - startMs) * rate / 1000 + 1));
            while (sent < due)
            {
                RawMessage m = planned[sent];
                int input = m.Topic == Topics.TelematicsRaw ? 0 : 1;
                int partition = next[input];
                next[input] = (partition + 1) % partitions;
                string topic = input == 0 ? topics.PacedTelematicsInput : topics.PacedWifiInput;
                long eventTime = startMs + (sent * 1000L / rate);
                KafkaBackpressure.Produce(producer, new TopicPartition(topic, partition),
                    new Message<byte[], byte[]> { Key = m.Key, Value = m.Value, Timestamp = new Timestamp(eventTime, TimestampType.CreateTime) });
                sent++;
                Interlocked.Increment(ref _produced);
            }

            Thread.Sleep(1);
        }

        producer.Flush(cancellationToken);
    }

    private void Watch(string topic, int partitions, Dictionary<(string Topic, int Partition), long> from, StageBreakdown breakdown, CancellationToken cancellationToken)
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
            if (eventTime >= Interlocked.Read(ref _measureFrom))
            {
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                Volatile.Read(ref _latency).Add(Math.Max(0, now - eventTime));
                breakdown.OnRead(now);
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
