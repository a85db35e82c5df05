using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Sieve.Core.Consent;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Core.Engine;

/// <summary>
/// The minimizer's consume-process-produce loop. Inputs are taken in batches; each batch is processed by
/// <see cref="MinimizerCore"/>, its outputs, quarantine records and one audit record per input partition are
/// produced, and the input offsets are committed with them (in one transaction in exactly-once mode).
/// A batch that cannot complete (consent unknowable, Kafka refusing) is retried whole, after a pause; inputs are
/// never skipped. A rebalance that revokes partitions mid-batch discards the uncommitted batch: the next owner
/// reads it again from the committed offsets, and a partition assigned to this instance again is rewound to it.
/// </summary>
public sealed class MinimizerEngine : IDisposable
{
    private const int MaxBackoffMs = 5000;
    private const int MaxConsecutiveMisses = 4;
    private readonly MinimizerOptions _options;
    private readonly MinimizerCore _core;
    private readonly ConsentCache _consent;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, InputKind> _inputTopics;
    // Keyed by (topic, partition) values: ConsumeResult.TopicPartition builds a new object on every read.
    private readonly Dictionary<(string Topic, int Partition), PartitionTally> _tallies = [];
    private readonly Outcome[] _outcomes;
    private readonly Outcome[] _probeOutcomes;
    private readonly StagedOutputs _staged;
    // Consumed values are copied into one arena per batch instead of a byte[] each; keys are not read at all.
    private readonly BatchValueArena _values = new();
    private readonly Dictionary<(string Topic, int Partition), long> _lastOffsets = [];
    private IConsumer<Ignore, ConsumedValue>? _consumer;
    private IProducer<byte[], byte[]>? _producer;
    private KafkaRecordSink? _sink;
    private long _batchId;
    private long _firstTaken;
    private long _closed;
    private int _attempt;
    private volatile bool _revoked;
    private bool _inTransaction;

    /// <summary>Creates an engine; call <see cref="RunAsync"/> to start it.</summary>
    public MinimizerEngine(MinimizerOptions options, MinimizerCore core, ConsentCache consent, ILogger logger, TimeProvider? time = null)
    {
        _options = options;
        _core = core;
        _consent = consent;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _inputTopics = new Dictionary<string, InputKind>(StringComparer.Ordinal)
        {
            [options.Topics.TelematicsRaw] = InputKind.Telematics,
            [options.Topics.WifiRaw] = InputKind.Wifi,
        };
        _staged = new StagedOutputs { Core = core };
        _outcomes = new Outcome[core.Plans.Count];
        _probeOutcomes = new Outcome[core.Plans.Count];
        Stats = new MinimizerStats([.. core.Plans.Select(p => p.Name)]);
    }

    /// <summary>Totals of committed batches.</summary>
    public MinimizerStats Stats { get; }

    /// <summary>The input consumer while the engine runs (metrics read its lag); null before.</summary>
    internal IConsumer<Ignore, ConsumedValue>? Consumer => _consumer;

    /// <summary>Partitions currently assigned to this instance.</summary>
    public IReadOnlyList<TopicPartition> Assignment => _consumer?.Assignment ?? [];

    /// <summary>Raised after each committed batch with its tallies (for tests and live views).</summary>
    public event Action<IReadOnlyCollection<PartitionTally>>? BatchCommitted;

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; then finishes or abandons the batch in flight, and leaves the group.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _consumer = new ConsumerBuilder<Ignore, ConsumedValue>(KafkaClientConfigs.RawConsumer(_options))
            .SetValueDeserializer(_values)
            .SetPartitionsRevokedHandler((_, _) => _revoked = true)
            .SetPartitionsLostHandler((_, _) => _revoked = true)
            .SetErrorHandler((_, e) =>
            {
                Stats.AddKafkaError();
                _logger.LogWarning("Kafka consumer error {Code}: {Reason}", e.Code, e.Reason);
            })
            .Build();
        CreateProducer();
        _consumer.Subscribe(_inputTopics.Keys);
        _logger.LogInformation("Minimizer {Instance} consuming {Topics} in group {Group} ({Delivery})",
            _options.InstanceId, string.Join(",", _inputTopics.Keys), _options.GroupId, _options.Delivery);

