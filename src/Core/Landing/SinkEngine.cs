using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Metrics;

namespace Sieve.Core.Landing;

/// <summary>
/// Lands the minimized purpose topics in the lake. Messages are buffered per topic partition; a flush (by row count
/// or by age) writes each partition's range to one Parquet file per event hour, syncs and renames the files into
/// place, and only then commits the offsets. Bad messages go to quarantine, pointed at by topic, partition and
/// offset. Rows of erased subjects are dropped. On every assignment <see cref="LakeRecovery"/> decides where to
/// resume, so each offset lands exactly once across crashes and rebalances.
/// </summary>
public sealed partial class SinkEngine : IDisposable
{
    private const int MaxBackoffMs = 5000;
    private static readonly TimeSpan KafkaTimeout = TimeSpan.FromSeconds(30);
    private readonly SinkOptions _options;
    private readonly Dictionary<string, LakeTable> _tablesByTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RowDecoder> _decoders = new(StringComparer.Ordinal);
    private readonly Dictionary<TopicPartition, PartitionBuffer> _buffers = [];
    private readonly ErasedSubjects _erased;
    private readonly LakeGate _gate;
    private readonly SinkMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private IConsumer<byte[], byte[]>? _consumer;
    private IProducer<byte[], byte[]>? _producer;
    private int _buffered;
    private long _bufferedBytes;
    private long _firstBufferedAt;
    private long _rowsLanded;
    private long _filesWritten;
    private long _quarantined;
    private long _droppedErased;

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
        _time = time ?? TimeProvider.System;
        foreach (LakeTable table in tables)
        {
            _tablesByTopic.Add(table.Topic, table);
            _decoders.Add(table.Topic, new RowDecoder(table));
        }
    }

    /// <summary>The consumer while the engine runs (metrics read its lag); null before.</summary>
    internal IConsumer<byte[], byte[]>? Consumer => _consumer;

    /// <summary>Raised on the engine's thread after each flush's offsets were committed, with those offsets.</summary>
    public event Action<IReadOnlyList<TopicPartitionOffset>>? Committed;

    /// <summary>
    /// Raised on the engine's thread when partitions were assigned and recovered, with the offsets consumption resumes
    /// from: everything before them is in the lake (or was quarantined or erased).
    /// </summary>
    public event Action<IReadOnlyList<TopicPartitionOffset>>? Resumed;

    /// <summary>Rows landed in published files by this engine.</summary>
    public long RowsLanded => Interlocked.Read(ref _rowsLanded);

    /// <summary>Files published by this engine.</summary>
    public long FilesWritten => Interlocked.Read(ref _filesWritten);

    /// <summary>Messages sent to quarantine by this engine.</summary>
    public long Quarantined => Interlocked.Read(ref _quarantined);

    /// <summary>Messages dropped because their subject was erased.</summary>
    public long DroppedErased => Interlocked.Read(ref _droppedErased);

    /// <summary>Stops the engine at a point of a flush as if the process died there (tests only).</summary>
    internal Action<SinkFaultPoint>? Faults { get; set; }

    /// <summary>
    /// Consumes until <paramref name="cancellationToken"/> is cancelled, then flushes what is buffered, commits and
    /// leaves the group. Run it on a thread of its own: the Kafka client blocks.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _erased.Ready.WaitAsync(cancellationToken).ConfigureAwait(false);
        _consumer = new ConsumerBuilder<byte[], byte[]>(ConsumerConfig())
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler((_, revoked) => Discard(revoked.ConvertAll(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, lost) => Discard(lost.ConvertAll(p => p.TopicPartition)))
            .SetErrorHandler((_, e) => OnKafkaError(e))
            .Build();
        _producer = new ProducerBuilder<byte[], byte[]>(ProducerConfig())
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

                if (result is { IsPartitionEOF: false, Message: not null })
                {
                    Buffer(result);
                }

                if (ShouldFlush())
                {
                    await FlushWithRetriesAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        // Only a requested stop gets here; a failure propagates and leaves recovery to the next start.
        try
        {
            if (_buffered > 0)
            {
                await FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is KafkaException or IOException)
        {
            LogFlushFailed(_logger, e.GetType().Name, 0);
        }

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
        }

        Resumed?.Invoke(positions);
        return positions;
    }

    private void Discard(List<TopicPartition> partitions)
    {
        foreach (TopicPartition tp in partitions)
        {
            if (_buffers.Remove(tp, out PartitionBuffer? buffer))
            {
                _buffered -= buffer.Count;
                _bufferedBytes -= buffer.EstimatedBytes;
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
        if (!_buffers.TryGetValue(tp, out PartitionBuffer? buffer))
        {
            buffer = new PartitionBuffer(table, tp.Partition.Value);
            _buffers[tp] = buffer;
        }

        long offset = result.Offset.Value;
        int estimated = LakeSizeEstimate.Of(result.Message.Value?.Length ?? 0);
        buffer.Track(offset, estimated);
        _bufferedBytes += estimated;
        if (_decoders[result.Topic].TryDecode(result.Message.Value, tp.Partition.Value, offset, out DecodedRow row, out QuarantineReason reason))
        {
            buffer.Add(row);
        }
        else
        {
            buffer.Quarantined.Add((offset, reason));
        }

        if (_buffered++ == 0)
        {
            _firstBufferedAt = _time.GetTimestamp();
        }
    }

    private bool ShouldFlush() =>
        _buffered > 0 && (_buffered >= _options.RollRows || _bufferedBytes >= _options.RollBytes || _time.GetElapsedTime(_firstBufferedAt) >= _options.RollInterval);

    private async Task FlushWithRetriesAsync(CancellationToken cancellationToken)
    {
        int backoff = (int)_options.RetryBackoff.TotalMilliseconds;
        while (true)
        {
            try
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is KafkaException or IOException or UnauthorizedAccessException)
            {
                LogFlushFailed(_logger, e.GetType().Name, backoff);
            }

            // Keep polling (paused) so the group keeps this member; a revocation meanwhile drops the buffers.
            List<TopicPartition> assigned = _consumer!.Assignment;
            _consumer.Pause(assigned);
            long until = Environment.TickCount64 + backoff;
            while (Environment.TickCount64 < until)
            {
                cancellationToken.ThrowIfCancellationRequested();
                _consumer.Consume(TimeSpan.FromMilliseconds(Math.Clamp(until - Environment.TickCount64, 1, 100)));
            }

            _consumer.Resume(_consumer.Assignment);
            if (_buffered == 0)
            {
                return;
            }

            backoff = Math.Min(backoff * 2, MaxBackoffMs);
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        using LakeGate.Releaser entered = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        ProduceQuarantine();

        var offsets = new List<TopicPartitionOffset>(_buffers.Count);
        string writtenAt = _time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        foreach ((TopicPartition tp, PartitionBuffer buffer) in _buffers)
        {
            await PublishRangeAsync(buffer, writtenAt, cancellationToken).ConfigureAwait(false);
            offsets.Add(new TopicPartitionOffset(tp, new Offset(buffer.LastOffset + 1)));
        }

        _metrics.FlushDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        Faults?.Invoke(SinkFaultPoint.BeforeCommit);
        long commitStarted = Stopwatch.GetTimestamp();
        try
        {
            _consumer!.Commit(offsets);
            _metrics.CommitDuration.Record(Stopwatch.GetElapsedTime(commitStarted).TotalMilliseconds);
        }
        catch (KafkaException e)
        {
            // The files are published; whoever consumes these partitions next resumes after them (LakeRecovery).
            LogCommitFailed(_logger, e.Error.Code);
        }

        Faults?.Invoke(SinkFaultPoint.AfterCommit);
        _buffers.Clear();
        _buffered = 0;
        _bufferedBytes = 0;
        Committed?.Invoke(offsets);
    }

    private void ProduceQuarantine()
    {
        int pending = 0;
        int failed = 0;
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (PartitionBuffer buffer in _buffers.Values)
        {
            foreach ((long offset, QuarantineReason reason) in buffer.Quarantined)
            {
                byte[] value = OpsRecordWriter.Quarantine(buffer.Table.Topic, buffer.Partition, offset, reason, now, _options.InstanceId);
                pending++;
                _producer!.Produce(_options.QuarantineTopic, new Message<byte[], byte[]> { Key = null!, Value = value }, report =>
                {
                    if (report.Error.IsError)
                    {
                        Interlocked.Increment(ref failed);
                    }
                });
            }
        }

        if (pending == 0)
        {
            return;
        }

        int left = _producer!.Flush(KafkaTimeout);
        if (left > 0 || Volatile.Read(ref failed) > 0)
        {
            throw new KafkaException(new Error(ErrorCode.Local_MsgTimedOut, "quarantine records were not delivered"));
        }

        foreach (PartitionBuffer buffer in _buffers.Values)
        {
            foreach ((_, QuarantineReason reason) in buffer.Quarantined)
            {
                _metrics.RowsQuarantined.Add(1, new KeyValuePair<string, object?>("purpose", buffer.Table.Purpose), new KeyValuePair<string, object?>("reason", reason.Code));
            }

            Interlocked.Add(ref _quarantined, buffer.Quarantined.Count);
            buffer.Quarantined.Clear();
        }
    }

    private async Task PublishRangeAsync(PartitionBuffer buffer, string writtenAt, CancellationToken cancellationToken)
    {
        LakeTable table = buffer.Table;
        var files = new List<(string FinalPath, List<IDictionary<string, object?>> Rows)>();
        int dropped = 0;
        foreach ((DateTime hour, List<DecodedRow> rows) in buffer.Hours)
        {
            var kept = new List<IDictionary<string, object?>>(rows.Count);
            foreach (DecodedRow row in rows)
            {
                if (_erased.Contains(table.Purpose, row.Subject))
                {
                    dropped++;
                    continue;
                }

                kept.Add(row.Values);
            }

            if (kept.Count > 0)
            {
                string name = new LakeFileName(table.Topic, buffer.Partition, buffer.FirstOffset, buffer.LastOffset).ToString();
                files.Add((Path.Combine(LakeLayout.HourDirectory(_options.Root, table.Purpose, hour), name), kept));
            }
        }

        if (dropped > 0)
        {
            Interlocked.Add(ref _droppedErased, dropped);
            _metrics.RowsDroppedErased.Add(dropped, new KeyValuePair<string, object?>("purpose", table.Purpose));
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [LakeMetadata.Topic] = table.Topic,
            [LakeMetadata.Partition] = buffer.Partition.ToString(CultureInfo.InvariantCulture),
            [LakeMetadata.FirstOffset] = buffer.FirstOffset.ToString(CultureInfo.InvariantCulture),
            [LakeMetadata.LastOffset] = buffer.LastOffset.ToString(CultureInfo.InvariantCulture),
            [LakeMetadata.RangeFiles] = files.Count.ToString(CultureInfo.InvariantCulture),
            [LakeMetadata.Purpose] = table.Purpose,
            [LakeMetadata.Schema] = table.Schema.FullName,
            [LakeMetadata.SchemaFingerprint] = table.Schema.Fingerprint.ToString("X16", CultureInfo.InvariantCulture),
            [LakeMetadata.WrittenAt] = writtenAt,
        };

        // Every file of the range is synced before the first rename, so a range is either all published or
        // (stopped mid-rename) detectably incomplete.
        var temps = new List<string>(files.Count);
        try
        {
            foreach ((string finalPath, List<IDictionary<string, object?>> rows) in files)
            {
                temps.Add(await ParquetFiles.WriteTempAsync(finalPath, table.ParquetSchema, rows, metadata, cancellationToken).ConfigureAwait(false));
                Faults?.Invoke(SinkFaultPoint.AfterTempWritten);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            foreach (string temp in temps)
            {
                ParquetFiles.TryDelete(temp);
            }

            throw;
        }

        long rowsWritten = 0;
        for (int i = 0; i < files.Count; i++)
        {
            ParquetFiles.Publish(temps[i], files[i].FinalPath);
            rowsWritten += files[i].Rows.Count;
            Faults?.Invoke(SinkFaultPoint.AfterPublish);
        }

        Interlocked.Add(ref _rowsLanded, rowsWritten);
        Interlocked.Add(ref _filesWritten, files.Count);
        var purposeTag = new KeyValuePair<string, object?>("purpose", table.Purpose);
        _metrics.RowsWritten.Add(rowsWritten, purposeTag);
        _metrics.FilesWritten.Add(files.Count, purposeTag);
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Information, Message = "Sink consuming {Topics} in group {Group} into {Root}")]
    private static partial void LogStarted(ILogger logger, string topics, string group, string root);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Information, Message = "Assigned {Topic} [{Partition}]: committed {Committed}, resuming at {Resume} ({Temps} temporary files deleted, {RolledBack} incomplete ranges rolled back)")]
    private static partial void LogAssigned(ILogger logger, string topic, int partition, long committed, long resume, int temps, int rolledBack);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Flush failed ({ExceptionType}); buffers kept, retrying in {Backoff} ms")]
    private static partial void LogFlushFailed(ILogger logger, string exceptionType, int backoff);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Offset commit after a flush failed ({Code}); the lake's file names carry the position")]
    private static partial void LogCommitFailed(ILogger logger, ErrorCode code);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Kafka error {Code} (fatal: {IsFatal})")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code, bool isFatal);
}
