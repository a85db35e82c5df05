namespace Sieve.Commands.Bench;

/// <summary>What one throughput run measured and read back.</summary>
public sealed class ThroughputResult
{
    /// <summary>Inputs the run had to process.</summary>
    public long Inputs { get; init; }

    /// <summary>Inputs committed after the first batch, over which rate and allocation are measured.</summary>
    public long MeasuredInputs { get; init; }

    /// <summary>Seconds from the first batch's commit to the last one's.</summary>
    public double Seconds { get; init; }

    /// <summary>Inputs per second.</summary>
    public double InputsPerSecond { get; init; }

    /// <summary>Bytes the whole process allocated per input over the measured span.</summary>
    public double AllocatedBytesPerInput { get; init; }

    /// <summary>Gen 0 collections over the measured span.</summary>
    public int Gen0Collections { get; init; }

    /// <summary>Gen 2 collections over the measured span.</summary>
    public int Gen2Collections { get; init; }

    /// <summary>Inputs accounted for by the run's audit records, read back.</summary>
    public long AuditedInputs { get; init; }

    /// <summary>Records written for inputs (purpose or copy records and quarantine records), read back.</summary>
    public long OutputsRead { get; init; }

    /// <summary>Records the fan-out says the run must write for its inputs.</summary>
    public long OutputsExpected { get; init; }

    /// <summary>Audit records read back.</summary>
    public long AuditRecords { get; init; }
}
