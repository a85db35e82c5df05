using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sieve.Core.Metrics;
using Sieve.Core.Publishing;
using Sieve.Hosting.Configuration;
using Sieve.Hosting.Observability;

namespace Sieve.Hosting.Ingest;

/// <summary>
/// Builds the Ingest web application: configuration from appsettings.json, environment variables and the command
/// line; shared settings validated at start-up; the raw-event publisher; the HTTP listeners of
/// <c>Ingest:Http:Urls</c>; the operations listener of <c>Metrics:Urls</c> (<c>/metrics</c>; <c>/healthz</c> and
/// <c>/readyz</c> answer on every listener); and every <see cref="IIngestModule"/>.
/// </summary>
public static class IngestHost
{
    /// <summary>
    /// The ways data enters the service. Adding one is one line here: a module class, or a
    /// <see cref="DelegateIngestModule"/> over a module's registration and listener methods.
    /// </summary>
    public static IReadOnlyList<IIngestModule> Modules() =>
    [
        GatewayIngestModule.Instance,
        new DelegateIngestModule("teltonika", (s, c) => s.AddTeltonikaIngest(c), (k, c) => k.MapTeltonika(c)),
    ];

    /// <summary>Path of the liveness endpoint.</summary>
    public const string HealthPath = OpsEndpoints.HealthPath;

    /// <summary>Path of the readiness endpoint (Kafka, and the Redis device registry when one is configured).</summary>
    public const string ReadyPath = OpsEndpoints.ReadyPath;

    /// <summary>Default port of <c>Metrics:Urls</c>.</summary>
    public const int DefaultMetricsPort = 9464;

    /// <summary>Builds (does not start) the application.</summary>
    /// <exception cref="SettingsException">A setting is missing or wrong; the message names the key.</exception>
    public static WebApplication Build(IngestHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = ServiceHostBuilder.Create(options.Args, options.ContentRootPath, options.ConfigureBuilder);

        IngestSettings.Register(builder.Services, builder.Configuration);

        // Read here only for the readiness check; the Teltonika module, which uses the registry, validates the rest.
        builder.Services.AddSettings<DevicesOptions>(builder.Configuration, DevicesOptions.Section);
        builder.Services.TryAddSingleton(services => new IngestMetrics(services.GetService<IMeterFactory>()));
        OpsEndpoints.AddOps(builder.Services, builder.Configuration, DefaultMetricsPort, "sieve-ingest", [IngestMetrics.MeterName])
            .AddKafkaReadiness()
            .AddRedisReadiness(sp => sp.GetRequiredService<IOptions<DevicesOptions>>().Value.Redis);
        builder.Services.TryAddSingleton(TimeProvider.System);
        foreach (IIngestModule module in options.Modules)
        {
            module.AddServices(builder.Services, builder.Configuration);
        }

        IReadOnlyList<IIngestModule> modules = options.Modules;
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            foreach (ListenAddress listener in kestrel.ApplicationServices.GetRequiredService<IngestSettings>().HttpListeners)
            {
                listener.Bind(kestrel);
            }

            OpsEndpoints.BindListeners(kestrel, kestrel.ApplicationServices.GetRequiredService<OpsSettings>());

            foreach (IIngestModule module in modules)
            {
                module.ConfigureKestrel(kestrel, context.Configuration);
            }
        });

        WebApplication app = ServiceHostBuilder.Build(builder);
        OpsEndpoints.MapOps(app);
        foreach (IIngestModule module in modules)
        {
            module.MapEndpoints(app);
        }

        ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sieve.Hosting.Ingest");
        IngestMetrics metrics = app.Services.GetRequiredService<IngestMetrics>();
        string names = modules.Count == 0 ? "no module" : string.Join(", ", modules.Select(m => m.Name));
        app.Lifetime.ApplicationStarted.Register(() => ServiceLog.IngestStarted(logger, names));
        app.Lifetime.ApplicationStopped.Register(() => ServiceLog.IngestStopped(logger, metrics.PublishedTotal, metrics.FailedTotal));
        return app;
    }
}
