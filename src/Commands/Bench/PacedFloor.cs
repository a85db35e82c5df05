using Confluent.Kafka;
using Sieve.Contracts.Records;
using Sieve.Core.Engine;
using Sieve.Simulation;

namespace Sieve.Commands.Bench;

/// <summary>
/// The setup's own latency at the paced levels: the same levels sent the same way (<see cref="PacedSender"/>) through
/// the raw pass-through (<see cref="RawPassThrough"/>: the minimizer's client settings, batching and transaction per
/// batch, each input copied to the topics the minimizer writes it to) and read the same way
/// (<see cref="LatencyWatcher"/> on the positioning copy). What it measures is the Kafka loop, the broker and the
/// machine with no minimizing at all: the minimizer's paced latency cannot come under it on the same cluster.
/// Each level is drained and read back before the next starts.
/// </summary>
/// <param name="cluster">The bench's Kafka.</param>
/// <param name="topics">The run's topics; the pass-through uses <see cref="BenchTopics.Floor"/>.</param>
/// <param name="options">The pass-through's engine settings (the minimizer's, under a group of its own).</param>
/// <param name="oracle">Finds each planned input's fan-out before it is sent.</param>
/// <param name="positioningIndex">The positioning purpose's plan index: its copy topic is the one read for latency.</param>
public sealed class PacedFloor(BenchCluster cluster, BenchTopics topics, MinimizerOptions options, FanOutOracle oracle, int positioningIndex)
{
    // Planning a level and finding its fan-out happen before its first input is due: 3 s, or 20 µs an input for more
    // than 150,000 (about four times what it takes here). A level whose planning overran says so in the report.
    private static TimeSpan PlanAhead(PacedLevel level) => TimeSpan.FromSeconds(Math.Max(3, level.Events / 50_000.0));
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(1);

    private RawPassThrough? _passThrough;

    /// <summary>Inputs the pass-through has committed so far, over all levels.</summary>
    public long Committed => _passThrough?.Committed ?? 0;

