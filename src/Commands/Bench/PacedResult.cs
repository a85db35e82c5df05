using Sieve.Commands.Demo;

namespace Sieve.Commands.Bench;

/// <summary>What the paced (latency) run measured through the minimizer and read back.</summary>
/// <param name="latency">The level's samples (positioning records).</param>
public sealed class PacedResult(LatencyRecorder latency) : PacedLatency(latency)
{
    /// <summary>Seconds the inputs took to produce.</summary>
    public double Seconds { get; init; }

    /// <summary>The run's audit records, read back.</summary>
    public required AuditTotals Audit { get; init; }

    /// <summary>Records read back per purpose name.</summary>
    public required Dictionary<string, long> Outputs { get; init; }

    /// <summary>Quarantine records read back.</summary>
    public long QuarantineRead { get; init; }

    /// <summary>Where the time went, stage by stage (<see cref="StageBreakdown.Stages"/>).</summary>
    public required IReadOnlyList<StageTime> Stages { get; init; }
}
