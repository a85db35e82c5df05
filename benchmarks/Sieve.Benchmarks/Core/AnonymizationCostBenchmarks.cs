using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Sieve.Benchmarks.Workload;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Benchmarks.Core;

/// <summary>
/// What the analytics protections cost <see cref="MinimizerCore.Process"/> per event, side by side in one run.
/// "anonymized" is the shipped policy: the core decides consent and minors, generalizes, and writes each analytics
/// record as a release candidate for the release stage. "pseudonymized" is the shipped policy with the analytics
/// purpose as it was before the release stage: a daily keyed pseudonym, forwarded directly (it now needs consent to
/// pass validation, so every subject but minors grants it; the same records leave the core either way). Realistic
/// population (120,000 subjects). The release stage's own work per held record is
/// <see cref="ReleaseStageBenchmarks"/>.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class AnonymizationCostBenchmarks
{
    private readonly CountingSink _sink = new();
    private readonly Outcome[] _outcomes = new Outcome[8];
    private MinimizerWorkload _workload = null!;
    private byte[][] _telematics = [];
    private byte[][] _wifi = [];
    private int _telematicsNext;
    private int _wifiNext;

    /// <summary>How the analytics purpose is released.</summary>
    [Params("anonymized", "pseudonymized")]
    public string Analytics { get; set; } = "anonymized";

    [GlobalSetup]
    public void Setup()
    {
        bool anonymized = Analytics == "anonymized";
        _workload = MinimizerWorkload.Create(100_000, 20_000, MinimizerCoreBenchmarks.TelematicsMessages, MinimizerCoreBenchmarks.WifiMessages,
            anonymized ? PolicyLoader.LoadDefault() : PseudonymizedAnalytics(), analyticsConsent: !anonymized);
        _telematics = _workload.Population.TelematicsMessages;
        _wifi = _workload.Population.WifiMessages;
    }

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();

    [Benchmark(OperationsPerInvoke = MinimizerCoreBenchmarks.EventsPerInvoke, Description = "Telematics event")]
    public long Telematics() => Run(InputKind.Telematics, _telematics, ref _telematicsNext);

    [Benchmark(OperationsPerInvoke = MinimizerCoreBenchmarks.EventsPerInvoke, Description = "Wi-Fi event")]
    public long Wifi() => Run(InputKind.Wifi, _wifi, ref _wifiNext);

    /// <summary>The shipped policy with analytics under a daily keyed pseudonym and no anonymize block.</summary>
    internal static CompiledPolicy PseudonymizedAnalytics()
    {
        using Stream stream = typeof(PolicyLoader).Assembly.GetManifestResourceStream(PolicyLoader.DefaultResourceName)
            ?? throw new InvalidOperationException("The shipped policy is not embedded.");
        JsonNode policy = JsonNode.Parse(stream)!;
        JsonObject analytics = policy["purposes"]!["analytics"]!.AsObject();
        analytics.Remove("anonymize");
        analytics["pseudonym"] = "daily";
        analytics["consentRequired"] = true;
        analytics["consentMaxAge"] = "365d";
        return PolicyLoader.LoadJson(policy.ToJsonString(), "benchmark:pseudonymized-analytics");
    }

    private long Run(InputKind kind, byte[][] messages, ref int next) =>
        _workload.RunSlice(kind, messages, ref next, MinimizerCoreBenchmarks.EventsPerInvoke, _sink, _outcomes);
}
