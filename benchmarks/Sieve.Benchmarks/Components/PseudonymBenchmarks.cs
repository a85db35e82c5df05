using System.Text;
using BenchmarkDotNet.Attributes;
using Sieve.Benchmarks.Workload;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Pipeline;

namespace Sieve.Benchmarks.Components;

/// <summary>
/// A subject's pseudonym over a population of 100,000 vehicles: computing it (HMAC-SHA256 of the normalized VIN,
/// truncated and base32-spelled: what a subject's first event, or a new daily key, costs) against finding it in
/// the minimizer's subject cache (what every later event costs). Normalizing the raw VIN, which both paths follow,
/// is measured on its own. Each invocation works through the next <see cref="Batch"/> subjects.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class PseudonymBenchmarks
{
    public const int Batch = 1_000;
    private const int Subjects = 100_000;
    private const int Plans = 3;

    private readonly byte[] _destination = new byte[PseudonymKey.PseudonymLength];
    private readonly byte[] _normalizeBuffer = new byte[IdentifierNormalizer.MaxNormalizedLength];
    private byte[][] _raw = [];
    private byte[][] _normalized = [];
    private PseudonymKey _key = null!;
    private SubjectCache _cache = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        SyntheticPopulation population = SyntheticPopulation.Create(Subjects, 0, 0, 0);
        _key = new PseudonymKeyFactory(MasterKeyRing.CreateDemo()).Create("positioning", PseudonymKeyFactory.StableEpoch);
        _cache = new SubjectCache(2 * Subjects);
        _raw = new byte[Subjects][];
        _normalized = new byte[Subjects][];
        for (int i = 0; i < Subjects; i++)
        {
            // As devices send them: lower case, padded.
            _raw[i] = Encoding.ASCII.GetBytes(" " + population.Vehicles[i].RawId.ToLowerInvariant() + " ");
            if (IdentifierNormalizer.TryNormalize(SubjectType.Vin, _raw[i], _normalizeBuffer, out int length, out _) != NormalizeStatus.Ok)
            {
                throw new InvalidOperationException("A synthetic VIN failed normalization.");
            }

            _normalized[i] = _normalizeBuffer.AsSpan(0, length).ToArray();
            var entry = new SubjectEntry(_cache.Hash(SubjectType.Vin, _normalized[i]), SubjectType.Vin, _normalized[i], Plans);
            _key.Compute(SubjectType.Vin, _normalized[i], entry.Pseudonym(0));
            entry.PseudonymDay(0) = 0;
            _cache.Add(entry);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch, Description = "HMAC pseudonym (cold)")]
    public int Compute()
    {
        int sum = 0;
        int start = Advance();
        for (int i = start; i < start + Batch; i++)
        {
            _key.Compute(SubjectType.Vin, _normalized[i], _destination);
            sum += _destination[0];
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Subject cache lookup (cached)")]
    public int Cached()
    {
        int sum = 0;
        int start = Advance();
        for (int i = start; i < start + Batch; i++)
        {
            ReadOnlySpan<byte> normalized = _normalized[i];
            if (_cache.TryGet(_cache.Hash(SubjectType.Vin, normalized), SubjectType.Vin, normalized, out SubjectEntry? entry))
            {
                sum += entry.Pseudonym(0)[0];
            }
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "Normalize raw VIN")]
    public int Normalize()
    {
        int sum = 0;
        int start = Advance();
        for (int i = start; i < start + Batch; i++)
        {
            IdentifierNormalizer.TryNormalize(SubjectType.Vin, _raw[i], _normalizeBuffer, out int length, out _);
            sum += length;
        }

        return sum;
    }

    private int Advance()
    {
        int start = _next;
        _next = start + Batch == Subjects ? 0 : start + Batch;
        return start;
    }
}
