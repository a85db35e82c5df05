using Confluent.Kafka;
using Sieve.Minimizer.Pipeline;
using Sieve.Minimizer.Policy;

namespace Sieve.Minimizer.Kafka;

/// <summary>
/// Produces minimized records to their purpose topics. Each record keeps the input's timestamp, so consumers can
/// measure end-to-end latency. Delivery failures are counted (at-least-once mode) or surface when the transaction
/// commits (exactly-once mode).
/// </summary>
internal sealed class KafkaRecordSink : IMinimizedRecordSink
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly Action<DeliveryReport<byte[], byte[]>>? _onDelivery;
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
        Produce(plan.Topic, key.ToArray(), value.ToArray());

    public void Produce(string topic, byte[]? key, byte[] value)
    {
        var message = new Message<byte[], byte[]> { Key = key!, Value = value, Timestamp = InputTimestamp };
        while (true)
        {
            try
            {
                _producer.Produce(topic, message, _onDelivery);
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
