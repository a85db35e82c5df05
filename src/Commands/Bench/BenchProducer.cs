using Confluent.Kafka;

namespace Sieve.Commands.Bench;

/// <summary>Producing the bench's raw inputs with back-pressure: a full local queue is drained, never an error.</summary>
public static class BenchProducer
{
    /// <summary>The settings of the producer that pre-produces the throughput runs' inputs.</summary>
    public static ProducerConfig PreProduceConfig(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,
        BatchSize = 1_000_000,
        QueueBufferingMaxMessages = 1_000_000,
        EnableDeliveryReports = false,
        ClientId = "sieve-bench-devices",
    };

    /// <summary>Produces <paramref name="message"/>, polling while the local queue is full.</summary>
    public static void Produce(IProducer<byte[], byte[]> producer, TopicPartition partition, Message<byte[], byte[]> message)
    {
        ArgumentNullException.ThrowIfNull(producer);
        while (true)
        {
            try
            {
                producer.Produce(partition, message);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(20));
            }
        }
    }
}
