using Sieve.Embedded;
using StackExchange.Redis;

namespace Sieve.IntegrationTests.Harness;

public sealed class RedisServerProcessTests
{
    [Fact]
    public async Task Stopped_server_is_unreachable_and_starts_again_on_the_same_port()
    {
        using RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        int port = server.Port;
        Assert.Equal("127.0.0.1:" + port, server.Configuration);

        await using (ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(server.Configuration))
        {
            IDatabase database = connection.GetDatabase();
            Assert.True(await database.PingAsync() >= TimeSpan.Zero);
            Assert.True(await database.StringSetAsync("harness:key", "value"));
        }

        server.Stop();
        Assert.False(server.IsRunning);
        await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(Options(server)));

        await server.StartAsync();
        Assert.True(server.IsRunning);
        Assert.Equal(port, server.Port);
        await using (ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(Options(server)))
        {
            IDatabase database = connection.GetDatabase();
            Assert.True(await database.PingAsync() >= TimeSpan.Zero);

            // No persistence: a restart starts empty.
            Assert.False(await database.KeyExistsAsync("harness:key"));
        }
    }

    [Fact]
    public void FindBinary_returns_an_existing_file()
    {
        string? binary = RedisServerProcess.FindBinary();
        Assert.NotNull(binary);
        Assert.True(File.Exists(binary));
    }

    [Fact]
    public async Task Dispose_kills_the_server_and_removes_its_folder()
    {
        RedisServerProcess server = await RedisServerProcess.StartNewAsync();
        string folder = server.WorkingDirectory;
        Assert.True(Directory.Exists(folder));

        server.Dispose();

        Assert.False(server.IsRunning);
        Assert.False(Directory.Exists(folder));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => server.StartAsync());
    }

    private static ConfigurationOptions Options(RedisServerProcess server)
    {
        ConfigurationOptions options = ConfigurationOptions.Parse(server.Configuration);
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 0;
        options.ConnectTimeout = 2_000;
        return options;
    }
}
