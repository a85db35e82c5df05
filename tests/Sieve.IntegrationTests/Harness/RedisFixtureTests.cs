using Sieve.Testing.Harness;
using StackExchange.Redis;

namespace Sieve.IntegrationTests.Harness;

[Collection(RedisCollection.Name)]
public sealed class RedisFixtureTests(RedisFixture redis)
{
    [Fact]
    public async Task Shared_server_answers_and_dedicated_server_is_separate()
    {
        await using ConnectionMultiplexer shared = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        string key = "harness:" + Guid.NewGuid().ToString("N");
        Assert.True(await shared.GetDatabase().StringSetAsync(key, "shared"));
        Assert.Equal(redis.Kind == RedisKind.Embedded, redis.Process is not null);

        using Sieve.Embedded.RedisServerProcess dedicated = await redis.StartDedicatedAsync();
        Assert.NotEqual(redis.Configuration, dedicated.Configuration);
        await using ConnectionMultiplexer own = await ConnectionMultiplexer.ConnectAsync(dedicated.Configuration);
        Assert.False(await own.GetDatabase().KeyExistsAsync(key));
        Assert.Equal("shared", (string?)await shared.GetDatabase().StringGetAsync(key));
    }
}
