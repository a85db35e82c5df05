using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Testing.Consent;
using StackExchange.Redis;

namespace Sieve.IntegrationTests.Consent;

/// <summary>The Redis store against a real redis-server; each test uses its own key prefix and channel.</summary>
public sealed class RedisConsentStoreTests : IClassFixture<ConsentRedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly ConsentRedisServer _server;
    private readonly RedisConsentStoreOptions _options;
    private readonly List<IAsyncDisposable> _disposables = [];

    public RedisConsentStoreTests(ConsentRedisServer server)
    {
        _server = server;
        string scope = Guid.NewGuid().ToString("N");
        _options = TestConsentStoreOptions.For(server.Configuration, $"test:{scope}:consent:", $"test:{scope}:invalidations");
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable d in _disposables)
        {
            await d.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stores_one_hash_per_subject_in_the_documented_layout()
    {
        RedisConsentStore store = await ConnectAsync();
        string key = TestConsentKeys.Make(1);
        int analytics = KnownPurposes.IndexOf(KnownPurposes.Analytics);

        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, analytics, true, 1_700_000_000_123, "2026.1", false)));
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, false, 5, "2026.1", true)));

        IDatabase raw = (await RawAsync()).GetDatabase();
        HashEntry[] fields = await raw.HashGetAllAsync(_options.KeyPrefix + key);
        Assert.Equal("G:1700000000123:2026.1", (string?)fields.Single(f => f.Name == "p:analytics").Value);
        Assert.Equal("W:5:2026.1", (string?)fields.Single(f => f.Name == "p:positioning").Value);
        Assert.Equal("1", (string?)fields.Single(f => f.Name == "minor").Value);
        Assert.Equal(3, fields.Length);
        Assert.Null(await raw.KeyTimeToLiveAsync(_options.KeyPrefix + key));

        ConsentRecord record = await store.GetAsync(key);
        Assert.True(record.Minor);
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 1_700_000_000_123, "2026.1"), record.GetPurpose(analytics));
        Assert.Equal(new PurposeConsent(ConsentState.Withdrawn, 5, "2026.1"), record.GetPurpose(0));
    }

    [Fact]
    public async Task An_expiring_grant_is_stored_with_its_end_and_a_value_written_in_the_earlier_format_still_reads_and_is_superseded()
    {
        RedisConsentStore store = await ConnectAsync();
        string key = TestConsentKeys.Make(11);
        int positioning = KnownPurposes.IndexOf(KnownPurposes.Positioning);
        int personalization = KnownPurposes.IndexOf(KnownPurposes.Personalization);
        IDatabase raw = (await RawAsync()).GetDatabase();

        // A value the store wrote before grants could expire.
        await raw.HashSetAsync(_options.KeyPrefix + key, "p:positioning", "G:100:2025.9");
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 100, "2025.9", PurposeConsent.NoExpiry), (await store.GetAsync(key)).GetPurpose(positioning));

        // A newer grant with an end replaces it, in the new format; an older one with a later end does not.
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, positioning, true, 200, "2026.1", false, expiresAtMillis: 9_000)));
        Assert.False(await store.ApplyAsync(new ConsentUpdate(key, positioning, true, 150, "2026.1", false, expiresAtMillis: 99_000)));
        Assert.Equal("E:200:9000:2026.1", (string?)await raw.HashGetAsync(_options.KeyPrefix + key, "p:positioning"));
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 200, "2026.1", 9_000), (await store.GetAsync(key)).GetPurpose(positioning));

        // A later grant with no end lifts the end; at an equal time a withdrawal beats an expiring grant.
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, positioning, true, 300, "2026.2", false)));
        Assert.Equal("G:300:2026.2", (string?)await raw.HashGetAsync(_options.KeyPrefix + key, "p:positioning"));
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, personalization, true, 400, "2026.2", false, expiresAtMillis: 800)));
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, personalization, false, 400, "2026.2", false)));
        Assert.Equal(new PurposeConsent(ConsentState.Withdrawn, 400, "2026.2"), (await store.GetAsync(key)).GetPurpose(personalization));
    }

    [Fact]
    public async Task An_older_change_than_the_stored_one_is_ignored()
    {
        RedisConsentStore store = await ConnectAsync();
        string key = TestConsentKeys.Make(2);

        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 200, "v2", false)));
        Assert.False(await store.ApplyAsync(new ConsentUpdate(key, 0, false, 100, "v1", false)));
        Assert.False(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 200, "v2", false)));
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 200, "v2"), (await store.GetAsync(key)).GetPurpose(0));

        // Equal time: a withdrawal beats a grant, a grant does not beat a withdrawal.
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, false, 200, "v2", false)));
        Assert.False(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 200, "v2", false)));
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 300, "v3", false)));
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 300, "v3"), (await store.GetAsync(key)).GetPurpose(0));
    }

    [Fact]
    public async Task The_minor_flag_stays_set()
    {
        RedisConsentStore store = await ConnectAsync();
        string key = TestConsentKeys.Make(3);

        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 1, true, 500, "v1", false)));
        Assert.False((await store.GetAsync(key)).Minor);

        // Older than the stored grant, but the minor flag it carries still counts.
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 1, true, 100, "v1", true)));
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 1, true, 900, "v2", false)));

        ConsentRecord record = await store.GetAsync(key);
        Assert.True(record.Minor);
        Assert.Equal(900, record.GetPurpose(1).EffectiveTimeMillis);
    }

    [Fact]
    public async Task Fetch_answers_every_key_in_one_call_and_unknown_keys_with_Empty()
    {
        RedisConsentStore store = await ConnectAsync();
        var keys = Enumerable.Range(100, 200).Select(TestConsentKeys.Make).ToList();
        for (int i = 0; i < keys.Count; i += 2)
        {
            await store.ApplyAsync(new ConsentUpdate(keys[i], i % KnownPurposes.Count, true, i, "v1", false));
        }

        IReadOnlyDictionary<string, ConsentRecord> records = await store.FetchAsync(keys);

        Assert.Equal(keys.Count, records.Count);
        for (int i = 0; i < keys.Count; i++)
        {
            ConsentRecord record = records[keys[i]];
            if (i % 2 == 0)
            {
                Assert.Equal(new PurposeConsent(ConsentState.Granted, i, "v1"), record.GetPurpose(i % KnownPurposes.Count));
            }
            else
            {
                Assert.Same(ConsentRecord.Empty, record);
            }
        }
    }

    [Fact]
    public async Task A_change_is_published_and_another_instance_raises_Invalidated()
    {
        RedisConsentStore writer = await ConnectAsync();
        RedisConsentStore reader = await ConnectAsync();
        await AwaitHeartbeatAsync(reader);
        string unchangedKey = TestConsentKeys.Make(4);
        string changedKey = TestConsentKeys.Make(5);
        Task first = NextInvalidation(reader, unchangedKey);
        await writer.ApplyAsync(new ConsentUpdate(unchangedKey, 0, true, 100, "v1", false));
        await first.WaitAsync(Guard);

        var received = new List<string>();
        reader.Invalidated += key =>
        {
            lock (received)
            {
                received.Add(key);
            }
        };
        Task second = NextInvalidation(reader, changedKey);
        Assert.False(await writer.ApplyAsync(new ConsentUpdate(unchangedKey, 0, true, 50, "v1", false)));
        Assert.True(await writer.ApplyAsync(new ConsentUpdate(changedKey, 0, false, 100, "v1", false)));
        await second.WaitAsync(Guard);

        // Delivery is in order, so a publication for the unchanged key would have arrived first.
        lock (received)
        {
            Assert.Equal([changedKey], received);
        }
    }

    [Fact]
    public async Task Own_heartbeats_come_back_and_prove_the_stream_live()
    {
        long before = TimeProvider.System.GetTimestamp();
        RedisConsentStore store = await ConnectAsync();
        RedisConsentStore other = await ConnectAsync();

        await AwaitHeartbeatAsync(store);
        await AwaitHeartbeatAsync(other);

        Assert.True(store.LastHeartbeatTimestamp >= before);
        Assert.True(store.IsConnected);
    }

    [Fact]
    public async Task Retention_sets_an_expiry_on_changed_subjects()
    {
        _options.Retention = TimeSpan.FromHours(1);
        RedisConsentStore store = await ConnectAsync();
        string key = TestConsentKeys.Make(6);

        await store.ApplyAsync(new ConsentUpdate(key, 0, true, 1, "v1", false));

        TimeSpan? ttl = await (await RawAsync()).GetDatabase().KeyTimeToLiveAsync(_options.KeyPrefix + key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task Unreadable_stored_values_grant_nothing_and_are_overwritten()
    {
        RedisConsentStore store = await ConnectAsync();
        string key = TestConsentKeys.Make(7);
        IDatabase raw = (await RawAsync()).GetDatabase();
        await raw.HashSetAsync(_options.KeyPrefix + key, [new HashEntry("p:positioning", "G:not-a-time:v1"), new HashEntry("p:not-a-purpose", "G:1:v1")]);

        Assert.Same(ConsentRecord.Empty, await store.GetAsync(key));

        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 10, "v1", false)));
        Assert.Equal(new PurposeConsent(ConsentState.Granted, 10, "v1"), (await store.GetAsync(key)).GetPurpose(0));
    }

    [Fact]
    public async Task Cache_over_Redis_drops_an_entry_when_another_instance_changes_it()
    {
        RedisConsentStore cacheStore = await ConnectAsync();
        RedisConsentStore writer = await ConnectAsync();
        await AwaitHeartbeatAsync(cacheStore);
        // Staleness is not under test here, so a slow machine must not turn hits into misses.
        using var cache = new ConsentCache(cacheStore, new ConsentCacheOptions { MaxStaleness = TimeSpan.FromMinutes(10) });
        string key = TestConsentKeys.Make(8);
        byte[] ascii = TestConsentKeys.Ascii(key);
        // Fetching before this write's invalidation arrived would (rightly) drop the fetched value, so wait for it.
        Task written = NextInvalidation(cacheStore, key);
        await writer.ApplyAsync(new ConsentUpdate(key, 0, true, 100, "v1", false));
        await written.WaitAsync(Guard);

        await cache.FetchAsync([key]);
        Assert.True(cache.TryGet(ascii, out ConsentRecord? record));
        Assert.Equal(ConsentState.Granted, record.GetPurpose(0).State);

        Task withdrawn = NextInvalidation(cacheStore, key);
        await writer.ApplyAsync(new ConsentUpdate(key, 0, false, 200, "v1", false));
        await withdrawn.WaitAsync(Guard);

        Assert.False(cache.TryGet(ascii, out _));
        await cache.FetchAsync([key]);
        Assert.True(cache.TryGet(ascii, out record));
        Assert.Equal(ConsentState.Withdrawn, record.GetPurpose(0).State);
    }

    // Completes when store raises Invalidated for key; handlers run in subscription order, so after the cache's.
    private static Task NextInvalidation(RedisConsentStore store, string key)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Action<string>? handler = null;
        handler = k =>
        {
            if (k == key)
            {
                store.Invalidated -= handler;
                seen.TrySetResult();
            }
        };
        store.Invalidated += handler;
        return seen.Task;
    }

    private static async Task AwaitHeartbeatAsync(RedisConsentStore store)
    {
        var beat = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.HeartbeatReceived += () => beat.TrySetResult();
        await beat.Task.WaitAsync(Guard);
    }

    private async Task<RedisConsentStore> ConnectAsync()
    {
        RedisConsentStore store = await RedisConsentStore.ConnectAsync(_options);
        _disposables.Add(store);
        return store;
    }

    private async Task<ConnectionMultiplexer> RawAsync()
    {
        ConnectionMultiplexer raw = await ConnectionMultiplexer.ConnectAsync(_server.Configuration);
        _disposables.Add(raw);
        return raw;
    }
}