        var batch = new List<ConsumeResult<Ignore, ConsumedValue>>(_options.BatchMaxMessages);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                batch.Clear();
                _values.Reset();
                _revoked = false;
                _firstTaken = Fill(batch, cancellationToken);
                _closed = System.Diagnostics.Stopwatch.GetTimestamp();
                if (_revoked)
                {
                    Rewind(batch);
                    continue;
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                await CommitBatchWithRetriesAsync(batch, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                _consumer.Close();
            }
            catch (KafkaException e)
            {
                _logger.LogWarning("Leaving the consumer group failed: {Reason}", e.Error.Reason);
            }
        }
    }

    /// <summary>Told where each committed batch spent its time (<c>sieve bench</c>'s breakdown); none when null. Set before <see cref="RunAsync"/>.</summary>
    public IBatchStageObserver? StageObserver { get; set; }

    /// <summary>Watches the transactional calls that can block past their own timeout; none when null.</summary>
    public StallWatchdog? Watchdog { get; init; }

    /// <summary>
    /// The Schema Registry binding: outputs of the topics it registered are written in Confluent framing, and a raw
    /// input naming a registry id not seen before has its schema fetched (the batch pauses while the registry cannot
    /// answer). Null writes and reads single-object encoding only.
    /// </summary>
    public Registry.SchemaRegistryBinding? Registry { get; init; }

    /// <inheritdoc />
    public void Dispose()
    {
        // Idempotent: a pipeline disposes its engine, and a caller may have disposed it already.
        Interlocked.Exchange(ref _consumer, null)?.Dispose();
        Interlocked.Exchange(ref _producer, null)?.Dispose();
    }

    private long Fill(List<ConsumeResult<Ignore, ConsumedValue>> batch, CancellationToken cancellationToken)
    {
        try
        {
            return ConsumeBatch.Fill(_consumer!, batch, _options, cancellationToken);
        }
        catch (ConsumeException e)
        {
            // A fetch error is about the client or broker, never about one record; it is retried by librdkafka.
            _logger.LogWarning("Consume failed: {Code}", e.Error.Code);
            return System.Diagnostics.Stopwatch.GetTimestamp();
        }
    }

    private async Task CommitBatchWithRetriesAsync(List<ConsumeResult<Ignore, ConsumedValue>> batch, CancellationToken cancellationToken)
    {
        int backoff = _options.RetryBackoffMs;
        bool first = true;
        _attempt = 0;
        while (true)
        {
            // On shutdown the batch in flight is still finished and committed if it can be at once; a retry is not
            // waited for (the batch stays uncommitted and is read again by the next owner).
            if (!first)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            try
            {
                if (await TryCommitBatchAsync(batch, first ? CancellationToken.None : cancellationToken).ConfigureAwait(false))
                {
                    Stats.SetPaused(false);
                    return;
                }

                // Partitions were revoked: the batch belongs to the next owner now.
                Rewind(batch);
                return;
            }
            catch (ConsentUnavailableException)
            {
                Stats.SetPaused(true);
                Stats.AddConsentFailure();
                _logger.LogWarning("Consent store unavailable; batch of {Count} held, retrying in {Backoff} ms (nothing forwarded, nothing skipped)", batch.Count, backoff);
            }
            catch (Registry.SchemaRegistryUnavailableException e)
            {
                Stats.SetPaused(true);
                Stats.AddRegistryFailure();
                _logger.LogWarning("Schema registry unavailable ({Reason}); batch of {Count} held, retrying in {Backoff} ms (nothing forwarded, nothing skipped)", e.Message, batch.Count, backoff);
            }
            catch (KafkaException e)
            {
                Stats.AddKafkaFailure();
                if (_options.Delivery == DeliveryMode.ExactlyOnce && KafkaFencing.IsFenced(e.Error))
                {
                    // Another instance took this instance's transactional id. Making a new producer would fence it in
                    // turn, and the two would take turns forever; the batch stays uncommitted for the group's next owner.
                    ThrowHelper.ThrowInstanceFenced(_options.InstanceId);
                }

                _logger.LogWarning("Kafka refused the batch ({Code}: {Reason}); retrying in {Backoff} ms", e.Error.Code, e.Error.Reason, backoff);
                if (e.Error.IsFatal)
                {
                    CreateProducer();
                }
            }

            first = false;
            _attempt++;
            Stats.AddRetry();
            AbortQuietly();
            if (!await PauseAsync(backoff, cancellationToken).ConfigureAwait(false))
            {
                Rewind(batch);
                return;
            }

            backoff = Math.Min(backoff * 2, MaxBackoffMs);
        }
    }

    /// <summary>Waits while keeping group membership alive; false when partitions were revoked meanwhile.</summary>
    private async Task<bool> PauseAsync(int milliseconds, CancellationToken cancellationToken)
    {
        List<TopicPartition> assigned = _consumer!.Assignment;
        _consumer.Pause(assigned);
        long until = Environment.TickCount64 + milliseconds;
        try
        {
            while (Environment.TickCount64 < until)
            {
                // Paused partitions return nothing, but polling serves rebalances and keeps max.poll.interval.ms satisfied.
                // A partition newly assigned by a rebalance meanwhile is not paused: its input is put back, not dropped.
                ConsumeResult<Ignore, ConsumedValue>? result = _consumer.Consume(TimeSpan.FromMilliseconds(Math.Min(100, Math.Max(1, until - Environment.TickCount64))));
                if (result is { IsPartitionEOF: false, Message: not null })
                {
                    _consumer.Seek(result.TopicPartitionOffset);
                }

                if (_revoked)
                {
                    return false;
                }

                await Task.Yield();
            }
        }
        finally
        {
            // Resumed even when revoked meanwhile: librdkafka keeps a partition's pause across a rebalance, so one
            // assigned to this instance again would otherwise never be fetched again.
            try
            {
                _consumer.Resume(assigned);
            }
            catch (KafkaException e)
            {
                _logger.LogWarning("Resuming partitions after a pause failed: {Code}", e.Error.Code);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        return true;
    }

    /// <summary>
    /// Puts back a batch dropped because partitions were revoked. A revoked partition is read again by its next
    /// owner from the committed offsets. But a partition assigned to this instance again in the same rebalance can
    /// have delivered inputs of the dropped batch after its reassignment, which moved the consumer's position past
    /// them: without a seek back they would never be processed, and the next commit would skip them for good.
    /// </summary>
    private void Rewind(List<ConsumeResult<Ignore, ConsumedValue>> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        var first = new Dictionary<(string Topic, int Partition), long>();
        foreach (ConsumeResult<Ignore, ConsumedValue> r in batch)
        {
            (string, int) tp = (r.Topic, r.Partition.Value);
            if (!first.TryGetValue(tp, out long offset) || r.Offset.Value < offset)
            {
                first[tp] = r.Offset.Value;
            }
        }

        foreach (TopicPartition assigned in _consumer!.Assignment)
        {
            if (first.TryGetValue((assigned.Topic, assigned.Partition.Value), out long offset))
            {
                _consumer.Seek(new TopicPartitionOffset(assigned, new Offset(offset)));
            }
        }
    }

    private async Task<bool> TryCommitBatchAsync(List<ConsumeResult<Ignore, ConsumedValue>> batch, CancellationToken cancellationToken)
    {
        bool transactional = _options.Delivery == DeliveryMode.ExactlyOnce;
        _tallies.Clear();
        _staged.Clear();
        _core.BeginBatch();

        // Phase 1: decide the whole batch (consent fetches may await or fail here) before anything is produced.
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _core.NowMillis = now;
        int misses = 0;
        for (int i = 0; i < batch.Count;)
        {
            ConsumeResult<Ignore, ConsumedValue> input = batch[i];
            if (!_inputTopics.TryGetValue(input.Topic, out InputKind kind))
            {
                i++;
                continue;
            }

            _staged.InputTimestamp = input.Message.Timestamp;
            ProcessStatus status = _core.Process(kind, _values.Value(input.Message.Value), _staged, _outcomes, out QuarantineReason reason, out string? consentKey);
            switch (status)
            {
                case ProcessStatus.Processed:
                    Tally(input).AddProcessed(input.Offset.Value, _outcomes);
                    misses = 0;
                    i++;
                    break;
                case ProcessStatus.Quarantined:
                    _staged.Add(_options.Topics.Quarantine, default,
                        OpsRecordWriter.Quarantine(input.Topic, input.Partition.Value, input.Offset.Value, reason, now, _options.InstanceId), hasKey: false);
                    Tally(input).AddQuarantined(input.Offset.Value, reason.Code);
                    misses = 0;
                    i++;
                    break;
                case ProcessStatus.NeedsSchema:
                    if (++misses > MaxConsecutiveMisses || Registry is null)
                    {
                        throw new Registry.SchemaRegistryUnavailableException("A raw input's schema id stayed unknown after repeated fetches.");
                    }

                    // Known (or known to be missing) afterwards; the same input is processed again.
                    await Registry.FetchAsync(_core.PendingSchemaId).ConfigureAwait(false);
                    break;
                default:
                    if (++misses > MaxConsecutiveMisses)
                    {
                        throw new ConsentUnavailableException("Consent could not be confirmed fresh after repeated fetches.");
                    }

                    await _consent.FetchAsync(CollectMisses(batch, i, consentKey!), cancellationToken).ConfigureAwait(false);
                    break;
            }

            if (_revoked)
            {
                return false;
            }
        }

        long committedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long batchId = _batchId + 1;
        _staged.InputTimestamp = new Timestamp(committedAt, TimestampType.CreateTime);
        foreach (PartitionTally tally in _tallies.Values)
        {
            _staged.Add(_options.Topics.Audit, System.Text.Encoding.UTF8.GetBytes(tally.Topic + "/" + tally.Partition),
                OpsRecordWriter.Audit(_options.InstanceId, batchId, tally, _core.Plans, committedAt), hasKey: true);
        }

        List<TopicPartitionOffset> offsets = NextOffsets(batch);
        long processed = System.Diagnostics.Stopwatch.GetTimestamp();

        // Phase 2: produce outputs, quarantine and audit records, and commit the input offsets with them.
        _sink!.ResetFailures();
        if (transactional)
        {
            _producer!.BeginTransaction();
            _inTransaction = true;
        }

        _staged.ProduceTo(_sink);
        long produced = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_revoked)
        {
            // The outputs are aborted (a read_committed reader never sees them) and the inputs are read again by
            // their next owner, which audits them again: said here so that the repeat can be accounted for.
            AbortQuietly();
            Stats.AddAbandoned();
            _logger.LogWarning("Partitions were revoked mid-batch; the batch's transaction was aborted and its {Count} inputs go to their next owner", batch.Count);
            return false;
        }

        if (transactional)
        {
            using (Watch("minimizer transaction commit"))
            {
                if (ResumableTransaction.Commit(_producer!, offsets, _consumer!.ConsumerGroupMetadata, TimeSpan.FromSeconds(30), cancellationToken) is > 0 and int again)
                {
                    _logger.LogWarning("Transaction commit resumed after {Again} retriable failures", again);
                }
            }

            _inTransaction = false;
        }
        else
        {
            _producer!.Flush(cancellationToken);
            if (_sink.Failed > 0)
            {
                throw new KafkaException(new Error(ErrorCode.Local_MsgTimedOut, _sink.Failed + " outputs were not delivered"));
            }
        }

        long committed = System.Diagnostics.Stopwatch.GetTimestamp();
        long committedAtMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (!transactional || _options.CommitOffsetsOutsideTransaction)
        {
            try
            {
                _consumer!.Commit(offsets);
            }
            catch (KafkaException e) when (transactional)
            {
                // The transaction already carried the offsets; this commit only helps brokers that do not store them.
                _logger.LogWarning("Offset commit after transaction failed: {Code}", e.Error.Code);
            }
        }

        long offsetsCommitted = System.Diagnostics.Stopwatch.GetTimestamp();
        _batchId = batchId;
        _core.CommitBatch();
        Stats.AddCommitted(_tallies.Values);
        if (StageObserver is { } observer)
        {
            ReportStages(observer, batch.Count, processed, produced, committed, committedAtMs, offsetsCommitted);
        }

        BatchCommitted?.Invoke(_tallies.Values);
        return true;
    }

    private void ReportStages(IBatchStageObserver observer, int inputs, long processed, long produced, long committed, long committedAtMs, long offsetsCommitted)
    {
        // The tallies already hold each partition's oldest input time; the batch's is the least of them.
        long oldest = long.MaxValue;
        foreach (PartitionTally tally in _tallies.Values)
        {
            oldest = Math.Min(oldest, tally.OldestInputTime);
        }

        observer.OnBatch(new BatchStageTimes
        {
            Inputs = inputs,
            OldestInputMs = oldest,
            FirstTaken = _firstTaken,
            Closed = _closed,
            Processed = processed,
            Produced = produced,
            Committed = committed,
            CommittedAtMs = committedAtMs,
            Done = offsetsCommitted,
            Retries = _attempt,
        });
    }

    private HashSet<string> CollectMisses(List<ConsumeResult<Ignore, ConsumedValue>> batch, int from, string first)
    {
        // Look ahead once so that one pipelined fetch serves the whole batch instead of one round trip per subject.
        var keys = new HashSet<string>(StringComparer.Ordinal) { first };
        for (int j = from + 1; j < batch.Count; j++)
        {
            ConsumeResult<Ignore, ConsumedValue> input = batch[j];
            if (_inputTopics.TryGetValue(input.Topic, out InputKind kind)
                && _core.Process(kind, _values.Value(input.Message.Value), null, _probeOutcomes, out _, out string? key) == ProcessStatus.NeedsConsent)
            {
                keys.Add(key!);
            }
        }

        return keys;
    }

    private PartitionTally Tally(ConsumeResult<Ignore, ConsumedValue> input)
    {
        (string, int) tp = (input.Topic, input.Partition.Value);
        if (!_tallies.TryGetValue(tp, out PartitionTally? tally))
        {
            tally = new PartitionTally(input.Topic, input.Partition.Value, _core.Plans.Count);
            _tallies[tp] = tally;
        }

        tally.NoteInputTime(input.Message.Timestamp.UnixTimestampMs);

        return tally;
    }

    private List<TopicPartitionOffset> NextOffsets(List<ConsumeResult<Ignore, ConsumedValue>> batch)
    {
        // Keyed by value: ConsumeResult.TopicPartition would build an object per input.
        Dictionary<(string Topic, int Partition), long> last = _lastOffsets;
        last.Clear();
        foreach (ConsumeResult<Ignore, ConsumedValue> r in batch)
        {
            last[(r.Topic, r.Partition.Value)] = r.Offset.Value;
        }

        var offsets = new List<TopicPartitionOffset>(last.Count);
        foreach (KeyValuePair<(string Topic, int Partition), long> pair in last)
        {
            offsets.Add(new TopicPartitionOffset(pair.Key.Topic, pair.Key.Partition, new Offset(pair.Value + 1)));
        }

        return offsets;
    }

    private void CreateProducer()
    {
        _producer?.Dispose();
        _inTransaction = false;
        _producer = new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.OutputProducer(_options))
            .SetValueSerializer(new Registry.ConfluentFramingSerializer(Registry))
            .SetErrorHandler((_, e) =>
            {
                Stats.AddKafkaError();
                _logger.LogWarning("Kafka producer error {Code}: {Reason}", e.Code, e.Reason);
            })
            .Build();
        if (_options.Delivery == DeliveryMode.ExactlyOnce)
        {
            _producer.InitTransactions(TimeSpan.FromSeconds(30));
        }

        _sink = new KafkaRecordSink(_producer, trackDelivery: _options.Delivery == DeliveryMode.AtLeastOnce);
    }

    private void AbortQuietly()
    {
        if (!_inTransaction)
        {
            return;
        }

        _inTransaction = false;
        try
        {
            using (Watch("minimizer transaction abort"))
            {
                ResumableTransaction.Abort(_producer!, TimeSpan.FromSeconds(30), CancellationToken.None);
            }
        }
        catch (KafkaException e)
        {
            // No transaction in progress, or the producer is unusable: a fresh one is made either way.
            _logger.LogDebug("Abort transaction: {Code}", e.Error.Code);
            if (e.Error.IsFatal)
            {
                CreateProducer();
            }
        }
    }

    private StallWatchdog.Scope Watch(string operation) => Watchdog?.Watch(operation) ?? default;
}
