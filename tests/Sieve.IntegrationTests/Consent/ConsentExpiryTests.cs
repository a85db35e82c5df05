using Microsoft.Extensions.Configuration;
using Sieve.Core.Consent;
using Sieve.Hosting.Configuration;
using Sieve.Hosting.Minimizer;
using Sieve.Testing.Consent;
using StackExchange.Redis;

namespace Sieve.IntegrationTests.Consent;

/// <summary>
/// What the consent store expires: a subject's record the policy's longest purpose retention after its last change,
/// except the records of minors and erased subjects, which are kept so they stay withheld.
/// </summary>
public sealed class ConsentExpiryTests(ConsentRedisServer server) : IClassFixture<ConsentRedisServer>, IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable d in _disposables)
        {
            await d.DisposeAsync();
        }
    }

    private static MinimizerSettings Settings(string redis, string? retentionDays = null, string? cacheCapacity = null) =>
        MinimizerSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9092",
            ["Redis:Configuration"] = redis,
            ["Keys:AllowDemoKey"] = "true",
            ["Recall:KeyPath"] = Sieve.Testing.Recall.TestRecallKey.Path,
            ["Consent:RetentionDays"] = retentionDays,
            ["Consent:CacheCapacity"] = cacheCapacity,
        }).Build());

    [Fact]
    public void The_near_cache_capacity_is_a_setting_for_populations_larger_than_its_default()
    {
        Assert.Equal(1_000_000, Settings("127.0.0.1:1").Cache.Capacity);
        Assert.Equal(2_500_000, Settings("127.0.0.1:1", cacheCapacity: "2500000").Cache.Capacity);
        Assert.Contains("Consent:CacheCapacity", Assert.ThrowsAny<Exception>(() => Settings("127.0.0.1:1", cacheCapacity: "1")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_minimizer_expires_consent_after_the_policys_longest_retention_unless_configured_shorter()
    {
        MinimizerSettings settings = Settings("redis.example:6379");
        Assert.Equal(TimeSpan.FromDays(1825), settings.Policy.LongestRetention);
        Assert.Equal(TimeSpan.FromDays(1825), settings.ConsentStore.Retention);
        Assert.Equal("redis.example:6379", settings.ConsentStore.Configuration);

        Assert.Equal(TimeSpan.FromDays(200), Settings("redis.example:6379", "200").ConsentStore.Retention);

        SettingsException longer = Assert.Throws<SettingsException>(() => Settings("redis.example:6379", "1826"));
        Assert.Equal("Consent:RetentionDays: must be a whole number from 1 to 1825.", longer.Message);
        Assert.DoesNotContain("1826", longer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_record_expires_the_retention_after_its_last_change()
    {
        (RedisConsentStore store, IDatabase raw, string prefix) = await StoreAsync(Settings(server.Configuration).ConsentStore);
        string key = TestConsentKeys.Make(41);

        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 1_000, "v1", false)));
        TimeSpan first = await TtlAsync(raw, prefix + key);
        Assert.InRange(first, TimeSpan.FromDays(1824), TimeSpan.FromDays(1825));

        // A withdrawal is a change too: the record is kept as long again from now, and it still reads as withdrawn.
        await raw.KeyExpireAsync(prefix + key, TimeSpan.FromDays(1));
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, false, 2_000, "v1", false)));
        Assert.InRange(await TtlAsync(raw, prefix + key), TimeSpan.FromDays(1824), TimeSpan.FromDays(1825));
        Assert.Equal(ConsentState.Withdrawn, (await store.GetAsync(key)).GetPurpose(0).State);

        // A replayed older decision changes nothing, so it does not extend the record's life.
        await raw.KeyExpireAsync(prefix + key, TimeSpan.FromDays(1));
        Assert.False(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 1_000, "v1", false)));
        Assert.InRange(await TtlAsync(raw, prefix + key), TimeSpan.FromHours(23), TimeSpan.FromDays(1));

        // Once expired, the record reads as empty: nothing is granted.
        await raw.KeyDeleteAsync(prefix + key);
        Assert.Same(ConsentRecord.Empty, await store.GetAsync(key));
    }

    [Fact]
    public async Task The_record_of_a_minor_never_expires()
    {
        (RedisConsentStore store, IDatabase raw, string prefix) = await StoreAsync(Settings(server.Configuration).ConsentStore);
        string key = TestConsentKeys.Make(42);

        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 1_000, "v1", false)));
        Assert.NotNull(await raw.KeyTimeToLiveAsync(prefix + key));

        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 1, true, 2_000, "v1", true)));
        Assert.Null(await raw.KeyTimeToLiveAsync(prefix + key));

        // Later changes keep it that way.
        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, false, 3_000, "v1", false)));
        Assert.Null(await raw.KeyTimeToLiveAsync(prefix + key));
        Assert.True((await store.GetAsync(key)).Minor);
    }

    [Fact]
    public async Task The_record_of_an_erased_subject_never_expires()
    {
        (RedisConsentStore store, IDatabase raw, string prefix) = await StoreAsync(Settings(server.Configuration).ConsentStore);
        string key = TestConsentKeys.Make(43);

        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 1_000, "v1", false)));
        Assert.True(await store.MarkErasedAsync(key));
        Assert.Null(await raw.KeyTimeToLiveAsync(prefix + key));

        Assert.True(await store.ApplyAsync(new ConsentUpdate(key, 0, true, 5_000, "v1", false)));
        Assert.Null(await raw.KeyTimeToLiveAsync(prefix + key));
        Assert.True((await store.GetAsync(key)).Erased);
    }

    private async Task<(RedisConsentStore Store, IDatabase Raw, string Prefix)> StoreAsync(RedisConsentStoreOptions fromSettings)
    {
        string scope = Guid.NewGuid().ToString("N");
        fromSettings.KeyPrefix = $"test:{scope}:consent:";
        fromSettings.InvalidationChannel = $"test:{scope}:invalidations";

        // These tests write the store directly rather than through the consent topic, so no loader keeps the view
        // the service's store requires before it answers.
        Assert.Equal("consent.changes.v1", fromSettings.ConsentTopic);
        fromSettings.ConsentTopic = null;
        RedisConsentStore store = await RedisConsentStore.ConnectAsync(fromSettings);
        _disposables.Add(store);
        ConnectionMultiplexer raw = await ConnectionMultiplexer.ConnectAsync(server.Configuration);
        _disposables.Add(raw);
        return (store, raw.GetDatabase(), fromSettings.KeyPrefix);
    }

    private static async Task<TimeSpan> TtlAsync(IDatabase raw, string key)
    {
        TimeSpan? ttl = await raw.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        return ttl.Value;
    }
}
