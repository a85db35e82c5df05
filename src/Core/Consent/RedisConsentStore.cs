using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sieve.Contracts.Purposes;
using StackExchange.Redis;

namespace Sieve.Core.Consent;

/// <summary>
/// <see cref="IConsentStore"/> over Redis (layout: <see cref="RedisConsentFormat"/>). Changes are compare-and-set by
/// effective time in one Lua script that also publishes the consent key on the invalidation channel, so a change
/// and its invalidation are atomic. Outages surface quickly as <see cref="ConsentUnavailableException"/>: the
/// connection does not abort on connect failure, commands fail fast while disconnected, and timeouts are short.
/// </summary>
/// <remarks>
/// <para>
/// Liveness: every <see cref="RedisConsentStoreOptions.HeartbeatInterval"/> the store publishes a heartbeat
/// (<c>hb:{instance}:{epoch}:{sent timestamp}</c>) on the invalidation channel. Redis delivers a channel's
/// messages in execution order and the store handles them in order (one <see cref="ChannelMessageQueue"/>), so
/// when its own heartbeat comes back every invalidation published before it was sent has been handled:
/// <see cref="LastHeartbeatTimestamp"/> becomes the send time. Invalidations are exactly
/// <see cref="ConsentKeys.Length"/> characters long and heartbeats are longer, so the two never mix up.
/// </para>
/// <para>
/// Reconnects: any connection failure or restore starts a new epoch. Heartbeats of an older epoch are ignored, and
/// the first heartbeat of a new epoch, which proves the resubscribed channel works, raises
/// <see cref="InvalidationStreamReset"/> before it counts, so caches drop whatever an outage may have left stale.
/// </para>
/// </remarks>
public sealed partial class RedisConsentStore : IConsentStore, IConsentView, IConsentEraser, IAsyncDisposable, IDisposable
{
    private const string HeartbeatPrefix = "hb:";

    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _database;
    private readonly RedisConsentStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisChannel _channel;
    private readonly RedisValue _channelName;
    private readonly RedisValue _retentionMillis;
    private readonly RedisKey[]? _viewKeys;
    private readonly string _heartbeatTag;
    private readonly ChannelMessageQueue _queue;
    private readonly ITimer _heartbeatTimer;
    private long _lastHeartbeat = long.MinValue;
    private long _epoch;
    private long _resetRaisedForEpoch = -1;
    private int _heartbeatInFlight;
    private int _disposed;

    /// <summary>The store's database, shared with the release stage's fleet-wide density count (same Redis, other keys).</summary>
    public IDatabase Database => _database;

    private RedisConsentStore(ConnectionMultiplexer connection, RedisConsentStoreOptions options, TimeProvider time, ILogger logger)
    {
        _connection = connection;
        _database = connection.GetDatabase();
        _options = options;
        _time = time;
        _logger = logger;
        _channel = RedisChannel.Literal(options.InvalidationChannel);
        _channelName = options.InvalidationChannel;
        _retentionMillis = options.Retention is { } retention ? (long)retention.TotalMilliseconds : 0L;
        _heartbeatTag = HeartbeatPrefix + Guid.NewGuid().ToString("N") + ":";
        _viewKeys = options.ConsentTopic is { } topic ? [RedisConsentView.Key(options.KeyPrefix, topic)] : null;

        _connection.ConnectionFailed += OnConnectionChanged;
        _connection.ConnectionRestored += OnConnectionChanged;

        // Fire-and-forget subscribe registers the queue even while disconnected, and the multiplexer resubscribes it
        // on every reconnect. Whether the subscription works is proven by heartbeats, not by this call.
        _queue = _connection.GetSubscriber().Subscribe(_channel, CommandFlags.FireAndForget);
        _queue.OnMessage(OnMessage);

        _heartbeatTimer = time.CreateTimer(static s => ((RedisConsentStore)s!).OnHeartbeatTimer(), this, TimeSpan.Zero, options.HeartbeatInterval);
    }

    /// <inheritdoc />
    public event Action<string>? Invalidated;

    /// <inheritdoc />
    public event Action? InvalidationStreamReset;

    /// <summary>Raised (on the delivery thread) after one of this store's heartbeats came back and <see cref="LastHeartbeatTimestamp"/> moved.</summary>
    public event Action? HeartbeatReceived;

    /// <inheritdoc />
    public long LastHeartbeatTimestamp => Volatile.Read(ref _lastHeartbeat);

    /// <summary>True while the client has a working connection to Redis.</summary>
    public bool IsConnected => _connection.IsConnected;

