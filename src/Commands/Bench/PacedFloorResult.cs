using Sieve.Commands.Demo;

namespace Sieve.Commands.Bench;

/// <summary>What one paced level measured through the raw pass-through: the setup's own latency at that rate.</summary>
/// <param name="latency">The level's samples (positioning copies).</param>
public sealed class PacedFloorResult(LatencyRecorder latency) : PacedLatency(latency)
{
    /// <summary>Inputs the pass-through's audit records account for.</summary>
    public long AuditedInputs { get; init; }

    /// <summary>Copies the fan-out called for.</summary>
    public long CopiesExpected { get; init; }

    /// <summary>Copies read back.</summary>
    public long CopiesRead { get; init; }
}
