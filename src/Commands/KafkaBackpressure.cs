using Confluent.Kafka;

namespace Sieve.Commands;

/// <summary>Producing from a command's load loop with back-pressure: a full local queue is drained, never an error.</summary>
internal static class KafkaBackpressure
{
    /// <summary>Produces <paramref name="message"/> to <paramref name="topic"/>, polling while the local queue is full.</summary>
    public static void Produce(IProducer<byte[], byte[]> producer, string topic, Message<byte[], byte[]> message) =>
        Produce(producer, new TopicPartition(topic, Partition.Any), message);

    /// <summary>Produces <paramref name="message"/> to <paramref name="partition"/>, polling while the local queue is full.</summary>
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
