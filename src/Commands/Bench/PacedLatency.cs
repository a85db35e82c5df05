using Sieve.Commands.Demo;

namespace Sieve.Commands.Bench;

/// <summary>What one paced level measured, end to end, whichever loop it ran through.</summary>
/// <param name="latency">The level's samples, read once here.</param>
public abstract class PacedLatency(LatencyRecorder latency)
{
    /// <summary>The level's share of the measured minimizer rate in percent; null when <c>--rate</c> set the rate.</summary>
    public int? Percent { get; init; }

    /// <summary>Inputs offered per second.</summary>
    public int Rate { get; init; }

    /// <summary>Inputs produced.</summary>
    public long Produced { get; init; }

    /// <summary>Latency samples (records of events made after the level's first second).</summary>
    public long Samples { get; } = latency.Count;

    /// <summary>Median end-to-end latency, milliseconds.</summary>
    public double? P50Ms { get; } = latency.Percentile(50);

    /// <summary>99th percentile end-to-end latency, milliseconds.</summary>
    public double? P99Ms { get; } = latency.Percentile(99);

    /// <summary>99.9th percentile end-to-end latency, milliseconds.</summary>
    public double? P999Ms { get; } = latency.Percentile(99.9);

    /// <summary>Largest end-to-end latency, milliseconds.</summary>
    public double? MaxMs { get; } = latency.Percentile(100);

    /// <summary>
    /// How late, in milliseconds, the level's first input was sent because planning the level overran its head start
    /// (0 when it did not): the first inputs then go in a burst, and the level's latency is not the rate's.
    /// </summary>
    public long StartedLateMs { get; init; }

    /// <summary>Batches committed: the minimizer's in the measured span, the pass-through's over the whole level.</summary>
    public long Batches { get; init; }

    /// <summary>Mean inputs per batch over the same batches.</summary>
    public double MeanBatch { get; init; }
}
