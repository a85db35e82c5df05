using Sieve.Core.Consent;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sieve.Core.Metrics;
using Sieve.Core.Policy;
using Sieve.Hosting.Configuration;
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

    /// <summary>
    /// How long the host lets a stop take: the batch in flight is finished and committed, then the group is left. The
    /// service itself waits at most <see cref="ServiceStop.Wait"/> for that, so this is only the outer limit.
    /// </summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Builds (does not start) the service.</summary>
    /// <exception cref="SettingsException">A setting is missing or wrong; the message names the key.</exception>
    /// <exception cref="PolicyValidationException">The policy is invalid.</exception>
    /// <exception cref="Sieve.Contracts.Pseudonymization.KeyRingException">The master keys cannot be read.</exception>
    public static WebApplication Build(MinimizerHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = ServiceHostBuilder.Create(options.Args, options.ContentRootPath, options.ConfigureBuilder);

        MinimizerSettings.Register(builder.Services, builder.Configuration);
        builder.Services.AddSingleton(sp => new MinimizerMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        builder.Services.AddHostedService<MinimizerService>();
        OpsEndpoints.AddOps(builder.Services, builder.Configuration, DefaultMetricsPort, "sieve-minimizer", [MinimizerMetrics.MeterName])
            .AddKafkaReadiness(ReadTopics)
            .AddRedisReadiness(sp => sp.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration, ConsentView);
        ServiceHostBuilder.UseOpsListener(builder, ShutdownTimeout);

        WebApplication app = ServiceHostBuilder.Build(builder);
        try
        {
            // The policy and the keys are read now, so a wrong one stops the service before it starts.
            app.Services.GetRequiredService<MinimizerSettings>();
            OpsEndpoints.MapOps(app);
            return app;
        }
        catch
        {
            ((IDisposable)app).Dispose();
            throw;
        }
    }

    // The topics the Minimizer reads: the raw topics, and the consent changes when its loader runs here.
    private static IEnumerable<string> ReadTopics(IServiceProvider services)
    {
        MinimizerSettings settings = services.GetRequiredService<MinimizerSettings>();
        yield return settings.Engine.Topics.TelematicsRaw;
        yield return settings.Engine.Topics.WifiRaw;
        if (settings.LoaderEnabled)
        {
            yield return settings.Engine.Topics.ConsentChanges;
        }
    }

    // The consent view the Minimizer reads: until it is whole, consent purposes are held and the service is not ready.
    private static (string KeyPrefix, string Topic)? ConsentView(IServiceProvider services)
    {
        RedisConsentStoreOptions store = services.GetRequiredService<MinimizerSettings>().ConsentStore;
        return store.ConsentTopic is { } topic ? (store.KeyPrefix, topic) : null;
    }
}