    /// <summary>
    /// Connects to Redis and subscribes to the invalidation channel. Does not fail when Redis is down: the client
    /// keeps reconnecting, calls throw <see cref="ConsentUnavailableException"/> meanwhile, and
    /// <see cref="LastHeartbeatTimestamp"/> stays old until heartbeats come back.
    /// </summary>
    /// <param name="options">Connection, layout and liveness settings.</param>
    /// <param name="timeProvider">Clock and timers; <see cref="TimeProvider.System"/> when null. Caches reading this store must use the same one.</param>
    /// <param name="logger">Receives connection state changes (never keys).</param>
    public static async Task<RedisConsentStore> ConnectAsync(RedisConsentStoreOptions options, TimeProvider? timeProvider = null, ILogger<RedisConsentStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HeartbeatInterval, TimeSpan.Zero, nameof(options));
        ConfigurationOptions configuration = ConfigurationOptions.Parse(options.Configuration);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = ToMillis(options.ConnectTimeout);
        configuration.SyncTimeout = ToMillis(options.OperationTimeout);
        configuration.AsyncTimeout = ToMillis(options.OperationTimeout);
        configuration.IncludeDetailInExceptions = false;
        configuration.ClientName ??= "sieve-consent";

        ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        return new RedisConsentStore(connection, options, timeProvider ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance);
    }

    /// <inheritdoc />
    public async Task<bool> ApplyAsync(ConsentUpdate update, CancellationToken cancellationToken = default) =>
        (await EvaluateApplyAsync(update, view: null, cancellationToken).ConfigureAwait(false) & 1) == 1;

    /// <inheritdoc />
    public async Task<bool> MarkErasedAsync(string consentKey, CancellationToken cancellationToken = default)
    {
        ConsentKeys.Validate(consentKey, nameof(consentKey));
        RedisResult result;
        try
        {
            result = await _database.ScriptEvaluateAsync(RedisConsentFormat.MarkErasedScript,
                    [_options.KeyPrefix + consentKey], [_channelName, consentKey])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Unavailable("mark-erased", e);
        }

        return (long)result == 1;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, ConsentRecord>> FetchAsync(IReadOnlyList<string> consentKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consentKeys);
        for (int i = 0; i < consentKeys.Count; i++)
        {
            ConsentKeys.Validate(consentKeys[i], nameof(consentKeys));
        }

        var result = new Dictionary<string, ConsentRecord>(consentKeys.Count, StringComparer.Ordinal);
        if (consentKeys.Count == 0)
        {
            return result;
        }

        // Issued back to back without awaiting: the multiplexer pipelines them, and the view check, into one round trip.
        var replies = new Task<HashEntry[]>[consentKeys.Count];
        Task<RedisResult>? view = null;
        try
        {
            view = CheckViewAsync();
            for (int i = 0; i < replies.Length; i++)
            {
                replies[i] = _database.HashGetAllAsync(_options.KeyPrefix + consentKeys[i]);
            }

            await Task.WhenAll(replies).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (view is not null)
            {
                await view.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            ObserveFaults(replies);
            ObserveFaults([view]);
            throw Unavailable("fetch", e);
        }

        ThrowUnlessWhole(view);

        for (int i = 0; i < replies.Length; i++)
        {
            result[consentKeys[i]] = RedisConsentFormat.Parse(replies[i].Result);
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<ConsentRecord> GetAsync(string consentKey, CancellationToken cancellationToken = default)
    {
        ConsentKeys.Validate(consentKey, nameof(consentKey));
        HashEntry[] entries;
        Task<RedisResult>? view = null;
        try
        {
            view = CheckViewAsync();
            entries = await _database.HashGetAllAsync(_options.KeyPrefix + consentKey).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (view is not null)
            {
                await view.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            ObserveFaults([view]);
            throw Unavailable("get", e);
        }

        ThrowUnlessWhole(view);

        return RedisConsentFormat.Parse(entries);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _heartbeatTimer.Dispose();
        _connection.ConnectionFailed -= OnConnectionChanged;
        _connection.ConnectionRestored -= OnConnectionChanged;
        _connection.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _heartbeatTimer.DisposeAsync().ConfigureAwait(false);
        _connection.ConnectionFailed -= OnConnectionChanged;
        _connection.ConnectionRestored -= OnConnectionChanged;
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    // Runs the apply script; view holds ARGV [9..11] when the view's position moves with the change. Returns the script's reply.
    private async Task<long> EvaluateApplyAsync(ConsentUpdate update, RedisValue[]? view, CancellationToken cancellationToken)
    {
        ConsentKeys.Validate(update.ConsentKey, nameof(update));
        if ((uint)update.PurposeId >= (uint)KnownPurposes.Count)
        {
            ThrowHelper.ThrowPurposeIdOutOfRange(nameof(update));
        }

        ArgumentNullException.ThrowIfNull(update.PolicyVersion, nameof(update));
        RedisKey subject = _options.KeyPrefix + update.ConsentKey;
        RedisKey[] keys = view is null ? [subject] : [subject, ViewKeys()[0]];
        RedisValue[] values =
        [
            RedisConsentFormat.PurposeField(update.PurposeId),
            update.EffectiveTimeMillis,
            RedisConsentFormat.StateLetter(update.Granted, update.ExpiresAtMillis),
            RedisConsentFormat.ValueTail(update.Granted, update.ExpiresAtMillis, update.PolicyVersion),
            update.Minor ? "1" : "0",
            _retentionMillis,
            _channelName,
            update.ConsentKey,
            .. view ?? [],
        ];

        return (long)await EvaluateAsync("apply", RedisConsentFormat.ApplyScript, keys, values, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RedisResult> EvaluateAsync(string operation, string script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        try
        {
            return await _database.ScriptEvaluateAsync(script, keys, values).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Unavailable(operation, e);
        }
    }

    private static int ToMillis(TimeSpan value) => (int)Math.Clamp(value.TotalMilliseconds, 1, int.MaxValue);

    // The client's own messages name commands and keys, so neither the message nor the exception is passed on.
    // RedisTimeoutException derives from TimeoutException, not RedisException: a slow server fails closed like a down one.
    private static ConsentUnavailableException Unavailable(string operation, Exception e)
    {
        string kind = e is RedisConnectionException connection
            ? "connection " + connection.FailureType.ToString()
            : e.GetType().Name;
        return new ConsentUnavailableException($"The consent store is unavailable ({operation}: {kind}).");
    }

    private static void ObserveFaults(Task?[] tasks)
    {
        foreach (Task? task in tasks)
        {
            task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private void OnConnectionChanged(object? sender, ConnectionFailedEventArgs e)
    {
        // Invalidations may have been lost while the link was down: heartbeats sent before now no longer count,
        // and the first one of the new epoch raises a reset.
        long epoch = Interlocked.Increment(ref _epoch);
        LogConnectionChanged(_logger, e.ConnectionType, e.FailureType, epoch);
    }

    private void OnHeartbeatTimer()
    {
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _heartbeatInFlight, 1) != 0)
        {
            return;
        }

        _ = SendHeartbeatAsync();
    }

    private async Task SendHeartbeatAsync()
    {
        try
        {
            long epoch = Volatile.Read(ref _epoch);
            long sentAt = _time.GetTimestamp();
            string payload = string.Create(CultureInfo.InvariantCulture, $"{_heartbeatTag}{epoch}:{sentAt}");
            await _database.PublishAsync(_channel, payload).ConfigureAwait(false);
        }
        catch (RedisException)
        {
            // Nothing to do: without heartbeats the stream is not proven live and caches fall back to the store.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            Volatile.Write(ref _heartbeatInFlight, 0);
        }
    }

    // Runs on the queue's single delivery loop, in channel order.
    private void OnMessage(ChannelMessage message)
    {
        string? text = message.Message;
        if (text is null)
        {
            return;
        }

        try
        {
            if (text.Length == ConsentKeys.Length)
            {
                if (ConsentKeys.IsValid(text.AsSpan()))
                {
                    Invalidated?.Invoke(text);
                }
            }
            else if (text.StartsWith(_heartbeatTag, StringComparison.Ordinal))
            {
                OnOwnHeartbeat(text.AsSpan(_heartbeatTag.Length));
            }

            // Other instances' heartbeats and anything else on the channel are not ours to act on.
        }
        catch (Exception e)
        {
            // A failing handler must not stop delivery; the exception type is enough to find it.
            LogHandlerFailed(_logger, e.GetType().Name);
        }
    }

    private void OnOwnHeartbeat(ReadOnlySpan<char> epochAndTime)
    {
        int colon = epochAndTime.IndexOf(':');
        if (colon <= 0
            || !long.TryParse(epochAndTime[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out long epoch)
            || !long.TryParse(epochAndTime[(colon + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long sentAt)
            || epoch != Volatile.Read(ref _epoch))
        {
            return;
        }

        if (_resetRaisedForEpoch != epoch)
        {
            _resetRaisedForEpoch = epoch;
            InvalidationStreamReset?.Invoke();
        }

        if (sentAt > Volatile.Read(ref _lastHeartbeat))
        {
            Volatile.Write(ref _lastHeartbeat, sentAt);
        }

        HeartbeatReceived?.Invoke();
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Consent store connection changed: {ConnectionType} {FailureType}; invalidation epoch {Epoch}")]
    private static partial void LogConnectionChanged(ILogger logger, ConnectionType connectionType, ConnectionFailureType failureType, long epoch);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "A consent invalidation handler failed with {ExceptionType}")]
    private static partial void LogHandlerFailed(ILogger logger, string exceptionType);
}
