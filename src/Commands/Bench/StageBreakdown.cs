using Sieve.Commands.Demo;
using Sieve.Core.Engine;

namespace Sieve.Commands.Bench;

/// <summary>
/// Where the paced run's latency goes, per level: the engine's committed batches (<see cref="BatchStageTimes"/>)
/// and the downstream reader's wait after a commit, each as a distribution over the level's measured span.
/// </summary>
public sealed class StageBreakdown : IBatchStageObserver
{
    /// <summary>The stages, in the order a record passes them.</summary>
    public static readonly IReadOnlyList<string> Stages =
        ["fetch wait", "batch fill", "process", "produce", "commit transaction", "offset commit", "downstream fetch wait"];

    // Batches per level are few (one per commit); this bounds what one level keeps.
    private const int MaxBatches = 100_000;
    private LatencyRecorder[] _stages = NewStages();
    private LatencyRecorder _batchSizes = new(MaxBatches);
    private LatencyRecorder _downstream = new(1);
    private long _measureFrom = long.MaxValue;
    private long _lastCommittedAtMs;

    /// <summary>Wall-clock time (Unix ms) of the engine's latest commit.</summary>
    public long LastCommittedAtMs => Interlocked.Read(ref _lastCommittedAtMs);

    /// <summary>
    /// Opens a level: batches whose oldest input was produced at or after <paramref name="measureFrom"/> (Unix ms)
    /// count toward it, and downstream waits are recorded for it until the next call.
    /// </summary>
    public void Start(long measureFrom, int expectedSamples)
    {
        Volatile.Write(ref _stages, NewStages());
        Volatile.Write(ref _batchSizes, new LatencyRecorder(MaxBatches));
        Volatile.Write(ref _downstream, new LatencyRecorder(Math.Max(1, expectedSamples)));
        Interlocked.Exchange(ref _measureFrom, measureFrom);
    }

    /// <inheritdoc />
    public void OnBatch(in BatchStageTimes times)
    {
        Interlocked.Exchange(ref _lastCommittedAtMs, times.CommittedAtMs);
        if (times.OldestInputMs < Interlocked.Read(ref _measureFrom))
        {
            return;
        }

        LatencyRecorder[] stages = Volatile.Read(ref _stages);
        stages[0].Add(times.FetchWaitMs);
        stages[1].Add(times.FillMs);
        stages[2].Add(times.ProcessMs);
        stages[3].Add(times.ProduceMs);
        stages[4].Add(times.CommitMs);
        stages[5].Add(times.OffsetCommitMs);
        Volatile.Read(ref _batchSizes).Add(times.Inputs);
    }

    /// <summary>
    /// Records the downstream reader's wait for a record of the level read at <paramref name="readAtMs"/>: the time
    /// since the engine's latest commit, which made it visible (exact while the reader keeps up with the commits).
    /// </summary>
    public void OnRead(long readAtMs) => Volatile.Read(ref _downstream).Add(Math.Max(0, readAtMs - LastCommittedAtMs));

    /// <summary>The level's distributions, one row per stage.</summary>
    public IReadOnlyList<StageTime> Summarize(out long batches, out double meanBatch)
    {
        LatencyRecorder sizes = Volatile.Read(ref _batchSizes);
        batches = sizes.Count;
        meanBatch = sizes.Mean() ?? 0;
        LatencyRecorder[] stages = Volatile.Read(ref _stages);
        var rows = new List<StageTime>(Stages.Count);
        for (int i = 0; i < stages.Length; i++)
        {
            rows.Add(new StageTime(Stages[i], stages[i].Mean(), stages[i].Percentile(50), stages[i].Percentile(99)));
        }

        LatencyRecorder downstream = Volatile.Read(ref _downstream);
        rows.Add(new StageTime(Stages[^1], null, downstream.Percentile(50), downstream.Percentile(99)));
        return rows;
    }

    private static LatencyRecorder[] NewStages()
    {
        var stages = new LatencyRecorder[Stages.Count - 1];
        for (int i = 0; i < stages.Length; i++)
        {
            stages[i] = new LatencyRecorder(MaxBatches);
        }

        return stages;
    }
}

/// <summary>One stage's time in a paced level, in milliseconds: per batch for the engine's stages, per record downstream.</summary>
/// <param name="Stage">The stage's name.</param>
/// <param name="MeanMs">Mean over the level's batches (null downstream, where it is per record).</param>
/// <param name="P50Ms">Median.</param>
/// <param name="P99Ms">99th percentile.</param>
public sealed record StageTime(string Stage, double? MeanMs, double? P50Ms, double? P99Ms);