    /// <summary>Runs <paramref name="levels"/> in order with inputs drawn from <paramref name="fleet"/>; one result per level.</summary>
    public async Task<IReadOnlyList<PacedFloorResult>> RunAsync(FleetSimulator fleet, IReadOnlyList<PacedLevel> levels, int partitions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(levels);
        long total = 0;
        foreach (PacedLevel level in levels)
        {
            total += level.Events;
        }

        // Round-robin from partition 0 at every level: a partition gets at most ceil(events / partitions) per level.
        var fanOut = new PacedFanOut(oracle.PlanCount, partitions, (int)(total / partitions) + levels.Count + 1);
        RawPassThrough passThrough = _passThrough = new RawPassThrough(options, topics.Floor, fanOut);
        var sender = new PacedSender(cluster.BootstrapServers, topics.Floor.TelematicsInput, topics.Floor.WifiInput, partitions);
        var outputs = new List<(string, int)>();
        foreach (string copy in topics.Floor.Copies)
        {
            outputs.Add((copy, partitions));
        }

        outputs.Add((topics.Floor.Audit, partitions));
        string positioningCopy = topics.Floor.Copies[positioningIndex];
        var watcher = new LatencyWatcher(cluster.BootstrapServers, "sieve-bench-floor-latency-" + topics.RunId, cluster.HighWatermarks([(positioningCopy, partitions)]));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task passTask = Task.Factory.StartNew(() => passThrough.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Task watchTask = Task.Factory.StartNew(() => watcher.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var results = new List<PacedFloorResult>(levels.Count);
        try
        {
            await WaitAsync(() => passThrough.Assigned || passTask.IsCompleted, TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            long positioningDue = 0;
            foreach (PacedLevel level in levels)
            {
                Dictionary<(string Topic, int Partition), long> before = cluster.HighWatermarks(outputs);
                long startMs = DateTimeOffset.UtcNow.Add(PlanAhead(level)).ToUnixTimeMilliseconds();
                RawMessage[] planned = PacedSender.Plan(fleet, level, startMs);
                (int Input, int Partition)[] routes = sender.Route(planned);
                long copiesDue = 0;
                for (int i = 0; i < planned.Length; i++)
                {
                    byte mask = await oracle.MaskAsync(routes[i].Input, planned[i].Value, cancellationToken).ConfigureAwait(false);
                    fanOut.Add(routes[i].Input, routes[i].Partition, mask);
                    copiesDue += System.Numerics.BitOperations.PopCount(mask);
                    if ((mask & FanOut.CopyBit(positioningIndex, oracle.PlanCount)) != 0)
                    {
                        positioningDue++;
                    }
                }

                long lateMs = Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - startMs);
                watcher.StartLevel(startMs + (long)WarmUp.TotalMilliseconds, level.Events);
                long producedBefore = sender.Produced;
                long committedBefore = passThrough.Committed;
                long batchesBefore = passThrough.Batches;
                await Task.Factory.StartNew(() => sender.Send(planned, startMs, level.Rate, cancellationToken), cancellationToken,
                    TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
                long due = positioningDue;
                await WaitAsync(() => passTask.IsCompleted || watchTask.IsCompleted || (passThrough.Committed >= sender.Produced && watcher.Read >= due),
                    TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
                await ThrowIfEndedAsync(passTask, watchTask).ConfigureAwait(false);
                watcher.EndLevel();
                results.Add(ReadBack(level, sender.Produced - producedBefore, passThrough.Committed - committedBefore, passThrough.Batches - batchesBefore,
                    before, copiesDue, watcher, lateMs));
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(passTask, watchTask).ConfigureAwait(false);
        }

        return results;
    }

    private PacedFloorResult ReadBack(PacedLevel level, long produced, long committed, long batches, Dictionary<(string Topic, int Partition), long> before,
        long copiesDue, LatencyWatcher watcher, long lateMs)
    {
        var auditFrom = new Dictionary<(string Topic, int Partition), long>();
        var copiesFrom = new Dictionary<(string Topic, int Partition), long>();
        foreach (KeyValuePair<(string Topic, int Partition), long> pair in before)
        {
            (string.Equals(pair.Key.Topic, topics.Floor.Audit, StringComparison.Ordinal) ? auditFrom : copiesFrom)[pair.Key] = pair.Value;
        }

        long audited = 0;
        TopicReader.Read(cluster.BootstrapServers, auditFrom, r => audited += RawPassThrough.ReadAudit(r.Message.Value).Count, TimeSpan.FromSeconds(60));
        long copiesRead = 0;
        foreach (long read in TopicReader.Read(cluster.BootstrapServers, copiesFrom, null, TimeSpan.FromSeconds(120)).Values)
        {
            copiesRead += read;
        }

        Demo.LatencyRecorder latency = watcher.Latency;
        return new PacedFloorResult(latency)
        {
            Percent = level.Percent,
            Rate = level.Rate,
            Produced = produced,
            Batches = batches,
            MeanBatch = batches > 0 ? committed / (double)batches : 0,
            StartedLateMs = lateMs,
            AuditedInputs = audited,
            CopiesExpected = copiesDue,
            CopiesRead = copiesRead,
        };
    }

    // The pass-through or the reader ended before the run did: its failure, not a level's numbers, is the result.
    private static async Task ThrowIfEndedAsync(Task passTask, Task watchTask)
    {
        foreach (Task task in (Task[])[passTask, watchTask])
        {
            if (task.IsCompleted)
            {
                await task.ConfigureAwait(false);
                throw new InvalidOperationException("the paced pass-through's " + (task == passTask ? "loop" : "reader") + " ended before the run did");
            }
        }
    }

    private static async Task WaitAsync(Func<bool> done, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!done() && clock.Elapsed < limit)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }
}
