using System.ComponentModel.DataAnnotations;

namespace Sieve.Hosting.Configuration;

/// <summary>The Kafka cluster every service talks to (section <c>Kafka</c>).</summary>
public sealed class KafkaOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Kafka";

    /// <summary><c>Kafka:BootstrapServers</c> (required).</summary>
    [Required]
    public string BootstrapServers { get; set; } = "";

    /// <summary><c>Kafka:Properties:*</c>: librdkafka properties passed to every client as they are.</summary>
    public Dictionary<string, string> Properties { get; } = new(StringComparer.Ordinal);
}

/// <summary>How long the Ingest service's producer waits for Kafka (section <c>Kafka</c>).</summary>
public sealed class KafkaDeliveryOptions
{
    /// <summary>The largest <c>Kafka:DeliveryTimeoutMs</c>: five minutes, librdkafka's own default message timeout.</summary>
    public const int MaxDeliveryTimeoutMs = 300_000;

    /// <summary><c>Kafka:DeliveryTimeoutMs</c>: how long Kafka may take to acknowledge a record (default 5000).</summary>
    [Range(100, MaxDeliveryTimeoutMs)]
    public int DeliveryTimeoutMs { get; set; } = 5000;
}
