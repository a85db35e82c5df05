using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sieve.Contracts.Pseudonymization;

namespace Sieve.Core.Consent;

/// <summary>
/// Keeps the consent store in step with the <c>consent.changes.v1</c> topic: consumes each change, translates it
/// (<see cref="ConsentChangeTranslator"/>), applies it with <see cref="IConsentStore.ApplyAsync"/> and only then
/// commits the offsets. Delivery is at least once; the store's ordering by effective time makes replays harmless.
/// </summary>
/// <remarks>
/// Bad records are counted by reason, logged with topic, partition and offset only, and skipped (their offsets are
/// committed). A valid change is never skipped: while the store is unavailable the loader pauses its partitions,
/// retries with exponential backoff and resumes once the write succeeded. It keeps polling while paused so the
/// group does not evict it; a message from a partition assigned meanwhile is held back for later, not dropped.
/// </remarks>
public sealed partial class ConsentLoader
{
    private readonly ConsentLoaderOptions _options;
    private readonly IConsentStore _store;
    private readonly PseudonymKeyFactory _keyFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Func<ConsumerConfig, IConsumer<Ignore, byte[]>> _consumerFactory;
    private readonly ConcurrentDictionary<string, long> _rejectedByReason = new(StringComparer.Ordinal);
    private long _applied;
    private long _unchanged;
    private long _rejected;
    private long _tombstones;
    private long _storeRetries;
    private long _commits;

    /// <summary>Creates a loader; nothing happens until <see cref="RunAsync"/>.</summary>
    /// <param name="options">Kafka and retry settings.</param>
    /// <param name="store">Where changes are applied.</param>
    /// <param name="keyFactory">Derives the consent-index key that turns identifiers into consent keys.</param>
    /// <param name="logger">Receives rejections (reason and position only) and store outages.</param>
    /// <param name="timeProvider">Clock for retry backoff; <see cref="TimeProvider.System"/> when null.</param>
    public ConsentLoader(ConsentLoaderOptions options, IConsentStore store, PseudonymKeyFactory keyFactory,
        ILogger<ConsentLoader>? logger = null, TimeProvider? timeProvider = null)
        : this(options, store, keyFactory, logger, timeProvider, static config => new ConsumerBuilder<Ignore, byte[]>(config).Build())
    {
    }

