using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Sieve.Core.Pipeline;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Metrics;
using Sieve.Core.Registry;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;

namespace Sieve.Core.Landing;

/// <summary>
/// Lands the minimized purpose topics in the lake. Consumes them, decodes each message into a row (or a quarantine
/// reason) and hands it to a <see cref="LakeFlusher"/>, which decides when the buffered ranges become Parquet files
/// and commits their offsets only once the files are durable. On every assignment <see cref="LakeRecovery"/> decides
/// where to resume, so each offset lands exactly once across crashes and rebalances.
/// </summary>
public sealed partial class SinkEngine : IDisposable
{
    /// <summary>How long the sink waits for a Kafka round trip (committed offsets, quarantine delivery).</summary>
    internal static readonly TimeSpan KafkaTimeout = TimeSpan.FromSeconds(30);

    private readonly SinkOptions _options;
    private readonly Dictionary<string, LakeTable> _tablesByTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RowDecoder> _decoders = new(StringComparer.Ordinal);
    private readonly LakeFlusher _flusher;
    private readonly ErasedSubjects _erased;
    private readonly LakeGate _gate;
    private readonly SinkMetrics _metrics;
    private readonly ILogger _logger;

    // Set on assignment when recovery resumes past the committed offset; committed by the consume loop.
    private List<TopicPartitionOffset>? _recoveredAhead;
    private IConsumer<byte[], byte[]>? _consumer;
    private IProducer<byte[], byte[]>? _producer;
    private long _registryWaits;

