using System.Diagnostics.Metrics;

namespace Sieve.Core.Metrics;

/// <summary>
/// Instruments of the raw-event publisher on the <see cref="MeterName"/> meter (the Teltonika endpoint's instruments
/// share it). Tags carry topics and Kafka error codes only, never an identifier.
/// </summary>
public sealed class IngestMetrics
{
    /// <summary>Name of the Ingest service's meter.</summary>
    public const string MeterName = "Sieve.Ingest";

    private readonly Counter<long> _published;
    private readonly Counter<long> _failures;
    private long _kafkaErrors;
    private long _publishedTotal;
    private long _failedTotal;

    /// <summary>Creates the instruments, on a meter from <paramref name="meterFactory"/> when given.</summary>
    public IngestMetrics(IMeterFactory? meterFactory = null)
    {
        Meter meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _published = meter.CreateCounter<long>("sieve.ingest.records.published", "{record}", "Raw records Kafka persisted (tag: topic).");
        _failures = meter.CreateCounter<long>("sieve.ingest.publish.failures", "{request}", "Publishes Kafka did not persist, so the device or gateway got no acknowledgement (tag: reason, a Kafka error code).");
        meter.CreateObservableCounter("sieve.ingest.kafka.errors", () => Interlocked.Read(ref _kafkaErrors), "{error}", "Errors the Kafka producer reported.");
    }

    /// <summary>Counts <paramref name="count"/> records persisted to <paramref name="topic"/>.</summary>
    public void Published(string topic, long count)
    {
        _published.Add(count, new KeyValuePair<string, object?>("topic", topic));
        Interlocked.Add(ref _publishedTotal, count);
    }

    /// <summary>Counts one publish that failed with <paramref name="reason"/>.</summary>
    public void PublishFailed(string reason)
    {
        _failures.Add(1, new KeyValuePair<string, object?>("reason", reason));
        Interlocked.Increment(ref _failedTotal);
    }

    /// <summary>Raw records Kafka persisted since start, every topic.</summary>
    public long PublishedTotal => Interlocked.Read(ref _publishedTotal);

    /// <summary>Publishes Kafka did not persist since start.</summary>
    public long FailedTotal => Interlocked.Read(ref _failedTotal);

    /// <summary>Counts one producer error (observed, so the series exists from the start at 0).</summary>
    public void KafkaError() => Interlocked.Increment(ref _kafkaErrors);
}
