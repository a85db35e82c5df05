namespace Sieve.Commands.Bench;

/// <summary>What one paced level measured through the raw pass-through: the setup's own latency at that rate.</summary>
public sealed class PacedFloorResult
{
    /// <summary>The level's share of the measured minimizer rate in percent; null when <c>--rate</c> set the rate.</summary>
    public int? Percent { get; init; }

    /// <summary>Inputs offered per second.</summary>
    public int Rate { get; init; }

    /// <summary>Inputs produced.</summary>
    public long Produced { get; init; }

    /// <summary>Latency samples (positioning copies of events made after the first second).</summary>
    public long Samples { get; init; }

    /// <summary>Median end-to-end latency, milliseconds.</summary>
    public double? P50Ms { get; init; }

    /// <summary>99th percentile end-to-end latency, milliseconds.</summary>
    public double? P99Ms { get; init; }

    /// <summary>99.9th percentile end-to-end latency, milliseconds.</summary>
    public double? P999Ms { get; init; }

    /// <summary>Largest end-to-end latency, milliseconds.</summary>
    public double? MaxMs { get; init; }

    /// <summary>Batches the pass-through committed during the level (warm-up included).</summary>
    public long Batches { get; init; }

    /// <summary>Mean inputs per batch during the level.</summary>
    public double MeanBatch { get; init; }

    /// <summary>Inputs the pass-through's audit records account for.</summary>
    public long AuditedInputs { get; init; }

    /// <summary>Copies the fan-out called for.</summary>
    public long CopiesExpected { get; init; }

    /// <summary>Copies read back.</summary>
    public long CopiesRead { get; init; }
}
