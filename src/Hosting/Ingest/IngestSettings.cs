using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sieve.Core.Metrics;
using Sieve.Core.Publishing;
using Sieve.Hosting.Configuration;

namespace Sieve.Hosting.Ingest;

/// <summary>The HTTP listeners of the Ingest service as configured (section <c>Ingest:Http</c>).</summary>
public sealed class IngestHttpOptions
{
    /// <summary><c>Ingest:Http:Urls</c>: where the HTTP endpoints (gateways, <c>/healthz</c>) listen.</summary>
    public string Urls { get; set; } = IngestSettings.DefaultHttpUrls;

    /// <summary><c>Ingest:Http:RetryAfterSeconds</c>: the <c>Retry-After</c> sent with a 503 when Kafka could not take the data.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = 5;
}

/// <summary>The settings every Ingest module shares (section <c>Ingest</c>; the modules bind their own parts).</summary>
public sealed class IngestOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Ingest";

    /// <summary><c>Ingest:Http:*</c>.</summary>
    public IngestHttpOptions Http { get; } = new();
}

/// <summary>Checks <c>Ingest:Http:Urls</c>.</summary>
internal sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, IngestOptions options) =>
        ListenAddress.TryParseList(options.Http.Urls, IngestSettings.HttpUrlsKey, allowHttps: true, IngestSettings.ExampleHttpUrls, out _, out string? failure)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failure);
}

/// <summary>
/// What every Ingest module shares, made from validated settings: the raw-topic producer and the HTTP listeners.
/// </summary>
public sealed class IngestSettings
{
    /// <summary>Default of <c>Ingest:Http:Urls</c>: loopback only, until the operator opens it on purpose.</summary>
    public const string DefaultHttpUrls = "http://127.0.0.1:8080";

    /// <summary>An <c>Ingest:Http:Urls</c> entry shown in errors.</summary>
    internal const string ExampleHttpUrls = "http://0.0.0.0:8080";

    /// <summary>The key of the HTTP listeners.</summary>
    public const string HttpUrlsKey = "Ingest:Http:Urls";

    /// <summary>
    /// The producer (<c>Kafka:BootstrapServers</c>, <c>Kafka:DeliveryTimeoutMs</c>, <c>Kafka:Properties:*</c>).
    /// </summary>
    public required RawPublisherOptions Publisher { get; init; }

    /// <summary><c>Ingest:Http:Urls</c>: where the HTTP endpoints (gateways, <c>/healthz</c>) listen.</summary>
    public required IReadOnlyList<ListenAddress> HttpListeners { get; init; }

    /// <summary>
    /// <c>Ingest:Http:RetryAfterSeconds</c>: the <c>Retry-After</c> sent with a 503 when Kafka could not take the data.
    /// </summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Registers the shared settings (validated on start), the <see cref="IngestSettings"/> made of them and the publisher.</summary>
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSettings<IngestOptions>(configuration, IngestOptions.Section);
        services.AddSettingsValidator<IngestOptions, IngestOptionsValidator>();
        AddRawEventPublisher(services, configuration);
        services.TryAddSingleton(sp => new IngestSettings
        {
            Publisher = sp.GetRequiredService<RawPublisherOptions>(),
            HttpListeners = ListenAddress.ParseList(sp.GetRequiredService<IOptions<IngestOptions>>().Value.Http.Urls, HttpUrlsKey, allowHttps: true, ExampleHttpUrls),
            RetryAfter = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<IngestOptions>>().Value.Http.RetryAfterSeconds),
        });
    }

    /// <summary>
    /// The one registration of the <see cref="RawEventPublisher"/> every Ingest module shares (<c>Kafka:BootstrapServers</c>,
    /// <c>Kafka:DeliveryTimeoutMs</c>, <c>Kafka:Properties:*</c>); a second call adds nothing.
    /// </summary>
    public static void AddRawEventPublisher(IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSettings<KafkaOptions>(configuration, KafkaOptions.Section);
        services.AddSettings<KafkaDeliveryOptions>(configuration, KafkaOptions.Section);
        services.TryAddSingleton(sp =>
        {
            KafkaOptions kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            var publisher = new RawPublisherOptions
            {
                BootstrapServers = kafka.BootstrapServers,
                DeliveryTimeout = TimeSpan.FromMilliseconds(sp.GetRequiredService<IOptions<KafkaDeliveryOptions>>().Value.DeliveryTimeoutMs),
            };
            foreach (KeyValuePair<string, string> property in kafka.Properties)
            {
                publisher.KafkaProperties[property.Key] = property.Value;
            }

            return publisher;
        });
        services.TryAddSingleton(sp => new RawEventPublisher(
            sp.GetRequiredService<RawPublisherOptions>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Sieve.Core.Publishing"),
            sp.GetService<IngestMetrics>()));
    }
}
