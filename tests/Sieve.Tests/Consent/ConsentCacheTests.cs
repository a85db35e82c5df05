using Microsoft.Extensions.Time.Testing;
using Sieve.Core.Consent;
using Sieve.Testing.Consent;

namespace Sieve.Tests.Consent;

public class ConsentCacheTests
{
    private static readonly TimeSpan Staleness = TimeSpan.FromSeconds(1);
    private static readonly string KeyA = TestConsentKeys.Make(1);
    private static readonly string KeyB = TestConsentKeys.Make(2);
    private static readonly byte[] AsciiA = TestConsentKeys.Ascii(KeyA);
    private static readonly byte[] AsciiB = TestConsentKeys.Ascii(KeyB);

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_miss_is_fetched_once_and_then_hits()
    {
        var store = new InMemoryConsentStore();
        await store.ApplyAsync(new ConsentUpdate(KeyA, 0, true, 10, "v1", false));
        using var cache = new ConsentCache(store, timeProvider: _time);

        Assert.False(cache.TryGet(AsciiA, out ConsentRecord? record));
        Assert.Null(record);
        await cache.FetchAsync([KeyA, KeyB]);
        await cache.FetchAsync([KeyA, KeyB]);

        Assert.True(cache.TryGet(AsciiA, out record));
        Assert.Equal(ConsentState.Granted, record.GetPurpose(0).State);
        Assert.True(cache.TryGet(AsciiB, out record));
        Assert.Same(ConsentRecord.Empty, record);
        Assert.Equal(2, cache.Hits);
        Assert.Equal(1, cache.Misses);
        Assert.Equal(1, cache.Fetches);
        Assert.Equal(2, cache.FetchedKeys);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task An_invalidation_drops_the_entry()
    {
        var store = new InMemoryConsentStore();
        await store.ApplyAsync(new ConsentUpdate(KeyA, 0, true, 10, "v1", false));
        using var cache = new ConsentCache(store, timeProvider: _time);
        await cache.FetchAsync([KeyA, KeyB]);

        await store.ApplyAsync(new ConsentUpdate(KeyA, 0, false, 20, "v1", false));

        Assert.False(cache.TryGet(AsciiA, out _));
        Assert.True(cache.TryGet(AsciiB, out _));
        Assert.Equal(1, cache.Invalidations);
        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGet(AsciiA, out ConsentRecord? record));
        Assert.Equal(ConsentState.Withdrawn, record.GetPurpose(0).State);
    }

