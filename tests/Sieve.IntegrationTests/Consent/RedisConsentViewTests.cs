using Sieve.Core.Consent;
using Sieve.Testing.Consent;
using Sieve.Testing.EndToEnd;

namespace Sieve.IntegrationTests.Consent;

/// <summary>The consent view in Redis: positions move only with a complete prefix, and verification is per server.</summary>
public sealed class RedisConsentViewTests
{
    private const string Topic = "consent.changes.v1";

    [Fact]
    public async Task A_position_moves_only_when_the_store_holds_what_the_loader_applied_before()
    {
        await using ConsentRedisServer server = await ConsentRedisServer.StartAsync();
        await using RedisConsentStore store = await ConnectAsync(server, "view-advance:");
        string key = TestConsentKeys.Make(1);

        Assert.Equal((true, true), await store.ApplyAtAsync(new ConsentUpdate(key, 0, true, 1, "v1", false), partition: 0, expected: 0, next: 1));
        Assert.Equal((false, true), await store.ApplyAtAsync(new ConsentUpdate(key, 0, true, 1, "v1", false), partition: 0, expected: 1, next: 5));

        // A compacted topic skips offsets: expected 5, next 9 is fine. Expecting more than the store holds is a loss.
        Assert.True(await store.AdvanceAsync(partition: 0, expected: 5, next: 9));
        Assert.False(await store.AdvanceAsync(partition: 0, expected: 12, next: 13));
        (bool changed, bool advanced) = await store.ApplyAtAsync(new ConsentUpdate(key, 0, false, 2, "v1", false), partition: 0, expected: 12, next: 14);
        Assert.True(changed, "the change itself is applied: it is a valid, newer decision");
        Assert.False(advanced);
        Assert.Null(await store.VerifyAsync(partition: 0, partitions: 1, committed: 9));
        Assert.Equal(9, await store.VerifyAsync(partition: 0, partitions: 1, committed: 14));
    }

    [Fact]
    public async Task Reads_fail_closed_until_every_partition_is_verified_on_the_server_answering()
    {
        await using ConsentRedisServer server = await ConsentRedisServer.StartAsync();
        await using RedisConsentStore store = await ConnectAsync(server, "view-reads:");
        string key = TestConsentKeys.Make(2);
        await store.ApplyAtAsync(new ConsentUpdate(key, 0, true, 1, "v1", false), partition: 1, expected: 0, next: 1);

        ConsentUnavailableException missing = await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.FetchAsync([key]));
        Assert.Contains("missing", missing.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key, missing.Message, StringComparison.Ordinal);
        Assert.Equal(new ConsentViewState(0, 0), await store.ReadViewAsync());

        Assert.Null(await store.VerifyAsync(partition: 0, partitions: 2, committed: 0));
        ConsentUnavailableException half = await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.GetAsync(key));
        Assert.Contains("1 of 2 partitions verified", half.Message, StringComparison.Ordinal);

        Assert.Null(await store.VerifyAsync(partition: 1, partitions: 2, committed: 1));
        Assert.True((await store.ReadViewAsync()).IsWhole);
        Assert.Equal(ConsentState.Granted, (await store.FetchAsync([key]))[key].GetPurpose(0).State);
        Assert.Equal(ConsentState.Granted, (await store.GetAsync(key)).GetPurpose(0).State);

        // A store without a consent topic reads without the check (tools, direct writes).
        await using RedisConsentStore plain = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(server.Configuration, "view-reads:"));
        server.Stop();
        await server.RestartAsync();
        await Eventually.UntilAsync(() => plain.IsConnected && store.IsConnected, TimeSpan.FromSeconds(30), () => "not reconnected");
        Assert.Equal(ConsentRecord.Empty, await plain.GetAsync(key));
        Assert.Equal(new ConsentViewState(0, 0), await store.ReadViewAsync());
        await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.FetchAsync([key]));
    }

    [Fact]
    public async Task A_restarted_server_holding_the_same_data_is_unverified_until_checked_again()
    {
        await using ConsentRedisServer server = await ConsentRedisServer.StartAsync();
        await using RedisConsentStore store = await ConnectAsync(server, "view-runid:");
        string key = TestConsentKeys.Make(3);
        await store.ApplyAtAsync(new ConsentUpdate(key, 0, true, 1, "v1", false), partition: 0, expected: 0, next: 1);
        Assert.Null(await store.VerifyAsync(partition: 0, partitions: 1, committed: 1));
        Assert.True((await store.ReadViewAsync()).IsWhole);

        // The same data under another run id, as after a restart from a snapshot or a failover: the server saves its
        // dump file and is restarted from it.
        await using (StackExchange.Redis.ConnectionMultiplexer admin = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true"))
        {
            await admin.GetDatabase().ExecuteAsync("SAVE");
        }

        server.Stop();
        await server.RestartAsync();
        await Eventually.UntilAsync(() => store.IsConnected, TimeSpan.FromSeconds(30), () => "not reconnected");
        Assert.Equal(new ConsentViewState(1, 0), await store.ReadViewAsync());
        await Assert.ThrowsAsync<ConsentUnavailableException>(() => store.FetchAsync([key]));

        Assert.Null(await store.VerifyAsync(partition: 0, partitions: 1, committed: 1));
        Assert.Equal(ConsentState.Granted, (await store.FetchAsync([key]))[key].GetPurpose(0).State);
    }

    private static Task<RedisConsentStore> ConnectAsync(ConsentRedisServer server, string prefix)
    {
        RedisConsentStoreOptions options = TestConsentStoreOptions.For(server.Configuration, prefix);
        options.ConsentTopic = Topic;
        return RedisConsentStore.ConnectAsync(options);
    }
}
