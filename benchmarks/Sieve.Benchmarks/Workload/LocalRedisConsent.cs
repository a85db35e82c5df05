using Sieve.Embedded;
using Sieve.Core.Consent;

namespace Sieve.Benchmarks.Workload;

/// <summary>
/// A <c>redis-server</c> of its own on a free loopback port (<see cref="RedisServerProcess"/>), holding consent in
/// the production layout, written through <see cref="RedisConsentStore.ApplyAsync"/> (the consent loader's path,
/// which also publishes each change's invalidation).
/// </summary>
internal sealed class LocalRedisConsent : IAsyncDisposable
{
    private const int SeedWritesInFlight = 2_000;

    private LocalRedisConsent(RedisServerProcess server, RedisConsentStore writer)
    {
        Server = server;
        Writer = writer;
    }

    /// <summary>The server process.</summary>
    public RedisServerProcess Server { get; }

    /// <summary>A store connection that writes, as the consent loader's does.</summary>
    public RedisConsentStore Writer { get; }

    /// <summary>Options for another connection to this server, with the production defaults otherwise.</summary>
    public RedisConsentStoreOptions Options => new() { Configuration = Server.Configuration };

    /// <summary>Starts the server and connects the writer.</summary>
    /// <exception cref="FileNotFoundException">redis-server is not installed; the message says how to install it.</exception>
    public static async Task<LocalRedisConsent> StartAsync()
    {
        RedisServerProcess server = await RedisServerProcess.StartNewAsync().ConfigureAwait(false);
        try
        {
            // Seeding keeps thousands of writes in flight; give them more than the production 1 s timeout.
            var options = new RedisConsentStoreOptions { Configuration = server.Configuration, OperationTimeout = TimeSpan.FromSeconds(30) };
            RedisConsentStore writer = await RedisConsentStore.ConnectAsync(options).ConfigureAwait(false);
            return new LocalRedisConsent(server, writer);
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Connects another store (a minimizer's, with its own invalidation subscription).</summary>
    public Task<RedisConsentStore> ConnectAsync() => RedisConsentStore.ConnectAsync(Options);

    /// <summary>Applies <paramref name="updates"/> in order through the writer, a few thousand in flight at a time.</summary>
    /// <returns>The number of updates applied.</returns>
    public async Task<int> SeedAsync(IEnumerable<ConsentUpdate> updates)
    {
        var inFlight = new List<Task<bool>>(SeedWritesInFlight);
        int count = 0;
        foreach (ConsentUpdate update in updates)
        {
            // One connection executes commands in the order they were sent, so a subject's updates stay in order.
            inFlight.Add(Writer.ApplyAsync(update));
            count++;
            if (inFlight.Count == SeedWritesInFlight)
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
                inFlight.Clear();
            }
        }

        await Task.WhenAll(inFlight).ConfigureAwait(false);
        return count;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync().ConfigureAwait(false);
        Server.Dispose();
    }
}