    /// <summary>Creates a loader over a consumer made by <paramref name="consumerFactory"/> (tests substitute the consumer).</summary>
    internal ConsentLoader(ConsentLoaderOptions options, IConsentStore store, PseudonymKeyFactory keyFactory,
        ILogger? logger, TimeProvider? timeProvider, Func<ConsumerConfig, IConsumer<Ignore, byte[]>> consumerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keyFactory);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1, nameof(options));
        _options = options;
        _store = store;
        _keyFactory = keyFactory;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _consumerFactory = consumerFactory;
    }

    /// <summary>Changes that altered the store.</summary>
    public long Applied => Volatile.Read(ref _applied);

    /// <summary>Valid changes the store already had, or that were older than what it had.</summary>
    public long Unchanged => Volatile.Read(ref _unchanged);

    /// <summary>
    /// Valid changes the store holds now: <see cref="Applied"/> plus <see cref="Unchanged"/>. An apply that timed out
    /// on the client may still have run on the server; its retry then finds the change there and counts it unchanged.
    /// </summary>
    public long Stored => Applied + Unchanged;

    /// <summary>Messages rejected as invalid (see <see cref="RejectedByReason"/>).</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>Tombstones (null values) skipped: an erasure writes them so that compaction drops the subject's decisions.</summary>
    public long Tombstones => Volatile.Read(ref _tombstones);

    /// <summary>Store writes retried because the store was unavailable.</summary>
    public long StoreRetries => Volatile.Read(ref _storeRetries);

    /// <summary>Batches whose offsets were stored for the background commit.</summary>
    public long Commits => Volatile.Read(ref _commits);

    /// <summary>A snapshot of rejections per reason code.</summary>
    public IReadOnlyDictionary<string, long> RejectedByReason => new Dictionary<string, long>(_rejectedByReason, StringComparer.Ordinal);

    /// <summary>
    /// Consumes until <paramref name="cancellationToken"/> is cancelled, on a dedicated thread (the Kafka client
    /// blocks). Completes normally when cancelled; uncommitted changes are redelivered on the next start.
    /// </summary>
    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Run(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken cancellationToken)
    {
        using PseudonymKey consentIndexKey = _keyFactory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        var translator = new ConsentChangeTranslator(consentIndexKey, _time);
        using IConsumer<Ignore, byte[]> consumer = _consumerFactory(BuildConsumerConfig());
        var state = new LoopState(consumer, translator, ViewOf(_store, _options.Topic));
        consumer.Subscribe(_options.Topic);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                CheckViewWhenDue(state, cancellationToken);
                ConsumeResult<Ignore, byte[]>? next = state.Held.Count > 0 ? state.Held.Dequeue() : Poll(state, wait: true, cancellationToken);
                int handled = 0;
                while (next is not null)
                {
                    Handle(next, state, cancellationToken);
                    if (++handled >= _options.MaxBatchSize)
                    {
                        break;
                    }

                    next = state.Held.Count > 0 ? state.Held.Dequeue() : Poll(state, wait: false, cancellationToken);
                }

                Commit(consumer, state.Offsets);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                consumer.Close();
            }
            catch (KafkaException e)
            {
                LogKafkaError(_logger, e.Error.Code, e.Error.IsFatal);
            }
        }
    }

    private ConsumerConfig BuildConsumerConfig()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.GroupId,
            ClientId = "sieve-consent-loader",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = _options.FetchWaitMaxMs,
        };
        foreach (KeyValuePair<string, string> setting in _options.ConsumerSettings)
        {
            config.Set(setting.Key, setting.Value);
        }

        // An offset is stored only after the store write (anything else could lose a withdrawal); librdkafka commits the
        // stored offsets in the background, so a slow commit never holds up the next change, an unsubscribe included.
        // A crash or rebalance re-applies at most the changes since the last background commit, which is idempotent.
        config.EnableAutoCommit = true;
        config.EnableAutoOffsetStore = false;
        config.AutoCommitIntervalMs = _options.CommitIntervalMs;
        return config;
    }

    // Waits for the next message when wait is true (at most until the next view check is due), else returns what is
    // already fetched; null when nothing.
    private ConsumeResult<Ignore, byte[]>? Poll(LoopState state, bool wait, CancellationToken cancellationToken)
    {
        try
        {
            if (!wait)
            {
                return state.Consumer.Consume(TimeSpan.Zero);
            }

            return state.View is null ? state.Consumer.Consume(cancellationToken) : state.Consumer.Consume(_options.ViewCheckInterval);
        }
        catch (ConsumeException e)
        {
            // e.g. the topic does not exist yet; the client recovers on its own, so wait a little and poll again.
            LogKafkaError(_logger, e.Error.Code, e.Error.IsFatal);
            if (e.Error.IsFatal)
            {
                throw;
            }

            Task.Delay(_options.RetryInitialDelay, _time, cancellationToken).GetAwaiter().GetResult();
            return null;
        }
    }

    private void Handle(ConsumeResult<Ignore, byte[]> result, LoopState state, CancellationToken cancellationToken)
    {
        ViewPosition? position = state.View is null ? null : PositionOf(state, result.TopicPartition);
        long next = result.Offset.Value + 1;
        // A tombstone (null value) is an erasure's: compaction drops the subject's decisions. It changes nothing in the
        // store, where the erased mark keeps the subject withheld, and is no error.
        bool tombstone = result.Message is not null && result.Message.Value is null;
        ConsentUpdate update = default;
        string? reason = null;
        bool valid = !tombstone && state.Translator.TryTranslate(result.Message?.Value, out update, out reason);
        if (tombstone)
        {
            Interlocked.Increment(ref _tombstones);
        }
        else if (!valid)
        {
            Interlocked.Increment(ref _rejected);
            _rejectedByReason.AddOrUpdate(reason!, 1, static (_, n) => n + 1);
            LogRejected(_logger, result.Topic, result.Partition.Value, result.Offset.Value, reason!);
        }

        if (!valid)
        {
            if (position is null)
            {
                state.Offsets[result.TopicPartition] = new TopicPartitionOffset(result.TopicPartition, next);
                return;
            }
        }

        TimeSpan delay = _options.RetryInitialDelay;
        bool paused = false;
        bool advanced = true;
        while (true)
        {
            try
            {
                if (position is null)
                {
                    bool changed = _store.ApplyAsync(update, cancellationToken).GetAwaiter().GetResult();
                    Interlocked.Increment(ref changed ? ref _applied : ref _unchanged);
                }
                else if (valid)
                {
                    (bool changed, advanced) = state.View!.ApplyAtAsync(update, result.Partition.Value, position.Known, next, cancellationToken).GetAwaiter().GetResult();
                    Interlocked.Increment(ref changed ? ref _applied : ref _unchanged);
                }
                else
                {
                    advanced = state.View!.AdvanceAsync(result.Partition.Value, position.Known, next, cancellationToken).GetAwaiter().GetResult();
                }

                break;
            }
            catch (ConsentUnavailableException e)
            {
                Interlocked.Increment(ref _storeRetries);
                if (!paused)
                {
                    paused = true;
                    state.Consumer.Pause(state.Consumer.Assignment);
                    LogStoreUnavailable(_logger, e.Message);
                }

                Task.Delay(delay, _time, cancellationToken).GetAwaiter().GetResult();
                delay = delay * 2 < _options.RetryMaxDelay ? delay * 2 : _options.RetryMaxDelay;

                // Polling keeps the group membership alive. Paused partitions deliver nothing; a message can only
                // come from a partition assigned since, so it is held for later and that partition paused too.
                ConsumeResult<Ignore, byte[]>? polled = Poll(state, wait: false, cancellationToken);
                if (polled is not null)
                {
                    state.Held.Enqueue(polled);
                    state.Consumer.Pause(state.Consumer.Assignment);
                }
            }
        }

        if (paused)
        {
            state.Consumer.Resume(state.Consumer.Assignment);
            LogStoreRecovered(_logger);
        }

        if (position is null)
        {
            state.Offsets[result.TopicPartition] = new TopicPartitionOffset(result.TopicPartition, next);
        }
        else if (advanced)
        {
            Advance(state, result.TopicPartition, position, next);
        }
        else
        {
            // The store holds less of this partition than this loader applied: it lost changes. Re-apply at once.
            VerifyPartition(state, result.TopicPartition, cancellationToken);
        }
    }

    private void Commit(IConsumer<Ignore, byte[]> consumer, Dictionary<TopicPartition, TopicPartitionOffset> offsets)
    {
        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            foreach (TopicPartitionOffset offset in offsets.Values)
            {
                consumer.StoreOffset(offset);
            }

            Interlocked.Increment(ref _commits);
        }
        catch (KafkaException e)
        {
            // Typically a rebalance took the partitions away; their new owner re-applies from the last commit.
            LogKafkaError(_logger, e.Error.Code, e.Error.IsFatal);
        }

        offsets.Clear();
    }

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Rejected consent change at {Topic} [{Partition}] @{Offset}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string topic, int partition, long offset, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Warning, Message = "Consent store unavailable, consumption paused until a retry succeeds: {Detail}")]
    private static partial void LogStoreUnavailable(ILogger logger, string detail);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Information, Message = "Consent store available again, consumption resumed")]
    private static partial void LogStoreRecovered(ILogger logger);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Error, Message = "Kafka error {Code} (fatal: {IsFatal})")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code, bool isFatal);
}
