namespace Sieve.Commands.Bench;

/// <summary>What the paced (latency) run measured and read back.</summary>
public sealed class PacedResult
{
    /// <summary>The level's share of the measured minimizer rate in percent; null when <c>--rate</c> set the rate.</summary>
    public int? Percent { get; init; }

    /// <summary>Inputs offered per second.</summary>
    public int Rate { get; init; }

    /// <summary>Inputs produced.</summary>
    public long Produced { get; init; }

    /// <summary>Seconds the inputs took to produce.</summary>
    public double Seconds { get; init; }

    /// <summary>Latency samples (positioning records of events made after the first second).</summary>
    public long Samples { get; init; }

    /// <summary>Median end-to-end latency, milliseconds.</summary>
    public double? P50Ms { get; init; }

    /// <summary>99th percentile end-to-end latency, milliseconds.</summary>
    public double? P99Ms { get; init; }

    /// <summary>99.9th percentile end-to-end latency, milliseconds.</summary>
    public double? P999Ms { get; init; }

    /// <summary>Largest end-to-end latency, milliseconds.</summary>
    public double? MaxMs { get; init; }

    /// <summary>The run's audit records, read back.</summary>
    public required AuditTotals Audit { get; init; }

    /// <summary>Records read back per purpose name.</summary>
    public required Dictionary<string, long> Outputs { get; init; }

    /// <summary>Quarantine records read back.</summary>
    public long QuarantineRead { get; init; }

    /// <summary>Batches the engine committed in the measured span.</summary>
    public long Batches { get; init; }

    /// <summary>Mean inputs per batch in the measured span.</summary>
    public double MeanBatch { get; init; }

    /// <summary>Where the time went, stage by stage (<see cref="StageBreakdown.Stages"/>).</summary>
    public required IReadOnlyList<StageTime> Stages { get; init; }
}
