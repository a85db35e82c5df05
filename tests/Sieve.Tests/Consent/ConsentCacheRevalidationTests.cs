using Microsoft.Extensions.Time.Testing;
using Sieve.Core.Consent;
using Sieve.Testing.Consent;

namespace Sieve.Tests.Consent;

/// <summary>
/// <see cref="ConsentCache.IsCurrent(ConsentCacheEntry)"/>: a kept entry is usable without a look-up only until the cache moves on
/// from it, and every way the cache can move on is honoured by the very next check.
/// </summary>
public class ConsentCacheRevalidationTests
{
    private static readonly TimeSpan Staleness = TimeSpan.FromSeconds(1);
    private static readonly string KeyA = TestConsentKeys.Make(1);
    private static readonly byte[] AsciiA = TestConsentKeys.Ascii(KeyA);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_kept_entry_is_current_and_counted_as_a_hit_until_an_invalidation()
    {
        var store = new InMemoryConsentStore();
        await store.ApplyAsync(new ConsentUpdate(KeyA, 0, true, 10, "v1", false));
        using var cache = new ConsentCache(store, timeProvider: _time);
        await cache.FetchAsync([KeyA]);

        Assert.True(cache.TryGetEntry(AsciiA, out ConsentCacheEntry? entry));
        Assert.True(cache.IsCurrent(entry));
        Assert.True(cache.IsCurrent(entry));
        Assert.Equal(3, cache.Hits);

        await store.ApplyAsync(new ConsentUpdate(KeyA, 0, false, 20, "v1", false));

        Assert.False(cache.IsCurrent(entry));
        Assert.False(cache.TryGetEntry(AsciiA, out _));
        Assert.Equal(3, cache.Hits);
        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGetEntry(AsciiA, out ConsentCacheEntry? refetched));
        Assert.NotSame(entry, refetched);
        Assert.Equal(ConsentState.Withdrawn, refetched.Record.GetPurpose(0).State);
        Assert.False(cache.IsCurrent(entry));
        Assert.True(cache.IsCurrent(refetched));
    }

    [Fact]
    public async Task A_stream_reset_makes_every_kept_entry_not_current()
    {
        var store = new InMemoryConsentStore();
        using var cache = new ConsentCache(store, timeProvider: _time);
        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGetEntry(AsciiA, out ConsentCacheEntry? entry));

        store.ResetInvalidationStream();

        Assert.False(cache.IsCurrent(entry));
        Assert.False(cache.TryGetEntry(AsciiA, out _));
    }

    [Fact]
    public async Task A_kept_entry_is_not_current_beyond_the_staleness_bound_and_a_refetch_replaces_it()
    {
        var store = new ScriptedConsentStore();
        using var cache = new ConsentCache(store, new ConsentCacheOptions { MaxStaleness = Staleness }, _time);
        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGetEntry(AsciiA, out ConsentCacheEntry? entry));

        _time.Advance(Staleness);
        Assert.True(cache.IsCurrent(entry));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(cache.IsCurrent(entry));

        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGetEntry(AsciiA, out ConsentCacheEntry? refetched));
        Assert.NotSame(entry, refetched);
        Assert.False(cache.IsCurrent(entry));

        // Refetched while the old one was still fresh: the replaced entry is not current either.
        await store.ApplySilentlyAsync(new ConsentUpdate(KeyA, 0, true, 10, "v1", false));
        _time.Advance(Staleness + TimeSpan.FromTicks(1));
        await cache.FetchAsync([KeyA]);
        Assert.False(cache.IsCurrent(refetched));
        Assert.True(cache.TryGetEntry(AsciiA, out ConsentCacheEntry? latest));
        Assert.Equal(ConsentState.Granted, latest.Record.GetPurpose(0).State);
    }

    [Fact]
    public async Task An_entry_that_aged_into_the_old_generation_needs_a_look_up_which_promotes_it_and_an_evicted_one_is_gone()
    {
        var store = new InMemoryConsentStore();
        using var cache = new ConsentCache(store, new ConsentCacheOptions { Capacity = 4 }, _time);
        string[] keys = [.. Enumerable.Range(10, 6).Select(TestConsentKeys.Make)];
        byte[] ascii0 = TestConsentKeys.Ascii(keys[0]);
        await cache.FetchAsync([keys[0], keys[1]]);
        Assert.True(cache.TryGetEntry(ascii0, out ConsentCacheEntry? entry));

        await cache.FetchAsync([keys[2]]);
        Assert.False(cache.IsCurrent(entry));
        Assert.True(cache.TryGetEntry(ascii0, out ConsentCacheEntry? promoted));
        Assert.Same(entry, promoted);
        Assert.True(cache.IsCurrent(entry));

        // Two more rotations without a look-up: the entry is evicted, and a kept reference never comes back.
        await cache.FetchAsync([keys[3]]);
        await cache.FetchAsync([keys[4], keys[5]]);
        Assert.False(cache.IsCurrent(entry));
        Assert.False(cache.TryGetEntry(ascii0, out _));
        Assert.False(cache.IsCurrent(entry));
    }

    [Fact]
    public async Task A_kept_stamp_skips_reading_the_entry_only_while_nothing_was_dropped_and_honours_every_move_on()
    {
        string keyB = TestConsentKeys.Make(2);
        var store = new InMemoryConsentStore();
        using var cache = new ConsentCache(store, new ConsentCacheOptions { MaxStaleness = Staleness }, _time);
        await cache.FetchAsync([KeyA, keyB]);
        Assert.True(cache.TryGetEntry(AsciiA, out ConsentCacheEntry? entry));
        var stamp = new Stamp(entry.FetchedAt);

        Assert.True(stamp.Check(cache, entry));
        long verified = stamp.Drops;
        Assert.NotEqual(-1, verified);
        Assert.True(stamp.Check(cache, entry));
        Assert.Equal(verified, stamp.Drops);

        // Another key's invalidation moves the drop count: the entry is read again, found current, and re-stamped.
        await store.ApplyAsync(new ConsentUpdate(keyB, 0, false, 20, "v1", false));
        Assert.True(stamp.Check(cache, entry));
        Assert.NotEqual(verified, stamp.Drops);

        // Its own invalidation: not current, though the stamp had verified it before.
        await store.ApplyAsync(new ConsentUpdate(KeyA, 0, false, 20, "v1", false));
        Assert.False(stamp.Check(cache, entry));
        Assert.False(cache.TryGetEntry(AsciiA, out _));
    }

    [Fact]
    public async Task A_kept_stamp_honours_the_staleness_bound_without_reading_the_entry()
    {
        var store = new ScriptedConsentStore();
        using var cache = new ConsentCache(store, new ConsentCacheOptions { MaxStaleness = Staleness }, _time);
        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGetEntry(AsciiA, out ConsentCacheEntry? entry));
        var stamp = new Stamp(entry.FetchedAt);
        Assert.True(stamp.Check(cache, entry));

        _time.Advance(Staleness);
        Assert.True(stamp.Check(cache, entry));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(stamp.Check(cache, entry));
    }

    [Fact]
    public async Task A_kept_stamp_is_not_current_after_a_reset_or_a_rotation()
    {
        var store = new InMemoryConsentStore();
        using var cache = new ConsentCache(store, new ConsentCacheOptions { Capacity = 4 }, _time);
        string[] keys = [.. Enumerable.Range(10, 3).Select(TestConsentKeys.Make)];
        byte[] ascii0 = TestConsentKeys.Ascii(keys[0]);
        await cache.FetchAsync([keys[0], keys[1]]);
        Assert.True(cache.TryGetEntry(ascii0, out ConsentCacheEntry? entry));
        var stamp = new Stamp(entry.FetchedAt);
        Assert.True(stamp.Check(cache, entry));

        // A rotation drops nothing one by one; the young generation moves on.
        await cache.FetchAsync([keys[2]]);
        Assert.False(stamp.Check(cache, entry));
        Assert.True(cache.TryGetEntry(ascii0, out ConsentCacheEntry? promoted));
        Assert.Same(entry, promoted);
        Assert.True(stamp.Check(cache, entry));

        store.ResetInvalidationStream();
        Assert.False(stamp.Check(cache, entry));
        Assert.False(cache.TryGetEntry(ascii0, out _));
    }

    // What a caller keeps next to a near-cache entry, as the minimizer's subject entries do.
    private sealed class Stamp(long fetchedAt)
    {
        public long Drops = -1;
        public int Generation;

        public bool Check(ConsentCache cache, ConsentCacheEntry entry) => cache.IsCurrent(entry, fetchedAt, ref Drops, ref Generation);
    }
}
