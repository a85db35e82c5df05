using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Devices;
using Sieve.Core.Publishing;
using Sieve.Core.Teltonika.Mapping;
using Sieve.Core.Teltonika.Server;
using Sieve.Hosting.Configuration;

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
    /// Registers the Teltonika endpoint's services and settings (<c>Ingest:Teltonika:*</c>, <c>Topics:TelematicsRaw</c>,
    /// validated before the host starts). Shared services are added only when the host has not registered them:
    /// <see cref="RawEventPublisher"/> (<see cref="IngestSettings.AddRawEventPublisher"/>), <see cref="MasterKeyRing"/>
    /// (<c>Keys:Path</c>, <c>SIEVE_MASTER_KEYS</c>, <c>Keys:AllowDemoKey</c>; see <see cref="KeyRingProvider"/>),
    /// <see cref="IDeviceRegistry"/> (<c>Devices:*</c>, see <see cref="DeviceRegistryConfiguration"/>) and metrics.
    /// </summary>
    public static IServiceCollection AddTeltonikaIngest(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddTeltonikaSettings(services, configuration);
        DeviceRegistryConfiguration.Register(services, configuration);
        services.AddSettings<KeysOptions>(configuration, KeysOptions.Section);
        // Check the keys with the other settings, before anything connects, unless the host handed in a ring of its
        // own. A ring registered by a factory (the gateways' module) is read from the same settings, so it is checked too.
        if (!services.Any(d => d.ServiceType == typeof(MasterKeyRing) && d.ImplementationInstance is not null))
        {
            services.AddSettingsValidator<KeysOptions, EventIdKeysValidator>();
        }

        IngestSettings.AddRawEventPublisher(services, configuration);

        services.AddMetrics();
        services.TryAddSingleton<TeltonikaMetrics>();
        services.TryAddSingleton(sp =>
        {
            DevicesOptions devices = sp.GetRequiredService<IOptions<DevicesOptions>>().Value;
            IDeviceRegistry registry = DeviceRegistryConfiguration.Create(devices);

            // Created when the listener is bound, so this is said once at start-up.
            ILogger logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<TeltonikaConnectionHandler>();
            (string mode, bool warn) = DeviceRegistryConfiguration.Describe(devices);
            if (warn)
            {
                TeltonikaLog.DeviceAdmissionWarning(logger, mode);
            }
            else
            {
                TeltonikaLog.DeviceAdmission(logger, mode);
            }

            return registry;
        });
        services.TryAddSingleton<KeyRingProvider>();
        services.TryAddSingleton(sp => sp.GetRequiredService<KeyRingProvider>().Get(EventIdKeysValidator.Why));
        services.TryAddSingleton(sp =>
        {
            MasterKeyRing ring = sp.GetRequiredService<MasterKeyRing>();
            if (ring.IsDemo)
            {
                TeltonikaLog.DemoKey(sp.GetRequiredService<ILoggerFactory>().CreateLogger<TeltonikaConnectionHandler>());
            }

            try
            {
                return new TeltonikaEventIds(ring, sp.GetRequiredService<TeltonikaOptions>().EventIdMasterKeyId);
            }
            catch (ArgumentException)
            {
                throw new SettingsException(TeltonikaOptions.Section + ":EventIdMasterKeyId", "the master key ring has no key with this id.");
            }
        });
        services.TryAddSingleton<TeltonikaConnectionHandler>();
        return services;
    }

    /// <summary>
    /// Adds the Teltonika listener (<c>Ingest:Teltonika:BindAddress</c>:<c>Ingest:Teltonika:Port</c>) to Kestrel.
    /// Services must have been registered with <see cref="AddTeltonikaIngest"/> on the same configuration; the
    /// listener is taken from its validated settings.
    /// </summary>
    /// <returns>The listener's options; after the server started, its <see cref="ListenOptions.IPEndPoint"/> is the bound endpoint (useful with port 0).</returns>
    public static ListenOptions MapTeltonika(this KestrelServerOptions kestrel, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(configuration);
        TeltonikaOptions options = kestrel.ApplicationServices.GetRequiredService<TeltonikaOptions>();
        ListenOptions? listener = null;
        kestrel.Listen(new IPEndPoint(options.BindAddress, options.Port), listen =>
        {
            listen.Protocols = HttpProtocols.None;
            listen.UseConnectionHandler<TeltonikaConnectionHandler>();
            listener = listen;
        });
        return listener!;
    }

    /// <summary>Reads and validates the endpoint's settings in <paramref name="configuration"/> as the service does.</summary>
    /// <exception cref="SettingsException">A setting is wrong; the message names the key, never the value.</exception>
    internal static TeltonikaOptions ReadOptions(IConfiguration configuration) =>
        SettingsValidation.Resolve<TeltonikaOptions>(configuration, AddTeltonikaSettings);

    private static void AddTeltonikaSettings(IServiceCollection services, IConfiguration configuration)
    {
        if (!services.Any(d => d.ServiceType == typeof(TeltonikaOptions)))
        {
            TeltonikaListenerOptions.Register(services, configuration);
        }
    }
}
