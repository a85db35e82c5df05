using Confluent.Kafka;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Core.Engine;

/// <summary>
/// Produces minimized records to their purpose topics. Each record keeps the input's timestamp, so consumers can
/// measure end-to-end latency. Delivery failures are counted (at-least-once mode) or surface when the transaction
/// commits (exactly-once mode).
/// </summary>
/// <remarks>
/// Allocates nothing per record once warm: librdkafka copies key and value when a record is produced
/// (<c>RD_KAFKA_MSG_F_COPY</c>), so one message object, one topic-partition per topic and one scratch array per
/// byte length are reused. Delivery reports, when tracked, carry no key or value (<c>DeliveryReportFields</c>).
/// </remarks>
internal sealed class KafkaRecordSink : IMinimizedRecordSink
{
    private static readonly Headers NoHeaders = [];
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly Action<DeliveryReport<byte[], byte[]>>? _onDelivery;
    private readonly Message<byte[], byte[]> _message = new() { Headers = NoHeaders };
    private readonly Dictionary<string, TopicPartition> _topics = new(StringComparer.Ordinal);
    private readonly ScratchArrays _keys = new();
    private readonly ScratchArrays _values = new();
    private long _failed;

    public KafkaRecordSink(IProducer<byte[], byte[]> producer, bool trackDelivery)
    {
        _producer = producer;
        _onDelivery = trackDelivery ? OnDelivery : null;
    }

    /// <summary>Timestamp given to the records of the current input.</summary>
    public Timestamp InputTimestamp { get; set; }

    /// <summary>Delivery failures since the last <see cref="ResetFailures"/>.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public void ResetFailures() => Interlocked.Exchange(ref _failed, 0);

    public void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) =>
        Produce(plan.ForwardTopic, key, value, hasKey: true);

    /// <summary>Produces one record; <paramref name="hasKey"/> false produces a null key.</summary>
    public void Produce(string topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool hasKey)
    {
        if (!_topics.TryGetValue(topic, out TopicPartition? destination))
        {
            destination = new TopicPartition(topic, Partition.Any);
            _topics[topic] = destination;
        }

        Message<byte[], byte[]> message = _message;
        message.Key = hasKey ? _keys.Copy(key) : null!;
        message.Value = _values.Copy(value);
        message.Timestamp = InputTimestamp;
        while (true)
        {
            try
            {
                _producer.Produce(destination, message, _onDelivery);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Back-pressure: let librdkafka drain its queue, then try again.
                _producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }

    private void OnDelivery(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failed);
        }
    }
}
