using System.Diagnostics.Metrics;
using Confluent.Kafka;

namespace Sieve.Core.Metrics;

/// <summary>
/// The sink's instruments on the meter <see cref="MeterName"/>. Tags carry purposes, reasons and outcomes only,
/// never a pseudonym or an identifier.
/// </summary>
public sealed class SinkMetrics : IDisposable
{
    /// <summary>Name of the sink's meter.</summary>
    public const string MeterName = "Sieve.Sink";

    private readonly Meter _meter;
    private Func<IConsumer<byte[], byte[]>?>? _consumer;
    private long _kafkaErrors;

    /// <summary>Creates the instruments, on a meter from <paramref name="meterFactory"/> when given.</summary>
    public SinkMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        RowsWritten = _meter.CreateCounter<long>("sieve.sink.rows.written", "{row}", "Rows landed in lake files (tag: purpose).");
        FilesWritten = _meter.CreateCounter<long>("sieve.sink.files.written", "{file}", "Lake files published (tag: purpose).");
        RowsQuarantined = _meter.CreateCounter<long>("sieve.sink.rows.quarantined", "{row}", "Messages sent to quarantine (tags: purpose, reason).");
        RowsDroppedErased = _meter.CreateCounter<long>("sieve.sink.rows.dropped_erased", "{row}", "Messages not landed because their subject was erased (tag: purpose).");
        FlushFailures = _meter.CreateCounter<long>("sieve.sink.flush.failures", "{failure}",
            "Flushes that failed and were retried (tag: error = the exception type, e.g. IOException for a full or read-only disk).");
        FlushDuration = _meter.CreateHistogram<double>("sieve.sink.flush.duration", "ms", "Writing, syncing and renaming one flush's files.");
        CommitDuration = _meter.CreateHistogram<double>("sieve.sink.commit.duration", "ms", "Committing offsets after a flush.");
        ErasureRequests = _meter.CreateCounter<long>("sieve.sink.erasure.requests", "{request}", "Erasure requests handled (tags: reason, status).");
        ErasureMarkDuration = _meter.CreateHistogram<double>("sieve.sink.erasure.mark.duration", "ms", "From taking an erasure request to the consent store holding the erased mark.");
        ErasureDuration = _meter.CreateHistogram<double>("sieve.sink.erasure.duration", "ms", "From taking an erasure request to its receipt.");
        ErasureRowsRemoved = _meter.CreateCounter<long>("sieve.sink.erasure.rows_removed", "{row}", "Lake rows removed by erasures (tag: purpose).");
        RetentionDeletions = _meter.CreateCounter<long>("sieve.sink.retention.partitions_deleted", "{partition}", "Date partitions deleted past retention (tag: purpose).");
        RetentionFilesDeleted = _meter.CreateCounter<long>("sieve.sink.retention.files_deleted", "{file}", "Lake files deleted past retention (tag: purpose).");
        _meter.CreateObservableCounter("sieve.sink.kafka.errors", () => Interlocked.Read(ref _kafkaErrors), "{error}", "Errors the sink's Kafka clients reported.");
        _meter.CreateObservableGauge("sieve.sink.consumer.lag", () => ConsumerLag.Measure(Volatile.Read(ref _consumer)?.Invoke()), "{message}",
            "Minimized records not yet consumed per assigned partition: high watermark minus position (tags: topic, partition).");
    }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter => _meter;

    /// <summary>Rows landed.</summary>
    public Counter<long> RowsWritten { get; }

    /// <summary>Flushes that failed (disk full or read-only, Kafka refusing) and were retried.</summary>
    public Counter<long> FlushFailures { get; }

    /// <summary>Files published.</summary>
    public Counter<long> FilesWritten { get; }

    /// <summary>Messages quarantined.</summary>
    public Counter<long> RowsQuarantined { get; }

    /// <summary>Messages dropped because the subject was erased.</summary>
    public Counter<long> RowsDroppedErased { get; }

    /// <summary>Flush latency.</summary>
    public Histogram<double> FlushDuration { get; }

    /// <summary>Offset commit latency.</summary>
    public Histogram<double> CommitDuration { get; }

    /// <summary>Erasure requests.</summary>
    public Counter<long> ErasureRequests { get; }

    /// <summary>Time to mark an erased subject in the consent store.</summary>
    public Histogram<double> ErasureMarkDuration { get; }

    /// <summary>Time to complete an erasure.</summary>
    public Histogram<double> ErasureDuration { get; }

    /// <summary>Rows removed by erasures.</summary>
    public Counter<long> ErasureRowsRemoved { get; }

    /// <summary>Partitions deleted by retention.</summary>
    public Counter<long> RetentionDeletions { get; }

    /// <summary>Files deleted by retention.</summary>
    public Counter<long> RetentionFilesDeleted { get; }

    /// <summary>Counts one error a Kafka client reported (observed, so the series exists from the start at 0).</summary>
    public void KafkaError() => Interlocked.Increment(ref _kafkaErrors);

    /// <summary>Reports the lag of the consumer <paramref name="consumer"/> returns (null while there is none).</summary>
    public void ObserveLag(Func<IConsumer<byte[], byte[]>?> consumer) => Volatile.Write(ref _consumer, consumer);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
