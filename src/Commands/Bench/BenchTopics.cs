using Sieve.Core.Policy;

namespace Sieve.Commands.Bench;

/// <summary>
/// Topic names of one bench run. Inputs, audit, quarantine and the pass-through's copies carry the run's id, so a
/// run on a real cluster never reads an earlier run's data; the minimizer's purpose topics are the policy's own.
/// </summary>
public sealed class BenchTopics
{
    /// <summary>Names the topics of run <paramref name="runId"/> for <paramref name="policy"/>.</summary>
    public BenchTopics(string runId, CompiledPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        RunId = runId;
        string prefix = "bench." + runId + ".";
        TelematicsInput = prefix + "telematics.raw";
        WifiInput = prefix + "wifi.raw";
        PacedTelematicsInput = prefix + "paced.telematics.raw";
        PacedWifiInput = prefix + "paced.wifi.raw";
        Audit = prefix + "audit";
        Quarantine = prefix + "quarantine";
        PacedAudit = prefix + "paced.audit";
        PacedQuarantine = prefix + "paced.quarantine";
        PurposeTopics = [.. policy.Purposes.Select(p => p.Topic)];
        Copies = [.. policy.Purposes.Select(p => prefix + "copy." + p.Name), prefix + "copy.quarantine"];
        CopyAudit = prefix + "copy.audit";
    }

    /// <summary>The run's id (8 hexadecimal digits).</summary>
    public string RunId { get; }

    /// <summary>Pre-produced telematics inputs of the throughput runs.</summary>
    public string TelematicsInput { get; }

    /// <summary>Pre-produced Wi-Fi inputs of the throughput runs.</summary>
    public string WifiInput { get; }

    /// <summary>Telematics inputs of the paced run.</summary>
    public string PacedTelematicsInput { get; }

    /// <summary>Wi-Fi inputs of the paced run.</summary>
    public string PacedWifiInput { get; }

    /// <summary>The minimizer's audit topic in the throughput run.</summary>
    public string Audit { get; }

    /// <summary>The minimizer's quarantine topic in the throughput run.</summary>
    public string Quarantine { get; }

    /// <summary>The minimizer's audit topic in the paced run.</summary>
    public string PacedAudit { get; }

    /// <summary>The minimizer's quarantine topic in the paced run.</summary>
    public string PacedQuarantine { get; }

    /// <summary>The policy's purpose topics, in plan order.</summary>
    public IReadOnlyList<string> PurposeTopics { get; }

    /// <summary>The pass-through's copy topics: one per purpose (plan order), then one for quarantined inputs.</summary>
    public IReadOnlyList<string> Copies { get; }

    /// <summary>The pass-through's per-batch audit topic.</summary>
    public string CopyAudit { get; }

    /// <summary>Index of <paramref name="topic"/> among the throughput inputs: 0 telematics, 1 Wi-Fi, -1 neither.</summary>
    public int InputIndex(string? topic) =>
        string.Equals(topic, TelematicsInput, StringComparison.Ordinal) ? 0 : string.Equals(topic, WifiInput, StringComparison.Ordinal) ? 1 : -1;

    /// <summary>A fresh run id.</summary>
    public static string NewRunId() => Guid.NewGuid().ToString("N")[..8];
}
