using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Devices;
using Sieve.Core.Metrics;
using Sieve.Core.Publishing;
using Sieve.Core.Teltonika.Mapping;
using Sieve.Core.Teltonika.Server;

namespace Sieve.Hosting.Ingest;

/// <summary>
/// Wires the Teltonika TCP endpoint into a host: <see cref="AddTeltonikaIngest"/> registers its services and
/// <see cref="MapTeltonika"/> adds its Kestrel listener.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddTeltonikaIngest(builder.Configuration);
/// builder.WebHost.ConfigureKestrel(kestrel => kestrel.MapTeltonika(builder.Configuration));
/// </code>
/// </example>
public static class TeltonikaIngestExtensions
{
    /// <summary>
    /// Registers the Teltonika endpoint's services. Settings are read and validated now (a wrong one throws
    /// <see cref="TeltonikaConfigurationException"/>). Shared services are added only when the host has not
    /// registered them: <see cref="RawEventPublisher"/> (<c>Kafka:BootstrapServers</c>, <c>Kafka:DeliveryTimeoutMs</c>,
    /// <c>Kafka:Properties:*</c>), <see cref="MasterKeyRing"/> (<c>Keys:Path</c>, <c>SIEVE_MASTER_KEYS</c>,
    /// <c>Keys:AllowDemoKey</c>), <see cref="IDeviceRegistry"/> (<c>Devices:*</c>, see
    /// <see cref="DeviceRegistryConfiguration"/>) and metrics.
    /// </summary>
    public static IServiceCollection AddTeltonikaIngest(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        TeltonikaOptions options = TeltonikaOptions.FromConfiguration(configuration);
        RawPublisherOptions publisherOptions = PublisherOptions(configuration);

        services.AddMetrics();
        services.TryAddSingleton(options);
        services.TryAddSingleton<TeltonikaMetrics>();
        services.TryAddSingleton(_ => DeviceRegistryConfiguration.Create(configuration));
        services.TryAddSingleton(_ => LoadKeyRing(configuration));
        services.TryAddSingleton(sp => new RawEventPublisher(publisherOptions, sp.GetRequiredService<ILoggerFactory>().CreateLogger<RawEventPublisher>(),
            sp.GetService<IngestMetrics>()));
        services.TryAddSingleton(sp =>
        {
            MasterKeyRing ring = sp.GetRequiredService<MasterKeyRing>();
            if (ring.IsDemo)
            {
                TeltonikaLog.DemoKey(sp.GetRequiredService<ILoggerFactory>().CreateLogger<TeltonikaConnectionHandler>());
            }

            try
            {
                return new TeltonikaEventIds(ring, options.EventIdMasterKeyId);
            }
            catch (ArgumentException e)
            {
                throw new TeltonikaConfigurationException(TeltonikaOptions.Section + ":EventIdMasterKeyId: the master key ring has no key with this id.", e);
            }
        });
        services.TryAddSingleton<TeltonikaConnectionHandler>();
        return services;
    }

    /// <summary>
    /// Adds the Teltonika listener (<c>Ingest:Teltonika:BindAddress</c>:<c>Ingest:Teltonika:Port</c>) to Kestrel.
    /// Services must have been registered with <see cref="AddTeltonikaIngest"/>.
    /// </summary>
    /// <returns>The listener's options; after the server started, its <see cref="ListenOptions.IPEndPoint"/> is the bound endpoint (useful with port 0).</returns>
    public static ListenOptions MapTeltonika(this KestrelServerOptions kestrel, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        TeltonikaOptions options = TeltonikaOptions.FromConfiguration(configuration);
        ListenOptions? listener = null;
        kestrel.Listen(new IPEndPoint(options.BindAddress, options.Port), listen =>
        {
            listen.Protocols = HttpProtocols.None;
            listen.UseConnectionHandler<TeltonikaConnectionHandler>();
            listener = listen;
        });
        return listener!;
    }

    private static RawPublisherOptions PublisherOptions(IConfiguration configuration)
    {
        var publisher = new RawPublisherOptions
        {
            DeliveryTimeout = TimeSpan.FromMilliseconds(TeltonikaOptions.Int(configuration, "Kafka:DeliveryTimeoutMs", 5000, 100, 600_000)),
        };
        if (configuration["Kafka:BootstrapServers"] is { Length: > 0 } servers)
        {
            publisher.BootstrapServers = servers;
        }

        foreach (IConfigurationSection property in configuration.GetSection("Kafka:Properties").GetChildren())
        {
            publisher.KafkaProperties[property.Key] = property.Value ?? string.Empty;
        }

        return publisher;
    }

    /// <summary>The master key ring of <c>Keys:Path</c>, <c>SIEVE_MASTER_KEYS</c> or <c>Keys:AllowDemoKey</c>; event ids of every source derive from it.</summary>
    internal static MasterKeyRing LoadKeyRing(IConfiguration configuration)
    {
        string? path = configuration["Keys:Path"];
        string? variable = Environment.GetEnvironmentVariable(MasterKeyRing.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(path) || !string.IsNullOrWhiteSpace(variable))
        {
            return MasterKeyRing.Load(string.IsNullOrWhiteSpace(path) ? null : path, variable);
        }

        if (TeltonikaOptions.Bool(configuration, "Keys:AllowDemoKey", false))
        {
            return MasterKeyRing.CreateDemo();
        }

        throw new TeltonikaConfigurationException("Keys:Path: no master keys for event ids. Set Keys:Path to a keys file, or set "
            + MasterKeyRing.EnvironmentVariable + ", or Keys:AllowDemoKey=true for a demo.");
    }
}
