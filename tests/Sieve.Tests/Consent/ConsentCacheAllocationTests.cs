using Sieve.Core.Consent;
using Sieve.Testing.Consent;

namespace Sieve.Tests.Consent;

public class ConsentCacheAllocationTests
{
    [Fact]
    public async Task A_hit_allocates_nothing()
    {
        var store = new InMemoryConsentStore();

        // A clock that stands still: on a loaded machine the real one can pass the cache's staleness bound between
        // the two loops, and the hits then (rightly) stop, which is not what this test measures.
        using var cache = new ConsentCache(store, timeProvider: new Microsoft.Extensions.Time.Testing.FakeTimeProvider());
        byte[][] keys = new byte[16][];
        var names = new List<string>();
        for (int i = 0; i < keys.Length; i++)
        {
            names.Add(TestConsentKeys.Make(i));
            keys[i] = TestConsentKeys.Ascii(names[i]);
            await store.ApplyAsync(new ConsentUpdate(names[i], i % 7, true, i, "v1", i == 3));
        }

        await cache.FetchAsync(names);

        int hits = CountHits(cache, keys, 10_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        hits += CountHits(cache, keys, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(20_000, hits);
        Assert.Equal(0, allocated);
    }

    private static int CountHits(ConsentCache cache, byte[][] keys, int n)
    {
        int hits = 0;
        for (int i = 0; i < n; i++)
        {
            if (cache.TryGet(keys[i % keys.Length], out ConsentRecord? record) && record.Purposes.Length > 0)
            {
                hits++;
            }
        }

        return hits;
    }
}
