using System.Diagnostics.CodeAnalysis;
using BenchmarkDotNet.Attributes;
using Sieve.Benchmarks.Workload;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Benchmarks.Core;

/// <summary>
/// <see cref="MinimizerCore.Process"/> against <see cref="StraightforwardMinimizer"/> (Apache.Avro generic decode and
/// encode, <c>HMACSHA256.HashData</c> per pseudonym, one Redis <c>HGETALL</c> per event) over the same pre-encoded
/// telematics events of the realistic population (100,000 vehicles and 20,000 Wi-Fi subjects, as in
/// <see cref="MinimizerCoreBenchmarks"/>). The baseline reads consent from a local redis-server started for the run
/// and seeded with the population's consent through <see cref="RedisConsentStore"/>; the core is in its steady state
/// (consent in the near-cache, pseudonyms cached). Setup checks that both forward byte-identical records, per
/// purpose, for the first <see cref="CheckedEvents"/> events. Results read per event.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class BaselineComparisonBenchmarks
{
    /// <summary>Events per invocation of the baseline (each costs a Redis round trip).</summary>
    public const int BaselineEventsPerInvoke = 1_000;

    /// <summary>Events compared record for record in setup.</summary>
    public const int CheckedEvents = 20_000;

    private readonly CountingSink _sink = new();
    private readonly Outcome[] _outcomes = new Outcome[8];
    private MinimizerWorkload _workload = null!;
    private LocalRedisConsent _redis = null!;
    private StraightforwardMinimizer _baseline = null!;
    private Action<string, byte[], byte[]> _forward = null!;
    private byte[][] _telematics = [];
    private long _baselineChecksum;
    private int _baselineNext;
    private int _coreNext;

    [GlobalSetup]
    public void Setup()
    {
        _workload = MinimizerWorkload.Create(100_000, 20_000, MinimizerCoreBenchmarks.TelematicsMessages, MinimizerCoreBenchmarks.WifiMessages);
        _telematics = _workload.Population.TelematicsMessages;
        _redis = LocalRedisConsent.StartAsync().GetAwaiter().GetResult();
        List<string> consentKeys = PopulationConsent.ConsentKeys(_workload.Population, new PseudonymKeyFactory(MasterKeyRing.CreateDemo()));
        _redis.SeedAsync(PopulationConsent.AllUpdates(_workload.Population, consentKeys)).GetAwaiter().GetResult();
        _baseline = new StraightforwardMinimizer(MasterKeyRing.CreateDemo(), _redis.Server.Configuration, _redis.Options.KeyPrefix);
        _forward = (_, key, value) => _baselineChecksum += key.Length + value.Length + key[0] + value[^1];
        CheckEquivalence();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _baseline.Dispose();
        _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _workload.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = BaselineEventsPerInvoke, Description = "Straightforward: Apache.Avro, HMACSHA256.HashData, Redis HGETALL per event")]
    public long Straightforward()
    {
        int start = _baselineNext;
        for (int i = start; i < start + BaselineEventsPerInvoke; i++)
        {
            if (_baseline.Process(_telematics[i], _forward) < 0)
            {
                ThrowNotProcessed();
            }
        }

        _baselineNext = start + BaselineEventsPerInvoke == _telematics.Length ? 0 : start + BaselineEventsPerInvoke;
        return _baselineChecksum;
    }

    [Benchmark(OperationsPerInvoke = MinimizerCoreBenchmarks.EventsPerInvoke, Description = "MinimizerCore.Process")]
    public long Core() => _workload.RunSlice(InputKind.Telematics, _telematics, ref _coreNext, MinimizerCoreBenchmarks.EventsPerInvoke, _sink, _outcomes);

    /// <summary>Both implementations over the same events must forward the same records, byte for byte, in the same order.</summary>
    private void CheckEquivalence()
    {
        var core = new RecordingSink();
        var baseline = new RecordingSink();
        Span<Outcome> outcomes = _outcomes;
        for (int i = 0; i < CheckedEvents; i++)
        {
            if (_workload.Core.Process(InputKind.Telematics, _telematics[i], core, outcomes, out _, out _) != ProcessStatus.Processed
                || _baseline.Process(_telematics[i], baseline.Add) < 0)
            {
                ThrowNotProcessed();
            }
        }

        string coreCounts = string.Join(", ", core.CountsByPurpose().Select(p => p.Key + " " + p.Value));
        string baselineCounts = string.Join(", ", baseline.CountsByPurpose().Select(p => p.Key + " " + p.Value));
        Console.WriteLine($"// Equivalence over {CheckedEvents} events: core {coreCounts}; straightforward {baselineCounts}");
        if (coreCounts != baselineCounts)
        {
            throw new InvalidOperationException($"The implementations forward different numbers of records: core {coreCounts}; straightforward {baselineCounts}.");
        }

        for (int i = 0; i < core.Records.Count; i++)
        {
            (string purpose, byte[] key, byte[] value) = core.Records[i];
            (string otherPurpose, byte[] otherKey, byte[] otherValue) = baseline.Records[i];
            if (purpose != otherPurpose || !key.AsSpan().SequenceEqual(otherKey) || !value.AsSpan().SequenceEqual(otherValue))
            {
                throw new InvalidOperationException($"Record {i} ({purpose}) differs between the implementations.");
            }
        }

        Console.WriteLine($"// Equivalence: all {core.Records.Count} records are byte-identical (keys and values).");
    }

    [DoesNotReturn]
    private static void ThrowNotProcessed() =>
        throw new InvalidOperationException("An event was not processed: the workload is not in steady state.");
}
