using System.Collections.Concurrent;
using System.Globalization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Testing.Consent;
using Sieve.Testing.Harness;
using StackExchange.Redis;

namespace Sieve.IntegrationTests.Consent;

/// <summary>
/// The Redis consent store on a three-primary Redis Cluster: every Lua script touches one key, so it runs wherever
/// that key's slot lives, and the invalidations the scripts publish reach a subscriber on another node.
/// </summary>
public sealed class RedisConsentStoreClusterTests : IClassFixture<RedisClusterProcesses>
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly RedisClusterProcesses _cluster;

    public RedisConsentStoreClusterTests(RedisClusterProcesses cluster) => _cluster = cluster;

    [Fact]
    public async Task Changes_to_subjects_on_every_primary_apply_read_back_and_publish_their_invalidations()
    {
        await using RedisConsentStore store = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(_cluster.Configuration));
        var heartbeat = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.HeartbeatReceived += () => heartbeat.TrySetResult();
        await heartbeat.Task.WaitAsync(Guard);

        string[] keys = Enumerable.Range(1, 30).Select(TestConsentKeys.Make).ToArray();
        var pending = new ConcurrentDictionary<string, bool>(keys.Select(static k => KeyValuePair.Create(k, true)));
        var allInvalidated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Invalidated += key =>
        {
            if (pending.TryRemove(key, out _) && pending.IsEmpty)
            {
                allInvalidated.TrySetResult();
            }
        };

        int personalization = KnownPurposes.IndexOf(KnownPurposes.Personalization);
        foreach (string key in keys)
        {
            Assert.True(await store.ApplyAsync(new ConsentUpdate(key, personalization, true, 1_700_000_000_000, "2026-11-01", false)));
        }

        await allInvalidated.Task.WaitAsync(Guard);
        IReadOnlyDictionary<string, ConsentRecord> records = await store.FetchAsync(keys);
        Assert.All(keys, key => Assert.Equal(ConsentState.Granted, records[key].GetPurpose(personalization).State));

        // The subjects really are spread over the cluster: every primary holds some of them.
        await using ConnectionMultiplexer raw = await ConnectionMultiplexer.ConnectAsync(_cluster.Configuration);
        foreach (int port in _cluster.Ports)
        {
            long size = await raw.GetServer("127.0.0.1", port).DatabaseSizeAsync();
            Assert.True(size > 0, string.Create(CultureInfo.InvariantCulture, $"the primary on port {port} holds no subject"));
        }
    }

    [Fact]
    public async Task A_withdrawal_and_an_erasure_mark_reach_a_store_connected_through_another_node()
    {
        // Writer and reader list the nodes in different orders, so they are unlikely to share a first node.
        string[] nodes = _cluster.Configuration.Split(',');
        await using RedisConsentStore writer = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(_cluster.Configuration));
        await using RedisConsentStore reader = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(string.Join(',', nodes.Reverse())));
        var heartbeat = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reader.HeartbeatReceived += () => heartbeat.TrySetResult();
        await heartbeat.Task.WaitAsync(Guard);

        string key = TestConsentKeys.Make(1001);
        var invalidations = new ConcurrentQueue<string>();
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        reader.Invalidated += k =>
        {
            if (k == key)
            {
                invalidations.Enqueue(k);
                if (invalidations.Count == 2)
                {
                    second.TrySetResult();
                }
            }
        };

        int marketing = KnownPurposes.IndexOf(KnownPurposes.Marketing);
        Assert.True(await writer.ApplyAsync(new ConsentUpdate(key, marketing, false, 1_700_000_000_000, "2026-11-01", false)));
        Assert.True(await writer.MarkErasedAsync(key));

        await second.Task.WaitAsync(Guard);
        ConsentRecord record = await reader.GetAsync(key);
        Assert.True(record.Erased);
        Assert.Equal(ConsentState.Withdrawn, record.GetPurpose(marketing).State);
    }
}
