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
    public long Produced => _sender?.Produced ?? 0;

    /// <summary>Inputs the minimizer has committed so far, over all levels.</summary>
    public long Committed => _engine?.Stats.Inputs ?? 0;

    /// <summary>Held records the release stage decided (released or withheld) during the run, once it is over.</summary>
    public long ReleaseDecided { get; private set; }

    /// <summary>Held records the release stage still held (trips not yet over) when the run ended.</summary>
    public long ReleaseHeld { get; private set; }

    private PacedSender? _sender;
    private LatencyWatcher? _watcher;
    private MinimizerEngine? _engine;

    /// <summary>Runs <paramref name="levels"/> in order with inputs drawn from <paramref name="fleet"/>; one result per level.</summary>
    public async Task<IReadOnlyList<PacedResult>> RunAsync(FleetSimulator fleet, IReadOnlyList<PacedLevel> levels, int partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(levels);
        PacedSender sender = _sender = new PacedSender(cluster.BootstrapServers, topics.PacedTelematicsInput, topics.PacedWifiInput, partitions);
        CompiledPolicy policy = core.Policy;
        PurposePlan? positioning = policy.FindPurpose(KnownPurposes.Positioning);
        int positioningIndex = policy.IndexOfPurpose(KnownPurposes.Positioning);
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

        if (positioning is not null)
        {
            _watcher = new LatencyWatcher(cluster.BootstrapServers, "sieve-bench-latency-" + topics.RunId,
                cluster.HighWatermarks([(positioning.Topic, partitions)]), breakdown.OnRead);
        }

        LatencyWatcher? watcher = _watcher;
        Task watcherTask = watcher is null
            ? Task.CompletedTask
            : Task.Factory.StartNew(() => watcher.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

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
                watcher?.StartLevel(measureFrom, level.Events);

                long producedBefore = Produced;
                long startMs = measureFrom - (long)WarmUp.TotalMilliseconds;
                RawMessage[] planned = PacedSender.Plan(fleet, level, startMs);
                long lateMs = Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - startMs);
                var clock = Stopwatch.StartNew();
                await Task.Factory.StartNew(() => sender.Send(planned, startMs, level.Rate, cancellationToken), cancellationToken,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                double seconds = clock.Elapsed.TotalSeconds;
                await DrainAsync(engine, engineTask, positioningIndex, cancellationToken).ConfigureAwait(false);
                watcher?.EndLevel();

                results.Add(ReadBack(level, Produced - producedBefore, seconds, before, partitions, breakdown, lateMs));
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
            long read = _watcher?.Read ?? 0;
            if (committed >= Produced && read >= forwarded)
            {
                return;
            }

            if (committed + read != last)
            {
                last = committed + read;
                progress.Restart();
            }

            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private PacedResult ReadBack(PacedLevel level, long produced, double seconds, Dictionary<(string Topic, int Partition), long> before, int partitions,
        StageBreakdown breakdown, long lateMs)
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

        LatencyRecorder latency = _watcher?.Latency ?? new LatencyRecorder(1);
        IReadOnlyList<StageTime> stages = breakdown.Summarize(out long batches, out double meanBatch);
        return new PacedResult(latency)
        {
            Percent = level.Percent,
            Rate = level.Rate,
            Produced = produced,
            Seconds = seconds,
            Audit = audit,
            Outputs = outputs,
            QuarantineRead = read.GetValueOrDefault(topics.PacedQuarantine),
            Batches = batches,
            MeanBatch = meanBatch,
            Stages = stages,
            StartedLateMs = lateMs,
        };
    }
}
