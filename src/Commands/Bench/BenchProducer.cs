using Confluent.Kafka;

namespace Sieve.Commands.Bench;

/// <summary>The producer settings of the bench's raw inputs (produced with <see cref="KafkaBackpressure"/>).</summary>
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
}
