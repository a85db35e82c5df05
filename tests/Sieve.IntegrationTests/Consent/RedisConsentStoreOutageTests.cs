using Sieve.Core.Consent;
using Sieve.Testing.Consent;

namespace Sieve.IntegrationTests.Consent;

/// <summary>Outages: each test runs its own redis-server and stops it.</summary>
public sealed class RedisConsentStoreOutageTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Calls_against_a_stopped_server_throw_ConsentUnavailableException_without_keys()
    {
        await using ConsentRedisServer server = await ConsentRedisServer.StartAsync();
        var options = new RedisConsentStoreOptions { Configuration = server.Configuration, KeyPrefix = "outage:consent:" };
        await using RedisConsentStore store = await RedisConsentStore.ConnectAsync(options);
        string key = TestConsentKeys.Make(1);
        await store.ApplyAsync(new ConsentUpdate(key, 0, true, 1, "v1", false));
        Assert.Equal(ConsentState.Granted, (await store.FetchAsync([key]))[key].GetPurpose(0).State);

        server.Stop();

        ConsentUnavailableException fetch = await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.FetchAsync([key]));
        ConsentUnavailableException get = await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.GetAsync(key));
        ConsentUnavailableException apply = await Assert.ThrowsAsync<ConsentUnavailableException>(
            () => store.ApplyAsync(new ConsentUpdate(key, 0, false, 2, "v1", false)));
        foreach (Exception e in new Exception[] { fetch, get, apply })
        {
            Assert.DoesNotContain(key, e.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(options.KeyPrefix, e.ToString(), StringComparison.Ordinal);
            Assert.Null(e.InnerException);
        }
    }

    [Fact]
    public async Task A_server_too_slow_to_answer_fails_closed_like_a_stopped_one()
    {
        await using ConsentRedisServer server = await ConsentRedisServer.StartAsync();
        var options = new RedisConsentStoreOptions { Configuration = server.Configuration, KeyPrefix = "slow:consent:", OperationTimeout = TimeSpan.FromMilliseconds(300) };
        await using RedisConsentStore store = await RedisConsentStore.ConnectAsync(options);
        string key = TestConsentKeys.Make(3);
        await store.ApplyAsync(new ConsentUpdate(key, 0, true, 1, "v1", false));

        // CLIENT PAUSE holds every client's commands on the server: the store's calls time out (RedisTimeoutException,
        // which is a TimeoutException and not a RedisException) and must surface as ConsentUnavailableException.
        await using StackExchange.Redis.ConnectionMultiplexer admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");
        await admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "3000", "ALL");

        ConsentUnavailableException fetch = await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.FetchAsync([key]));
        Assert.DoesNotContain(key, fetch.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cache_over_a_stopped_server_fails_closed()
    {
        await using ConsentRedisServer server = await ConsentRedisServer.StartAsync();
        await using RedisConsentStore store = await RedisConsentStore.ConnectAsync(new RedisConsentStoreOptions { Configuration = server.Configuration });
        using var cache = new ConsentCache(store);
        string key = TestConsentKeys.Make(2);

        server.Stop();

        await Assert.ThrowsAsync<ConsentUnavailableException>(() => cache.FetchAsync([key]));
        Assert.False(cache.TryGet(TestConsentKeys.Ascii(key), out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Connecting_while_nothing_listens_succeeds_and_calls_fail_closed()
    {
        // A port that was free a moment ago: the server is started and stopped at once.
        ConsentRedisServer server = await ConsentRedisServer.StartAsync();
        string configuration = server.Configuration;
        await server.DisposeAsync();

        await using RedisConsentStore store = await RedisConsentStore.ConnectAsync(new RedisConsentStoreOptions { Configuration = configuration });

        Assert.False(store.IsConnected);
        Assert.Equal(long.MinValue, store.LastHeartbeatTimestamp);
        await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.FetchAsync([TestConsentKeys.Make(3)]));
    }

    [Fact]
    public async Task After_a_restart_the_stream_is_reset_before_heartbeats_count_again()
    {
        await using ConsentRedisServer server = await ConsentRedisServer.StartAsync();
        await using RedisConsentStore store = await RedisConsentStore.ConnectAsync(new RedisConsentStoreOptions { Configuration = server.Configuration });
        var firstBeat = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.HeartbeatReceived += () => firstBeat.TrySetResult();
        await firstBeat.Task.WaitAsync(Guard);

        var events = new List<string>();
        var beatAfterReset = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.InvalidationStreamReset += () =>
        {
            lock (events)
            {
                events.Add("reset");
            }
        };
        store.HeartbeatReceived += () =>
        {
            lock (events)
            {
                events.Add("beat");
                if (events.Contains("reset"))
                {
                    beatAfterReset.TrySetResult();
                }
            }
        };

        server.Stop();
        long stoppedAt = TimeProvider.System.GetTimestamp();
        await server.RestartAsync();
        await beatAfterReset.Task.WaitAsync(Guard);

        lock (events)
        {
            // Heartbeats sent before the outage may still arrive first; after the reset every one counts again.
            int reset = events.IndexOf("reset");
            Assert.Equal("beat", events[reset + 1]);
        }

        Assert.True(store.LastHeartbeatTimestamp > stoppedAt);
    }
}
