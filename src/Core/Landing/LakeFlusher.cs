using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Metrics;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;

namespace Sieve.Core.Landing;

/// <summary>
/// Buffers what the <see cref="SinkEngine"/> consumes per topic partition and decides when and how it lands: once
/// the buffers reach <see cref="SinkOptions.RollRows"/>, <see cref="SinkOptions.RollBytes"/> or
/// <see cref="SinkOptions.RollInterval"/>, a flush reports bad messages to quarantine, writes each partition's
/// range to one Parquet file per event hour (rows of erased subjects dropped), syncs every file of the range before
/// renaming any into place, and only then commits the offsets, so each offset lands exactly once.
/// </summary>
internal sealed partial class LakeFlusher
{
    private const int MaxBackoffMs = 5000;
    private readonly Dictionary<TopicPartition, PartitionBuffer> _buffers = [];
    private readonly SinkOptions _options;
    private readonly ErasedSubjects _erased;
    private readonly LakeGate _gate;
    private readonly SinkMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private int _buffered;
    private long _bufferedBytes;
    private long _firstBufferedAt;
    private long _rowsLanded;
    private long _filesWritten;
    private long _quarantined;
    private long _droppedErased;
    private long _flushFailures;

    public LakeFlusher(SinkOptions options, ErasedSubjects erased, LakeGate gate, SinkMetrics metrics, ILogger logger, TimeProvider time)
    {
        _options = options;
        _erased = erased;
        _gate = gate;
        _metrics = metrics;
        _logger = logger;
        _time = time;
    }

    /// <summary>Raised after each flush's offsets were committed, with those offsets.</summary>
    public event Action<IReadOnlyList<TopicPartitionOffset>>? Committed;

    /// <summary>Stops a flush at a point as if the process died there (tests only).</summary>
    public Action<SinkFaultPoint>? Faults { get; set; }

    /// <summary>Rows landed in published files.</summary>
    public long RowsLanded => Interlocked.Read(ref _rowsLanded);

    /// <summary>Files published.</summary>
    public long FilesWritten => Interlocked.Read(ref _filesWritten);

    /// <summary>Messages sent to quarantine.</summary>
    public long Quarantined => Interlocked.Read(ref _quarantined);

    /// <summary>Flushes that failed and were retried (a full or read-only disk, Kafka refusing).</summary>
    public long FlushFailures => Interlocked.Read(ref _flushFailures);

    /// <summary>Messages dropped because their subject was erased.</summary>
    public long DroppedErased => Interlocked.Read(ref _droppedErased);

    /// <summary>True when a file is due: the buffers hold enough rows or bytes, or their oldest message has waited long enough.</summary>
    public bool IsDue =>
        _buffered > 0 && (_buffered >= _options.RollRows || _bufferedBytes >= _options.RollBytes || _time.GetElapsedTime(_firstBufferedAt) >= _options.RollInterval);

    /// <summary>
    /// Counts the message at <paramref name="offset"/> of <paramref name="partition"/> into its range; returns the
    /// partition's buffer, which the caller adds the decoded row or the quarantine reason to.
    /// </summary>
    public PartitionBuffer Track(TopicPartition partition, LakeTable table, long offset, int estimatedBytes)
    {
        if (!_buffers.TryGetValue(partition, out PartitionBuffer? buffer))
        {
            buffer = new PartitionBuffer(table, partition.Partition.Value);
            _buffers[partition] = buffer;
        }

        buffer.Track(offset, estimatedBytes);
        _bufferedBytes += estimatedBytes;
        if (_buffered++ == 0)
        {
            _firstBufferedAt = _time.GetTimestamp();
        }

        return buffer;
    }

    /// <summary>Drops the buffers of partitions this member no longer owns (revoked or lost); their next owner re-reads them.</summary>
    public void Discard(List<TopicPartition> partitions)
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

    /// <summary>
    /// Commits <paramref name="offsets"/>: positions that recovery found already published in the lake beyond the
    /// group's committed offset (a crash between publishing a file and committing it). Without this, a partition whose
    /// last input was in such a file would keep its old committed offset until new input arrives.
    /// </summary>
    public void CommitRecovered(IConsumer<byte[], byte[]> consumer, List<TopicPartitionOffset> offsets)
    {
        try
        {
            consumer.Commit(offsets);
        }
        catch (KafkaException e)
        {
            // The files are published; whoever consumes these partitions next resumes after them again.
            LogCommitFailed(_logger, e.Error.Code);
            return;
        }

        Committed?.Invoke(offsets);
    }

    /// <summary>
    /// Flushes, retrying with a doubling backoff (up to 5 s) while Kafka or the disk refuses; meanwhile polls the
    /// paused consumer so the group keeps this member. Returns early if a revocation empties the buffers.
    /// </summary>
    public async Task FlushWithRetriesAsync(IConsumer<byte[], byte[]> consumer, IProducer<byte[], byte[]> producer, CancellationToken cancellationToken)
    {
        int backoff = (int)_options.RetryBackoff.TotalMilliseconds;
        while (true)
        {
            try
            {
                await FlushAsync(consumer, producer, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is KafkaException or IOException or UnauthorizedAccessException)
            {
                Interlocked.Increment(ref _flushFailures);
                _metrics.FlushFailures.Add(1, new KeyValuePair<string, object?>("error", e.GetType().Name));
                LogFlushFailed(_logger, e.GetType().Name, backoff);
            }

            // Keep polling (paused) so the group keeps this member; a revocation meanwhile drops the buffers.
            List<TopicPartition> assigned = consumer.Assignment;
            consumer.Pause(assigned);
            long until = Environment.TickCount64 + backoff;
            while (Environment.TickCount64 < until)
            {
                cancellationToken.ThrowIfCancellationRequested();
                consumer.Consume(TimeSpan.FromMilliseconds(Math.Clamp(until - Environment.TickCount64, 1, 100)));
            }

            consumer.Resume(consumer.Assignment);
            if (_buffered == 0)
            {
                return;
            }

            backoff = Math.Min(backoff * 2, MaxBackoffMs);
        }
    }

    /// <summary>On a requested stop: flushes what is buffered once; a failure is logged and left to recovery at the next start.</summary>
    public async Task FlushRemainingAsync(IConsumer<byte[], byte[]> consumer, IProducer<byte[], byte[]> producer)
    {
        try
        {
            if (_buffered > 0)
            {
                await FlushAsync(consumer, producer, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is KafkaException or IOException)
        {
            LogFlushFailed(_logger, e.GetType().Name, 0);
        }
    }

    private async Task FlushAsync(IConsumer<byte[], byte[]> consumer, IProducer<byte[], byte[]> producer, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        using LakeGate.Releaser entered = await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        ProduceQuarantine(producer);

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
            consumer.Commit(offsets);
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

    private void ProduceQuarantine(IProducer<byte[], byte[]> producer)
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
                producer.Produce(_options.QuarantineTopic, new Message<byte[], byte[]> { Key = null!, Value = value }, report =>
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

        int left = producer.Flush(SinkEngine.KafkaTimeout);
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

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "Flush failed ({ExceptionType}); buffers kept, retrying in {Backoff} ms")]
    private static partial void LogFlushFailed(ILogger logger, string exceptionType, int backoff);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Offset commit after a flush failed ({Code}); the lake's file names carry the position")]
    private static partial void LogCommitFailed(ILogger logger, ErrorCode code);
}
