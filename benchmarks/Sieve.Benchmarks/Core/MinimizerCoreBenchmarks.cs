using BenchmarkDotNet.Attributes;
using Sieve.Benchmarks.Workload;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Benchmarks.Core;

/// <summary>
/// <see cref="MinimizerCore.Process"/> per event, on one thread, in the steady state of a running minimizer: every
/// subject's consent in the near-cache and its pseudonyms cached. Each invocation processes the next
/// <see cref="EventsPerInvoke"/> pre-encoded events, cycling through 200,000 telematics or 100,000 Wi-Fi messages.
/// <see cref="Subjects"/> = 120,000 is the realistic population (100,000 vehicles, 20,000 Wi-Fi subjects): the
/// subject and consent look-ups range over far more memory than the CPU caches hold. 1,200 subjects (1,000 and 200)
/// run the same events over a population whose look-up structures stay cache-resident, which separates the cost of
/// the work from the cost of waiting for memory. Results read per event.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class MinimizerCoreBenchmarks
{
    /// <summary>Events processed per invocation (every result is per event).</summary>
    public const int EventsPerInvoke = 10_000;

    /// <summary>The realistic population: 100,000 vehicles and 20,000 Wi-Fi subjects.</summary>
    public const int RealisticSubjects = 120_000;

    /// <summary>A population whose subject and consent entries fit in the CPU caches.</summary>
    public const int CacheResidentSubjects = 1_200;

    /// <summary>Encoded telematics messages (two rounds over 100,000 vehicles).</summary>
    public const int TelematicsMessages = 200_000;

    /// <summary>Encoded Wi-Fi messages (five rounds over 20,000 Wi-Fi subjects).</summary>
    public const int WifiMessages = 100_000;

    private readonly CountingSink _sink = new();
    private readonly Outcome[] _outcomes = new Outcome[8];
    private MinimizerWorkload _workload = null!;
    private byte[][] _telematics = [];
    private byte[][] _wifi = [];
    private int _telematicsNext;
    private int _wifiNext;

    /// <summary>Subjects in the population: five in six are vehicles, the rest Wi-Fi subjects.</summary>
    [Params(RealisticSubjects, CacheResidentSubjects)]
    public int Subjects { get; set; } = RealisticSubjects;

    [GlobalSetup]
    public void Setup()
    {
        int vehicles = Subjects / 6 * 5;
        _workload = MinimizerWorkload.Create(vehicles, Subjects - vehicles, TelematicsMessages, WifiMessages);
        _telematics = _workload.Population.TelematicsMessages;
        _wifi = _workload.Population.WifiMessages;
    }

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();

    [Benchmark(OperationsPerInvoke = EventsPerInvoke, Description = "Telematics event")]
    public long Telematics() => Run(InputKind.Telematics, _telematics, ref _telematicsNext);

    [Benchmark(OperationsPerInvoke = EventsPerInvoke, Description = "Wi-Fi event")]
    public long Wifi() => Run(InputKind.Wifi, _wifi, ref _wifiNext);

    private long Run(InputKind kind, byte[][] messages, ref int next) =>
        _workload.RunSlice(kind, messages, ref next, EventsPerInvoke, _sink, _outcomes);
}
