using Microsoft.Extensions.Configuration;
using Sieve.Core.Publishing;

namespace Sieve.Core.Configuration;

/// <summary>
/// The settings every Ingest module shares: the raw-topic producer and the HTTP listeners. Read from configuration
/// (appsettings.json, environment variables with <c>__</c> for <c>:</c>, command line) and validated at start-up.
/// </summary>
public sealed class IngestSettings
{
    /// <summary>Default of <c>Ingest:Http:Urls</c>.</summary>
    public const string DefaultHttpUrls = "http://0.0.0.0:8080";

    /// <summary>
    /// The producer (<c>Kafka:BootstrapServers</c>, <c>Kafka:DeliveryTimeoutMs</c>, <c>Kafka:Properties:*</c>).
    /// </summary>
    public required RawPublisherOptions Publisher { get; init; }

    /// <summary><c>Ingest:Http:Urls</c>: where the HTTP endpoints (gateways, <c>/healthz</c>) listen.</summary>
    public required IReadOnlyList<HttpListenAddress> HttpListeners { get; init; }

    /// <summary>
    /// <c>Ingest:Http:RetryAfterSeconds</c>: the <c>Retry-After</c> sent with a 503 when Kafka could not take the data.
    /// </summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Reads and validates <paramref name="config"/>; throws <see cref="SettingsException"/> naming the key at fault.</summary>
    public static IngestSettings From(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var publisher = new RawPublisherOptions
        {
            BootstrapServers = ConfigValues.Required(config, "Kafka:BootstrapServers"),
            DeliveryTimeout = TimeSpan.FromMilliseconds(ConfigValues.Int(config, "Kafka:DeliveryTimeoutMs", 5000, 100, 300_000)),
        };
        foreach (IConfigurationSection property in config.GetSection("Kafka:Properties").GetChildren())
        {
            publisher.KafkaProperties[property.Key] = property.Value ?? "";
        }

        return new IngestSettings
        {
            Publisher = publisher,
            HttpListeners = HttpListenAddress.ParseList(config["Ingest:Http:Urls"] ?? DefaultHttpUrls, "Ingest:Http:Urls"),
            RetryAfter = TimeSpan.FromSeconds(ConfigValues.Int(config, "Ingest:Http:RetryAfterSeconds", 5, 1, 3600)),
        };
    }
}
