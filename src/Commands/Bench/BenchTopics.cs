using Sieve.Core.Policy;

namespace Sieve.Commands.Bench;

/// <summary>
/// Topic names of one bench run. Inputs, audit, quarantine and the pass-throughs' copies carry the run's id, so a
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
        ReleaseAudit = prefix + "paced.release.audit";
        ReleaseQuarantine = prefix + "paced.release.quarantine";
        PurposeTopics = [.. policy.Purposes.Select(p => p.ForwardTopic)];
        ReleasedTopics = [.. policy.Purposes.Where(p => p.Anonymization is not null).Select(p => p.Topic)];
        PassThrough = new PassThroughTopics(TelematicsInput, WifiInput,
            [.. policy.Purposes.Select(p => prefix + "copy." + p.Name), prefix + "copy.quarantine"], prefix + "copy.audit");
        string floor = prefix + "floor.";
        Floor = new PassThroughTopics(floor + "telematics.raw", floor + "wifi.raw",
            [.. policy.Purposes.Select(p => floor + "copy." + p.Name), floor + "copy.quarantine"], floor + "copy.audit");
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

    /// <summary>The release stage's audit topic in the paced run (apart, so the minimizer's audit sums stay its own).</summary>
    public string ReleaseAudit { get; }

    /// <summary>The release stage's quarantine topic in the paced run.</summary>
    public string ReleaseQuarantine { get; }

    /// <summary>
    /// The topics the minimizer writes per purpose, in plan order: the policy's purpose topic, or for an anonymized
    /// purpose its pending topic (the release stage's input).
    /// </summary>
    public IReadOnlyList<string> PurposeTopics { get; }

    /// <summary>The purpose topics the release stage writes (anonymized purposes only).</summary>
    public IReadOnlyList<string> ReleasedTopics { get; }

    /// <summary>The throughput pass-through's topics: the throughput inputs, its copy topics and its audit topic.</summary>
    public PassThroughTopics PassThrough { get; }

    /// <summary>
    /// The paced pass-through's topics (the latency floor): its own paced inputs, copies and audit, so its records
    /// never mix with the throughput pass-through's or the paced minimizer's.
    /// </summary>
    public PassThroughTopics Floor { get; }

    /// <summary>A fresh run id.</summary>
    public static string NewRunId() => Guid.NewGuid().ToString("N")[..8];
}
