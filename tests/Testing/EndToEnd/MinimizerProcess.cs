using System.Collections.Concurrent;
using Sieve.Testing.Harness;

namespace Sieve.Testing.EndToEnd;

/// <summary>The Minimizer service executable (<c>dotnet Sieve.Minimizer.dll</c>) as a child process, with its console output collected.</summary>
internal static class MinimizerProcess
{
    /// <summary>Starts <c>dotnet Sieve.Minimizer.dll</c> with <paramref name="arguments"/>; every output line goes to <paramref name="lines"/>.</summary>
    public static ServiceProcess Start(IEnumerable<string> arguments, ConcurrentQueue<string> lines)
    {
        // Each instance gets a free port for its metrics listener, so instances (and tests) never compete for one.
        return ServiceProcess.Start("Minimizer", ["--Metrics:Urls=http://127.0.0.1:0", .. arguments], lines);
    }

    /// <summary>
    /// The command line of a Minimizer on the test's Kafka, Redis, topics and policy file, under instance id
    /// <c>e2e-<paramref name="name"/></c> with groups of its own (demo master key).
    /// </summary>
    public static List<string> Arguments(string bootstrapServers, string redisConfiguration, PipelineTopics topics, string policyPath, string name) =>
    [
        "--Kafka:BootstrapServers=" + bootstrapServers,
        "--Redis:Configuration=" + redisConfiguration,
        "--Keys:AllowDemoKey=true",
        "--Recall:KeyPath=" + Recall.TestRecallKey.Path,
        "--Minimizer:InstanceId=e2e-" + name,
        "--Minimizer:GroupId=e2e-" + name + "-" + Guid.NewGuid().ToString("N"),
        "--Consent:LoaderGroupId=e2e-" + name + "-loader-" + Guid.NewGuid().ToString("N"),
        "--Topics:TelematicsRaw=" + topics.TelematicsRaw,
        "--Topics:WifiRaw=" + topics.WifiRaw,
        "--Topics:ConsentChanges=" + topics.ConsentChanges,
        "--Topics:Quarantine=" + topics.Quarantine,
        "--Topics:Audit=" + topics.Audit,
        "--Policy:Path=" + policyPath,
    ];
}
