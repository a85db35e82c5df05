using System.Text.Json.Nodes;
using Sieve.Contracts.Pseudonymization;

namespace Sieve.Testing.Interop;

/// <summary>
/// Starts the real Minimizer service (src/Minimizer's built Sieve.Minimizer.dll) as a child process, with the
/// configuration given on its command line.
/// </summary>
internal static class MinimizerLauncher
{
    /// <summary>
    /// The build configuration of the running tests (Debug or Release), read from the test assembly's own path
    /// (…/bin/Debug/net10.0/), so the test runs the minimizer built alongside it.
    /// </summary>
    public static string Configuration { get; } = FindConfiguration();

    /// <summary>Path of Sieve.Minimizer.dll of <see cref="Configuration"/>.</summary>
    public static string AssemblyPath { get; } =
        Path.Combine(RepoPaths.Root, "src", "Minimizer", "bin", Configuration, "net10.0", "Sieve.Minimizer.dll");

    /// <summary>
    /// Writes a copy of the default policy whose purpose topics are the plan's, so that runs sharing one Kafka
    /// do not share output topics.
    /// </summary>
    /// <returns>The policy file's path.</returns>
    public static string WritePolicy(IReadOnlyDictionary<string, string> topics, string folder)
    {
        string source = RepoPaths.DefaultPolicy;
        JsonNode policy = JsonNode.Parse(File.ReadAllText(source)) ?? throw new InvalidDataException("empty default policy");
        foreach (KeyValuePair<string, JsonNode?> purpose in policy["purposes"]!.AsObject())
        {
            // Purposes the plan does not name keep their shipped topics.
            if (topics.TryGetValue(purpose.Key, out string? topic))
            {
                purpose.Value!["topic"] = topic;
            }
        }

        string path = Path.Combine(folder, "policy.json");
        File.WriteAllText(path, policy.ToJsonString());
        return path;
    }

    /// <summary>Starts the minimizer on the demo master key.</summary>
    public static ChildProcess Start(string bootstrapServers, string redisConfiguration, string policyPath,
        IReadOnlyDictionary<string, string> topics, string runId)
    {
        Assert.True(File.Exists(AssemblyPath), "The minimizer is not built: " + AssemblyPath + " is missing (dotnet build Sieve.slnx -c " + Configuration + ").");
        string[] arguments =
        [
            AssemblyPath,
            "--Kafka:BootstrapServers=" + bootstrapServers,
            "--Redis:Configuration=" + redisConfiguration,
            "--Keys:AllowDemoKey=true",
            "--Recall:KeyPath=" + Recall.TestRecallKey.Path,
            "--Metrics:Urls=http://127.0.0.1:0",
            "--Policy:Path=" + policyPath,
            "--Minimizer:InstanceId=interop-" + runId,
            "--Minimizer:GroupId=sieve-minimizer-interop-" + runId,
            "--Consent:LoaderGroupId=sieve-consent-loader-interop-" + runId,
            "--Topics:TelematicsRaw=" + topics["telematics"],
            "--Topics:WifiRaw=" + topics["wifi"],
            "--Topics:ConsentChanges=" + topics["consent"],
            "--Topics:Audit=" + topics["audit"],
            "--Topics:Quarantine=" + topics["quarantine"],
            // Sieve's own debug lines too: everything the service writes is scanned for raw identifiers.
            "--Logging:LogLevel:Sieve=Debug",
        ];

        // A key ring in the environment would take precedence over the demo key; this run wants the demo key.
        return ChildProcess.Start("dotnet", arguments, RepoPaths.Root, environmentRemoved: [MasterKeyRing.EnvironmentVariable]);
    }

    private static string FindConfiguration()
    {
        string[] parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 2; i >= 0; i--)
        {
            if (parts[i] == "bin" && parts[i + 1] is "Debug" or "Release")
            {
                return parts[i + 1];
            }
        }

        throw new InvalidOperationException("No bin/Debug or bin/Release segment in " + AppContext.BaseDirectory);
    }
}
