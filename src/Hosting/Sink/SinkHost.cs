using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sieve.Hosting.Observability;
using Sieve.Core.Metrics;

namespace Sieve.Hosting.Sink;

/// <summary>
/// Builds the Sink service: configuration from appsettings.json, environment variables and the command line, every
/// setting validated before anything connects; the engine, erasure and retention (<see cref="SinkService"/>); and the
/// operations listener of <c>Metrics:Urls</c> with <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c> (Kafka, and
/// Redis when erasure runs).
/// </summary>
public static class SinkHost
{
    /// <summary>Default port of <c>Metrics:Urls</c>.</summary>
    public const int DefaultMetricsPort = 9466;

    /// <summary>How long a stop may take: buffered rows are flushed and committed, then the group is left.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Builds (does not start) the service.</summary>
    /// <exception cref="SinkSettingsException">A setting is missing or wrong; the message names the key.</exception>
    /// <exception cref="OpsSettingsException"><c>Metrics:Urls</c> or <c>Logging:Format</c> is wrong.</exception>
    public static WebApplication Build(SinkHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = ServiceHostBuilder.Create(options.Args, options.ContentRootPath, options.ConfigureBuilder);

        SinkSettings settings = SinkSettings.From(builder.Configuration);
        OpsSettings ops = OpsSettings.From(builder.Configuration, DefaultMetricsPort);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => new SinkMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddHostedService<SinkService>();
        IHealthChecksBuilder checks = OpsEndpoints.AddOps(builder.Services, ops, "sieve-sink", [SinkMetrics.MeterName])
            .AddKafkaReadiness(settings.Engine.BootstrapServers, settings.Engine.KafkaProperties);
        if (settings.ErasureEnabled)
        {
            checks.AddRedisReadiness(settings.RedisConfiguration);
        }
        ServiceHostBuilder.UseOpsListener(builder, ops, ShutdownTimeout);

        WebApplication app = builder.Build();
        OpsEndpoints.MapOps(app);
        return app;
    }
}
