using Sieve.Core.Consent;
using StackExchange.Redis;

namespace Sieve.Testing.Interop;

/// <summary>
/// Watches a Redis consent store the way the minimizer writes it: one hash per subject under
/// <see cref="RedisConsentStoreOptions.KeyPrefix"/>, and a message on the invalidation channel for every change.
/// Each message is a reason to count again, so waiting is driven by the store's own events.
/// </summary>
internal sealed class ConsentStoreProbe : IAsyncDisposable
{
    private static readonly RedisConsentStoreOptions Defaults = new();

    private readonly ConnectionMultiplexer _connection;
    private readonly SemaphoreSlim _changed = new(0);
    private ChannelMessageQueue? _messages;

    private ConsentStoreProbe(ConnectionMultiplexer connection)
    {
        _connection = connection;
    }

    /// <summary>Connects and subscribes before anything writes, so no change goes unseen.</summary>
    public static async Task<ConsentStoreProbe> StartAsync(string configuration)
    {
        var probe = new ConsentStoreProbe(await ConnectionMultiplexer.ConnectAsync(configuration));
        probe._messages = await probe._connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(Defaults.InvalidationChannel));
        probe._messages.OnMessage(_ => probe._changed.Release());
        return probe;
    }

    /// <summary>Counts the subjects, decisions and minor flags the store holds now.</summary>
    public async Task<ConsentStoreCounts> CountAsync()
    {
        IServer server = _connection.GetServers()[0];
        IDatabase db = _connection.GetDatabase();
        int subjects = 0, granted = 0, withdrawn = 0, minors = 0;
        await foreach (RedisKey key in server.KeysAsync(pattern: Defaults.KeyPrefix + "*"))
        {
            if (await db.KeyTypeAsync(key) != RedisType.Hash)
            {
                continue;
            }

            ConsentRecord record = RedisConsentFormat.Parse(await db.HashGetAllAsync(key));
            if (record.IsEmpty)
            {
                continue;
            }

            subjects++;
            minors += record.Minor ? 1 : 0;
            foreach (PurposeConsent purpose in record.Purposes)
            {
                granted += purpose.State == ConsentState.Granted ? 1 : 0;
                withdrawn += purpose.State == ConsentState.Withdrawn ? 1 : 0;
            }
        }

        return new ConsentStoreCounts(subjects, granted, withdrawn, minors);
    }

    /// <summary>
    /// Waits until the store holds exactly <paramref name="expected"/>, counting again after every change message.
    /// Returns the last count; gives up when <paramref name="stop"/> completes or the timeout passes.
    /// </summary>
    public async Task<ConsentStoreCounts> WaitForAsync(ConsentStoreCounts expected, Task stop, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            ConsentStoreCounts now = await CountAsync();
            if (now == expected || stop.IsCompleted || deadline.IsCancellationRequested)
            {
                return now;
            }

            // The channel also carries the store's heartbeats, so a wake-up is not always a change; the count
            // decides. The wait returns early on any message, on stop, or at the deadline.
            Task changed = _changed.WaitAsync(deadline.Token);
            await Task.WhenAny(changed, stop);
            while (_changed.CurrentCount > 0 && _changed.Wait(0))
            {
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_messages is not null)
        {
            await _messages.UnsubscribeAsync();
        }

        await _connection.DisposeAsync();
        _changed.Dispose();
    }
}
