using System.Text;
using BenchmarkDotNet.Attributes;
using Sieve.Benchmarks.Workload;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;

namespace Sieve.Benchmarks.Components;

/// <summary>
/// <see cref="ConsentCache.TryGet"/> hits: over the whole 120,000-subject population (each look-up a different
/// subject, as in the minimizer) and over 16 hot subjects (the cache-resident floor). Each invocation makes
/// <see cref="Batch"/> look-ups.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class ConsentCacheBenchmarks
{
    public const int Batch = 1_000;
    private const int Subjects = 120_000;

    private InMemoryConsentStore _store = null!;
    private ConsentCache _cache = null!;
    private byte[][] _keys = [];
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        SyntheticPopulation population = SyntheticPopulation.Create(100_000, 20_000, 0, 0);
        using PseudonymKey index = new PseudonymKeyFactory(MasterKeyRing.CreateDemo()).Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        _store = new InMemoryConsentStore();
        _cache = new ConsentCache(_store, new ConsentCacheOptions { Capacity = 4 * Subjects, MaxEntryAge = TimeSpan.FromDays(3650) });
        var names = new List<string>(Subjects);
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        foreach (SyntheticSubject subject in population.Subjects)
        {
            IdentifierNormalizer.TryNormalize(subject.Type, Encoding.UTF8.GetBytes(subject.RawId), normalized, out int length, out _);
            string key = index.ComputeString(subject.Type, Encoding.ASCII.GetString(normalized[..length]));
            names.Add(key);
            _store.ApplyAsync(new ConsentUpdate(key, KnownPurposes.IndexOf(KnownPurposes.Positioning), true, 1, "2026-11-01", false)).GetAwaiter().GetResult();
        }

        _cache.FetchAsync(names).GetAwaiter().GetResult();
        _keys = names.Select(Encoding.ASCII.GetBytes).ToArray();
        if (_cache.Count != Subjects)
        {
            throw new InvalidOperationException("The cache did not take every subject.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _cache.Dispose();

    [Benchmark(OperationsPerInvoke = Batch, Description = "TryGet hit, 120,000 subjects")]
    public int Population()
    {
        int start = _next;
        _next = start + Batch == Subjects ? 0 : start + Batch;
        int hits = 0;
        for (int i = start; i < start + Batch; i++)
        {
            hits += _cache.TryGet(_keys[i], out ConsentRecord? record) && !record.Minor ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Batch, Description = "TryGet hit, 16 hot subjects")]
    public int Hot()
    {
        int hits = 0;
        for (int i = 0; i < Batch; i++)
        {
            hits += _cache.TryGet(_keys[i & 15], out ConsentRecord? record) && !record.Minor ? 1 : 0;
        }

        return hits;
    }
}