    /// <summary>Creates an engine; call <see cref="RunAsync"/> to start it.</summary>
    /// <param name="options">Kafka, lake and roll settings.</param>
    /// <param name="tables">The lake tables and the topics that feed them.</param>
    /// <param name="erased">Pseudonyms whose rows are dropped.</param>
    /// <param name="gate">Serializes lake writers in this process.</param>
    /// <param name="metrics">Instruments.</param>
    /// <param name="logger">Receives positions, counts and reason codes only.</param>
    /// <param name="time">Clock for roll intervals and file stamps; <see cref="TimeProvider.System"/> when null.</param>
    public SinkEngine(SinkOptions options, IReadOnlyList<LakeTable> tables, ErasedSubjects erased, LakeGate gate, SinkMetrics metrics, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tables);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RollRows, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RollBytes, 1, nameof(options));
        _options = options;
        _erased = erased;
        _gate = gate;
        _metrics = metrics;
        _logger = logger;
        _flusher = new LakeFlusher(options, erased, gate, metrics, logger, time ?? TimeProvider.System);
        foreach (LakeTable table in tables)
        {
            _tablesByTopic.Add(table.Topic, table);
            _decoders.Add(table.Topic, new RowDecoder(table));
        }
    }

    /// <summary>The consumer while the engine runs (metrics read its lag); null before.</summary>
    internal IConsumer<byte[], byte[]>? Consumer => _consumer;

    /// <summary>
    /// The Schema Registry binding: purpose topics may then be Confluent-framed (an id not seen before is fetched;
    /// consuming pauses while the registry cannot answer), and quarantine records are written so. Null reads and
    /// writes single-object encoding only.
    /// </summary>
    public SchemaRegistryBinding? Registry { get; init; }

    /// <summary>Times consuming waited because the schema registry could not give a record's writer schema.</summary>
    public long RegistryWaits => Interlocked.Read(ref _registryWaits);

    /// <summary>Raised on the engine's thread after each flush's offsets were committed, with those offsets.</summary>
    public event Action<IReadOnlyList<TopicPartitionOffset>>? Committed
    {
        add => _flusher.Committed += value;
        remove => _flusher.Committed -= value;
    }

    /// <summary>
    /// Raised on the engine's thread when partitions were assigned and recovered, with the offsets consumption resumes
    /// from: everything before them is in the lake (or was quarantined or erased).
    /// </summary>
    public event Action<IReadOnlyList<TopicPartitionOffset>>? Resumed;

    /// <summary>Rows landed in published files by this engine.</summary>
    public long RowsLanded => _flusher.RowsLanded;

    /// <summary>Files published by this engine.</summary>
    public long FilesWritten => _flusher.FilesWritten;

    /// <summary>Messages sent to quarantine by this engine.</summary>
    public long Quarantined => _flusher.Quarantined;

    /// <summary>Flushes that failed and were retried; see <see cref="LakeFlusher.FlushFailures"/>.</summary>
    public long FlushFailures => _flusher.FlushFailures;

    /// <summary>Messages dropped because their subject was erased.</summary>
    public long DroppedErased => _flusher.DroppedErased;

    /// <summary>Stops the engine at a point of a flush as if the process died there (tests only).</summary>
    internal Action<SinkFaultPoint>? Faults
    {
        get => _flusher.Faults;
        set => _flusher.Faults = value;
    }

    /// <summary>
    /// Consumes until <paramref name="cancellationToken"/> is cancelled, then flushes what is buffered, commits and
    /// leaves the group. Run it on a thread of its own: the Kafka client blocks.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _erased.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        _consumer = new ConsumerBuilder<byte[], byte[]>(ConsumerConfig())
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler((_, revoked) => Release(revoked.ConvertAll(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, lost) => Release(lost.ConvertAll(p => p.TopicPartition)))
            .SetErrorHandler((_, e) => OnKafkaError(e))
            .Build();
        if (Registry is not null)
        {
            await Registry.RegisterAsync([(_options.QuarantineTopic, Contracts.Schemas.SchemaCatalog.Default.Get("sieve.ops.QuarantineRecord"))], cancellationToken).ConfigureAwait(false);
        }

        _producer = new ProducerBuilder<byte[], byte[]>(ProducerConfig())
            .SetValueSerializer(new Registry.ConfluentFramingSerializer(Registry))
            .SetErrorHandler((_, e) => OnKafkaError(e))
            .Build();
        _consumer.Subscribe(_tablesByTopic.Keys);
        LogStarted(_logger, string.Join(",", _tablesByTopic.Keys), _options.GroupId, Path.GetFullPath(_options.Root));

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ConsumeResult<byte[], byte[]>? result;
                try
                {
                    result = _consumer.Consume(TimeSpan.FromMilliseconds(50));
                }
                catch (ConsumeException e)
                {
                    // About the client or broker, never one record; librdkafka retries.
                    LogKafkaError(_logger, e.Error.Code, e.Error.IsFatal);
                    continue;
                }

                if (_recoveredAhead is { } ahead)
                {
                    _recoveredAhead = null;
                    _flusher.CommitRecovered(_consumer, ahead);
                }

                if (result is { IsPartitionEOF: false, Message: not null })
                {
                    if (Registry is not null)
                    {
                        await FetchSchemaAsync(result.Message.Value, cancellationToken).ConfigureAwait(false);
                    }

                    Buffer(result);
                }

                if (_flusher.IsDue)
                {
                    await _flusher.FlushWithRetriesAsync(_consumer, _producer, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        // Only a requested stop gets here; a failure propagates and leaves recovery to the next start.
        await _flusher.FlushRemainingAsync(_consumer, _producer).ConfigureAwait(false);

        try
        {
            _consumer.Close();
        }
        catch (KafkaException e)
        {
            LogKafkaError(_logger, e.Error.Code, e.Error.IsFatal);
        }
    }

    private void OnKafkaError(Error error)
    {
        _metrics.KafkaError();
        LogKafkaError(_logger, error.Code, error.IsFatal);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _consumer?.Dispose();
        _producer?.Dispose();
    }

    private ConsumerConfig ConsumerConfig()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.GroupId,
            ClientId = "sieve-sink-" + _options.InstanceId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = 50,
            ConsumeResultFields = "topic",
        };
        foreach (KeyValuePair<string, string> pair in _options.KafkaProperties)
        {
            config.Set(pair.Key, pair.Value);
        }

        return config;
    }

    private ProducerConfig ProducerConfig()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = _options.BootstrapServers,
            ClientId = "sieve-sink-" + _options.InstanceId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        };
        foreach (KeyValuePair<string, string> pair in _options.KafkaProperties)
        {
            config.Set(pair.Key, pair.Value);
        }

        return config;
    }

    private IEnumerable<TopicPartitionOffset> OnAssigned(IConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions)
    {
        List<TopicPartitionOffset> committed = consumer.Committed(partitions, KafkaTimeout);
        var positions = new List<TopicPartitionOffset>(partitions.Count);
        using LakeGate.Releaser entered = _gate.Enter();
        foreach (TopicPartitionOffset c in committed)
        {
            LakeTable table = _tablesByTopic[c.Topic];
            long committedOffset = c.Offset.IsSpecial ? -1 : c.Offset.Value;
            LakeRecovery.Result recovered = LakeRecovery.RecoverAsync(_options.Root, table, c.Partition.Value, committedOffset).GetAwaiter().GetResult();
            LogAssigned(_logger, c.Topic, c.Partition.Value, committedOffset, recovered.ResumeOffset, recovered.TempFilesDeleted, recovered.RangesRolledBack);

            // Offset 0 rather than Beginning: no offset lookup round trip; if the log no longer starts at 0,
            // auto.offset.reset=earliest moves the position to its start.
            positions.Add(new TopicPartitionOffset(c.TopicPartition, new Offset(recovered.ResumeOffset)));
            if (recovered.ResumeOffset > committedOffset && recovered.ResumeOffset > 0)
            {
                (_recoveredAhead ??= []).Add(new TopicPartitionOffset(c.TopicPartition, new Offset(recovered.ResumeOffset)));
            }
        }

        Resumed?.Invoke(positions);
        return positions;
    }

    // Partitions taken away: drop their buffers, and never commit a recovered position for them, which could move a
    // new owner's committed offset back.
    private void Release(List<TopicPartition> partitions)
    {
        _flusher.Discard(partitions);
        _recoveredAhead?.RemoveAll(o => partitions.Contains(o.TopicPartition));
    }

    // A record naming a registry id not seen before waits here until the registry answers: it is never quarantined
    // because the registry was down, and nothing after it is read meanwhile.
    private async Task FetchSchemaAsync(byte[]? value, CancellationToken cancellationToken)
    {
        int backoff = 100;
        while (RecordHeader.TryRead(value, Registry!.Ids, out _, out _, out int schemaId) == AvroStatus.UnknownSchemaId)
        {
            try
            {
                await Registry.FetchAsync(schemaId).ConfigureAwait(false);
            }
            catch (SchemaRegistryUnavailableException e)
            {
                Interlocked.Increment(ref _registryWaits);
                LogRegistryUnavailable(_logger, e.Message, backoff);
                await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                backoff = Math.Min(backoff * 2, 5000);
            }
        }
    }

    private void Buffer(ConsumeResult<byte[], byte[]> result)
    {
        if (!_tablesByTopic.TryGetValue(result.Topic, out LakeTable? table))
        {
            return;
        }

        TopicPartition tp = result.TopicPartition;
        long offset = result.Offset.Value;
        PartitionBuffer buffer = _flusher.Track(tp, table, offset, LakeSizeEstimate.Of(result.Message.Value?.Length ?? 0));
        if (_decoders[result.Topic].TryDecode(result.Message.Value, tp.Partition.Value, offset, Registry?.Ids, out DecodedRow row, out QuarantineReason reason))
        {
            buffer.Add(row);
        }
        else
        {
            buffer.Quarantined.Add((offset, reason));
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Sink consuming {Topics} in group {Group} into {Root}")]
    private static partial void LogStarted(ILogger logger, string topics, string group, string root);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Assigned {Topic} [{Partition}]: committed {Committed}, resuming at {Resume} ({Temps} temporary files deleted, {RolledBack} incomplete ranges rolled back)")]
    private static partial void LogAssigned(ILogger logger, string topic, int partition, long committed, long resume, int temps, int rolledBack);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "{Reason} Waiting {Backoff} ms before asking again; nothing after the record is read meanwhile")]
    private static partial void LogRegistryUnavailable(ILogger logger, string reason, int backoff);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Kafka error {Code} (fatal: {IsFatal})")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code, bool isFatal);
}
