using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using Sieve.Benchmarks.Workload;
using Sieve.Minimizer.Pipeline;
using Sieve.Minimizer.Policy;

namespace Sieve.Benchmarks.Core;

/// <summary>
/// <see cref="MinimizerCore.Process"/> per event, on one thread, over a realistic population: 100,000 vehicles and
/// 20,000 Wi-Fi subjects, every subject's consent in the near-cache and pseudonyms cached (the steady state of a
/// running minimizer). Each invocation processes the next <see cref="EventsPerInvoke"/> pre-encoded events, cycling
/// through 200,000 telematics or 100,000 Wi-Fi messages, so the subject and consent look-ups range over the whole
/// population rather than a few hot entries. Results read per event.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class MinimizerCoreBenchmarks
{
    /// <summary>Events processed per invocation (every result is per event).</summary>
    public const int EventsPerInvoke = 10_000;

    /// <summary>Vehicles in the population.</summary>
    public const int Vehicles = 100_000;

    /// <summary>Wi-Fi subjects in the population.</summary>
    public const int WifiSubjects = 20_000;

    /// <summary>Encoded telematics messages (two rounds over the vehicles).</summary>
    public const int TelematicsMessages = 200_000;

    /// <summary>Encoded Wi-Fi messages (five rounds over the Wi-Fi subjects).</summary>
    public const int WifiMessages = 100_000;

    private readonly CountingSink _sink = new();
    private readonly Outcome[] _outcomes = new Outcome[8];
    private MinimizerWorkload _workload = null!;
    private MinimizerCore _core = null!;
    private byte[][] _telematics = [];
    private byte[][] _wifi = [];
    private int _telematicsNext;
    private int _wifiNext;

    [GlobalSetup]
    public void Setup()
    {
        _workload = MinimizerWorkload.Create(Vehicles, WifiSubjects, TelematicsMessages, WifiMessages);
        _core = _workload.Core;
        _telematics = _workload.Population.TelematicsMessages;
        _wifi = _workload.Population.WifiMessages;
    }

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();

    [Benchmark(OperationsPerInvoke = EventsPerInvoke, Description = "Telematics event")]
    public long Telematics() => Run(InputKind.Telematics, _telematics, ref _telematicsNext);

    [Benchmark(OperationsPerInvoke = EventsPerInvoke, Description = "Wi-Fi event")]
    public long Wifi() => Run(InputKind.Wifi, _wifi, ref _wifiNext);

    private long Run(InputKind kind, byte[][] messages, ref int next)
    {
        // The message counts are multiples of EventsPerInvoke, so each invocation is one contiguous slice.
        int start = next;
        Span<Outcome> outcomes = _outcomes;
        MinimizerCore core = _core;
        CountingSink sink = _sink;
        for (int i = start; i < start + EventsPerInvoke; i++)
        {
            if (core.Process(kind, messages[i], sink, outcomes, out _, out _) != ProcessStatus.Processed)
            {
                ThrowNotProcessed();
            }
        }

        next = start + EventsPerInvoke == messages.Length ? 0 : start + EventsPerInvoke;
        return sink.Checksum;
    }

    [DoesNotReturn]
    private static void ThrowNotProcessed() =>
        throw new InvalidOperationException("An event was not processed: the workload is not in steady state.");
}
