using System.Text;
using BenchmarkDotNet.Attributes;
using Sieve.Benchmarks.Workload;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;

namespace Sieve.Benchmarks.Components;

/// <summary>
/// One subject's consent from the near-cache against the same from Redis. A local redis-server, started for the run
/// on a free port, holds the realistic population's consent (120,000 subjects, written through
/// <see cref="RedisConsentStore.ApplyAsync"/>); a <see cref="ConsentCache"/> over a second
/// <see cref="RedisConsentStore"/> connection (with its invalidation subscription and heartbeats, production
/// staleness bound of 1 s) holds every subject. Measured: a <see cref="ConsentCache.TryGet"/> hit; one
/// <see cref="RedisConsentStore.GetAsync"/> round trip, awaited before the next; and the near-cache's miss path,
/// <see cref="RedisConsentStore.FetchAsync"/> of <see cref="FetchBatch"/> keys pipelined in one round trip (per key).
/// Each look-up is a different subject, in population order.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class ConsentStoreBenchmarks
{
    /// <summary>Near-cache look-ups per invocation.</summary>
    public const int CacheBatch = 1_000;

    /// <summary>Sequential Redis round trips per invocation.</summary>
    public const int RoundTrips = 100;

    /// <summary>Keys per pipelined fetch.</summary>
    public const int FetchBatch = 256;

    private const int Subjects = 120_000;

    private LocalRedisConsent _redis = null!;
    private RedisConsentStore _store = null!;
    private ConsentCache _cache = null!;
    private List<string> _keys = [];
    private byte[][] _keyBytes = [];
    private List<string>[] _fetchBatches = [];
    private long _hitsAtStart;
    private long _missesAtStart;
    private int _cacheNext;
    private int _getNext;
    private int _fetchNext;

    [GlobalSetup]
    public void Setup()
    {
        SyntheticPopulation population = SyntheticPopulation.Create(100_000, 20_000, 0, 0);
        _keys = PopulationConsent.ConsentKeys(population, new PseudonymKeyFactory(MasterKeyRing.CreateDemo()));
        _keyBytes = _keys.Select(Encoding.ASCII.GetBytes).ToArray();
        _fetchBatches = _keys.Chunk(FetchBatch).Where(c => c.Length == FetchBatch).Select(c => c.ToList()).ToArray();
        _redis = LocalRedisConsent.StartAsync().GetAwaiter().GetResult();
        _redis.SeedAsync(PopulationConsent.AllUpdates(population, _keys)).GetAwaiter().GetResult();
        _store = _redis.ConnectAsync().GetAwaiter().GetResult();
        _cache = new ConsentCache(_store, new ConsentCacheOptions { Capacity = 4 * Subjects, MaxEntryAge = TimeSpan.FromHours(1) });
        WaitForHeartbeat();
        foreach (List<string> chunk in _keys.Chunk(4_096).Select(c => c.ToList()))
        {
            _cache.FetchAsync(chunk).GetAwaiter().GetResult();
        }

        if (_cache.Count != Subjects || NearCacheHit() != CacheBatch)
        {
            throw new InvalidOperationException("The near-cache does not serve every subject.");
        }

        _hitsAtStart = _cache.Hits;
        _missesAtStart = _cache.Misses;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        long hits = _cache.Hits - _hitsAtStart;
        long misses = _cache.Misses - _missesAtStart;
        if (hits + misses > 0)
        {
            Console.WriteLine($"// Near-cache look-ups while measuring: {hits + misses}, hits {100.0 * hits / (hits + misses):0.000} %");
        }

        _cache.Dispose();
        _store.Dispose();
        _redis.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CacheBatch, Description = "Near-cache TryGet hit")]
    public int NearCacheHit()
    {
        int start = _cacheNext;
        _cacheNext = start + CacheBatch == Subjects ? 0 : start + CacheBatch;
        int hits = 0;
        for (int i = start; i < start + CacheBatch; i++)
        {
            hits += _cache.TryGet(_keyBytes[i], out _) ? 1 : 0;
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = RoundTrips, Description = "Redis round trip: RedisConsentStore.GetAsync")]
    public async Task<int> RedisGet()
    {
        int start = _getNext;
        _getNext = start + RoundTrips == Subjects ? 0 : start + RoundTrips;
        int minors = 0;
        for (int i = start; i < start + RoundTrips; i++)
        {
            ConsentRecord record = await _store.GetAsync(_keys[i]).ConfigureAwait(false);
            minors += record.Minor ? 1 : 0;
        }

        return minors;
    }

    [Benchmark(OperationsPerInvoke = FetchBatch, Description = "Redis pipelined: RedisConsentStore.FetchAsync of 256 keys, per key")]
    public async Task<int> RedisFetch()
    {
        List<string> batch = _fetchBatches[_fetchNext];
        _fetchNext = (_fetchNext + 1) % _fetchBatches.Length;
        IReadOnlyDictionary<string, ConsentRecord> records = await _store.FetchAsync(batch).ConfigureAwait(false);
        return records.Count;
    }

    /// <summary>Entries count as fresh only once the store's own heartbeat has come back over the subscription.</summary>
    private void WaitForHeartbeat()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnHeartbeat() => received.TrySetResult();
        _store.HeartbeatReceived += OnHeartbeat;
        try
        {
            if (_store.LastHeartbeatTimestamp == long.MinValue && !received.Task.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException("No heartbeat came back from redis-server within 30 s.");
            }
        }
        finally
        {
            _store.HeartbeatReceived -= OnHeartbeat;
        }
    }
}
