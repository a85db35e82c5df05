using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sieve.Hosting.Configuration;
using Sieve.Hosting.Observability;
using Sieve.Core.Lake;
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

    /// <summary>
    /// How long the host lets a stop take: buffered rows are flushed and committed, then the group is left. The service
    /// itself waits at most <see cref="ServiceStop.Wait"/> for that, so this is only the outer limit.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Builds (does not start) the service.</summary>
    /// <exception cref="SettingsException">A setting is missing or wrong; the message names the key.</exception>
    /// <exception cref="Sieve.Core.Policy.PolicyValidationException">The policy is invalid.</exception>
    /// <exception cref="Sieve.Contracts.Pseudonymization.KeyRingException">The master keys cannot be read.</exception>
    public static WebApplication Build(SinkHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = ServiceHostBuilder.Create(options.Args, options.ContentRootPath, options.ConfigureBuilder);

        SinkSettings.Register(builder.Services, builder.Configuration);
        builder.Services.AddSingleton(sp => new SinkMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddHostedService<SinkService>();
        OpsEndpoints.AddOps(builder.Services, builder.Configuration, DefaultMetricsPort, "sieve-sink", [SinkMetrics.MeterName])
            .AddKafkaReadiness(ReadTopics)
            .AddRedisReadiness(sp => sp.GetRequiredService<IOptions<SinkServiceOptions>>().Value.ErasureEnabled
                ? sp.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration
                : null);
        ServiceHostBuilder.UseOpsListener(builder, ShutdownTimeout);

        WebApplication app = ServiceHostBuilder.Build(builder);
        try
        {
            // The policy and the keys are read now, so a wrong one stops the service before it starts.
            app.Services.GetRequiredService<SinkSettings>();
            OpsEndpoints.MapOps(app);
            return app;
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
    }

    // The topics the Sink reads: each lake table's, and the erasure worker's when it runs here.
    private static IEnumerable<string> ReadTopics(IServiceProvider services)
    {
        SinkSettings settings = services.GetRequiredService<SinkSettings>();
        foreach (LakeTable table in settings.Tables)
        {
            yield return table.Topic;
        }

        if (settings.ErasureEnabled)
        {
            yield return settings.Erasure.RequestsTopic;
            yield return settings.Erasure.NoticesTopic;
            if (settings.Erasure.WatchMinors)
            {
                yield return settings.Erasure.ConsentChangesTopic;
            }
        }
    }
}
