namespace Sieve.Testing.Harness;

/// <summary>Which Kafka a <see cref="KafkaFixture"/> runs against.</summary>
public enum KafkaKind
{
    /// <summary>A broker named by the KAFKA_BOOTSTRAP_SERVERS environment variable.</summary>
    RealBroker,

    /// <summary>A broker container started through Testcontainers.</summary>
    Testcontainers,

    /// <summary>librdkafka's mock cluster, in this process.</summary>
    Mock,
}
