using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Core.Metrics;
using Sieve.Core.Policy;
using Sieve.Hosting.Observability;

namespace Sieve.Hosting.Minimizer;

/// <summary>
/// Builds the Minimizer service: configuration from appsettings.json, environment variables and the command line,
/// every setting validated before anything connects; the engine and consent loader (<see cref="MinimizerService"/>);
/// and the operations listener of <c>Metrics:Urls</c> with <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>
/// (Kafka and Redis).
/// </summary>
public static class MinimizerHost
{
    /// <summary>Default port of <c>Metrics:Urls</c>.</summary>
    public const int DefaultMetricsPort = 9465;

    /// <summary>How long a stop may take: the batch in flight is finished and committed, then the group is left.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Builds (does not start) the service.</summary>
    /// <exception cref="SettingsException">A setting is missing or wrong; the message names the key.</exception>
    /// <exception cref="PolicyValidationException">The policy is invalid.</exception>
    /// <exception cref="Sieve.Contracts.Pseudonymization.KeyRingException">The master keys cannot be read.</exception>
    /// <exception cref="OpsSettingsException"><c>Metrics:Urls</c> or <c>Logging:Format</c> is wrong.</exception>
    public static WebApplication Build(MinimizerHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = ServiceHostBuilder.Create(options.Args, options.ContentRootPath, options.ConfigureBuilder);

        MinimizerSettings settings = MinimizerSettings.From(builder.Configuration);
        OpsSettings ops = OpsSettings.From(builder.Configuration, DefaultMetricsPort);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(sp => new MinimizerMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddHostedService<MinimizerService>();
        OpsEndpoints.AddOps(builder.Services, ops, "sieve-minimizer", [MinimizerMetrics.MeterName])
            .AddKafkaReadiness(settings.Engine.BootstrapServers, settings.Engine.KafkaProperties)
            .AddRedisReadiness(settings.RedisConfiguration);
        ServiceHostBuilder.UseOpsListener(builder, ops, ShutdownTimeout);

        WebApplication app = builder.Build();
        OpsEndpoints.MapOps(app);
        return app;
    }
}