    [Fact]
    public async Task A_stream_reset_clears_everything()
    {
        var store = new InMemoryConsentStore();
        using var cache = new ConsentCache(store, timeProvider: _time);
        await cache.FetchAsync([KeyA, KeyB]);

        store.ResetInvalidationStream();

        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet(AsciiA, out _));
        Assert.False(cache.TryGet(AsciiB, out _));
        Assert.Equal(1, cache.Resets);
    }

    [Fact]
    public async Task Without_heartbeats_an_entry_is_served_only_within_the_staleness_bound()
    {
        var store = new ScriptedConsentStore();
        using var cache = new ConsentCache(store, new ConsentCacheOptions { MaxStaleness = Staleness }, _time);
        await cache.FetchAsync([KeyA]);

        _time.Advance(Staleness);
        Assert.True(cache.TryGet(AsciiA, out _));

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(cache.TryGet(AsciiA, out _));
        Assert.Equal(1, cache.StaleMisses);

        // A heartbeat proves the invalidation stream complete up to now: the entry is fresh again.
        store.SetHeartbeat(_time.GetTimestamp());
        Assert.True(cache.TryGet(AsciiA, out _));

        // ...until the heartbeat itself is older than the bound.
        _time.Advance(Staleness + TimeSpan.FromTicks(1));
        Assert.False(cache.TryGet(AsciiA, out _));

        // A stale entry counts as a miss for FetchAsync too, so it is refetched.
        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGet(AsciiA, out _));
        Assert.Equal(2, cache.Fetches);
    }

    [Fact]
    public async Task An_entry_older_than_the_max_age_is_refetched_even_when_the_stream_is_live()
    {
        var store = new InMemoryConsentStore();
        var maxAge = TimeSpan.FromMinutes(5);
        using var cache = new ConsentCache(store, new ConsentCacheOptions { MaxEntryAge = maxAge }, _time);
        await cache.FetchAsync([KeyA]);

        _time.Advance(maxAge);
        Assert.True(cache.TryGet(AsciiA, out _));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(cache.TryGet(AsciiA, out _));

        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGet(AsciiA, out _));
    }

    [Fact]
    public async Task A_value_fetched_before_an_invalidation_that_arrives_in_flight_is_not_installed()
    {
        var store = new ScriptedConsentStore();
        store.SetHeartbeat(long.MaxValue);
        await store.ApplyAsync(new ConsentUpdate(KeyA, 0, true, 10, "v1", false));
        using var cache = new ConsentCache(store, timeProvider: _time);
        store.HoldFetches();

        Task fetch = cache.FetchAsync([KeyA, KeyB]);
        await store.FetchStarted.Task;
        // The store has answered with the grant; now a withdrawal lands and its invalidation overtakes the answer.
        await store.ApplySilentlyAsync(new ConsentUpdate(KeyA, 0, false, 20, "v1", false));
        store.RaiseInvalidated(KeyA);
        store.ReleaseFetches();
        await fetch;

        Assert.False(cache.TryGet(AsciiA, out _));
        Assert.True(cache.TryGet(AsciiB, out _));
        Assert.Equal(1, cache.DroppedFetches);

        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGet(AsciiA, out ConsentRecord? record));
        Assert.Equal(ConsentState.Withdrawn, record.GetPurpose(0).State);
    }

    [Fact]
    public async Task A_reset_while_a_fetch_is_in_flight_drops_the_whole_fetch()
    {
        var store = new ScriptedConsentStore();
        store.SetHeartbeat(long.MaxValue);
        using var cache = new ConsentCache(store, timeProvider: _time);
        store.HoldFetches();

        Task fetch = cache.FetchAsync([KeyA, KeyB]);
        await store.FetchStarted.Task;
        store.RaiseReset();
        store.ReleaseFetches();
        await fetch;

        Assert.Equal(0, cache.Count);
        Assert.Equal(2, cache.DroppedFetches);
    }

    [Fact]
    public async Task A_store_outage_propagates_and_installs_nothing()
    {
        var store = new InMemoryConsentStore { IsAvailable = false };
        using var cache = new ConsentCache(store, timeProvider: _time);

        await Assert.ThrowsAsync<ConsentUnavailableException>(() => cache.FetchAsync([KeyA]));
        Assert.Equal(0, cache.Count);
        Assert.False(cache.TryGet(AsciiA, out _));

        store.IsAvailable = true;
        await cache.FetchAsync([KeyA]);
        Assert.True(cache.TryGet(AsciiA, out _));
    }

    [Fact]
    public async Task When_full_the_older_generation_is_dropped_and_recently_used_entries_survive()
    {
        var store = new InMemoryConsentStore();
        using var cache = new ConsentCache(store, new ConsentCacheOptions { Capacity = 4 }, _time);
        string[] keys = [.. Enumerable.Range(10, 4).Select(TestConsentKeys.Make)];

        await cache.FetchAsync([keys[0], keys[1]]);
        await cache.FetchAsync([keys[2]]);
        Assert.True(cache.TryGet(TestConsentKeys.Ascii(keys[0]), out _));
        await cache.FetchAsync([keys[3]]);

        Assert.True(cache.Count <= 4);
        Assert.False(cache.TryGet(TestConsentKeys.Ascii(keys[1]), out _));
        Assert.True(cache.TryGet(TestConsentKeys.Ascii(keys[0]), out _));
        Assert.True(cache.TryGet(TestConsentKeys.Ascii(keys[2]), out _));
        Assert.True(cache.TryGet(TestConsentKeys.Ascii(keys[3]), out _));
        Assert.Equal(1, cache.Evictions);
    }

    [Fact]
    public async Task Capacity_holds_under_many_distinct_subjects()
    {
        var store = new InMemoryConsentStore();
        using var cache = new ConsentCache(store, new ConsentCacheOptions { Capacity = 100 }, _time);

        for (int i = 0; i < 1000; i += 10)
        {
            await cache.FetchAsync([.. Enumerable.Range(i, 10).Select(TestConsentKeys.Make)]);
            Assert.True(cache.Count <= 100);
        }

        Assert.True(cache.TryGet(TestConsentKeys.Ascii(TestConsentKeys.Make(999)), out _));
        Assert.False(cache.TryGet(TestConsentKeys.Ascii(TestConsentKeys.Make(0)), out _));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("test-consent-key-00000000000000001")]
    [InlineData("test-consent-key-0000000000000\u00e9")]
    public async Task Malformed_keys_miss(string key)
    {
        var store = new InMemoryConsentStore();
        using var cache = new ConsentCache(store, timeProvider: _time);
        await cache.FetchAsync([KeyA]);

        Assert.False(cache.TryGet(System.Text.Encoding.UTF8.GetBytes(key), out _));
        await Assert.ThrowsAsync<ArgumentException>(() => cache.FetchAsync([key]));
    }

    [Fact]
    public async Task After_dispose_invalidations_are_no_longer_received()
    {
        var store = new InMemoryConsentStore();
        var cache = new ConsentCache(store, timeProvider: _time);
        cache.Dispose();

        await store.ApplyAsync(new ConsentUpdate(KeyA, 0, true, 1, "v1", false));

        Assert.Equal(0, cache.Invalidations);
    }
}
