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

    private readonly object _gate = new();
    private readonly List<double>[] _samples = new List<double>[Stages.Count];
    private readonly List<int> _batchSizes = [];
    private LatencyRecorder _downstream = new(1);
    private long _measureFrom = long.MaxValue;
    private long _lastCommittedAtMs;

    /// <summary>Creates an empty breakdown; <see cref="Start"/> opens the first level.</summary>
    public StageBreakdown()
    {
        for (int i = 0; i < _samples.Length; i++)
        {
            _samples[i] = [];
        }
    }

    /// <summary>Wall-clock time (Unix ms) of the engine's latest commit.</summary>
    public long LastCommittedAtMs => Interlocked.Read(ref _lastCommittedAtMs);

    /// <summary>
    /// Opens a level: batches whose oldest input was produced at or after <paramref name="measureFrom"/> (Unix ms)
    /// count toward it, and downstream waits are recorded for it until the next call.
    /// </summary>
    public void Start(long measureFrom, int expectedSamples)
    {
        lock (_gate)
        {
            foreach (List<double> samples in _samples)
            {
                samples.Clear();
            }

            _batchSizes.Clear();
            Volatile.Write(ref _downstream, new LatencyRecorder(Math.Max(1, expectedSamples)));
            Interlocked.Exchange(ref _measureFrom, measureFrom);
        }
    }

    /// <inheritdoc />
    public void OnBatch(in BatchStageTimes times)
    {
        Interlocked.Exchange(ref _lastCommittedAtMs, times.CommittedAtMs);
        if (times.OldestInputMs < Interlocked.Read(ref _measureFrom))
        {
            return;
        }

        lock (_gate)
        {
            _samples[0].Add(times.FetchWaitMs);
            _samples[1].Add(times.FillMs);
            _samples[2].Add(times.ProcessMs);
            _samples[3].Add(times.ProduceMs);
            _samples[4].Add(times.CommitMs);
            _samples[5].Add(times.OffsetCommitMs);
            _batchSizes.Add(times.Inputs);
        }
    }

    /// <summary>
    /// Records the downstream reader's wait for a record of the level read at <paramref name="readAtMs"/>: the time
    /// since the engine's latest commit, which made it visible (exact while the reader keeps up with the commits).
    /// </summary>
    public void OnRead(long readAtMs) => Volatile.Read(ref _downstream).Add(Math.Max(0, readAtMs - LastCommittedAtMs));

    /// <summary>The level's distributions, one row per stage.</summary>
    public IReadOnlyList<StageTime> Summarize(out long batches, out double meanBatch)
    {
        var rows = new List<StageTime>(Stages.Count);
        lock (_gate)
        {
            batches = _batchSizes.Count;
            long inputs = 0;
            foreach (int size in _batchSizes)
            {
                inputs += size;
            }

            meanBatch = batches == 0 ? 0 : inputs / (double)batches;
            for (int i = 0; i < _samples.Length - 1; i++)
            {
                double[] sorted = [.. _samples[i]];
                Array.Sort(sorted);
                rows.Add(new StageTime(Stages[i], Mean(sorted), At(sorted, 50), At(sorted, 99)));
            }
        }

        LatencyRecorder downstream = Volatile.Read(ref _downstream);
        rows.Add(new StageTime(Stages[^1], null, downstream.Percentile(50), downstream.Percentile(99)));
        return rows;
    }

    private static double? Mean(double[] sorted)
    {
        if (sorted.Length == 0)
        {
            return null;
        }

        double sum = 0;
        foreach (double value in sorted)
        {
            sum += value;
        }

        return sum / sorted.Length;
    }

    private static double? At(double[] sorted, double percentile) =>
        sorted.Length == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>One stage's time in a paced level, in milliseconds: per batch for the engine's stages, per record downstream.</summary>
/// <param name="Stage">The stage's name.</param>
/// <param name="MeanMs">Mean over the level's batches (null downstream, where it is per record).</param>
/// <param name="P50Ms">Median.</param>
/// <param name="P99Ms">99th percentile.</param>
public sealed record StageTime(string Stage, double? MeanMs, double? P50Ms, double? P99Ms);
