using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Sieve.Hosting.Observability;

/// <summary>
/// The operations endpoints every service serves on its <c>Metrics:Urls</c> listeners: <c>GET /metrics</c>
/// (OpenTelemetry metrics in the Prometheus text format), <c>GET /healthz</c> (the process is alive: <c>ok</c>) and
/// <c>GET /readyz</c> (its Kafka and Redis answer now). <c>/healthz</c> and <c>/readyz</c> answer on every
/// listener of the service; <c>/metrics</c> only on the metrics listeners.
/// </summary>
public static class OpsEndpoints
{
    /// <summary>Path of the Prometheus scrape endpoint.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Path of the liveness endpoint.</summary>
    public const string HealthPath = "/healthz";

    /// <summary>Path of the readiness endpoint.</summary>
    public const string ReadyPath = "/readyz";

    /// <summary>Tag of the health checks that <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    private static readonly JsonWriterOptions JsonOptions = new() { Indented = false };
    private static readonly byte[] AliveBody = "ok"u8.ToArray();

    /// <summary>
    /// Registers the metrics pipeline (the meters named in <paramref name="meterNames"/>, exported for scraping)
    /// and health checks, and reads <c>Metrics:Urls</c>. Add readiness checks to the returned builder.
    /// </summary>
    /// <exception cref="OpsSettingsException"><c>Metrics:Urls</c> is malformed.</exception>
    public static IHealthChecksBuilder AddOps(IServiceCollection services, OpsSettings settings, string serviceName, IEnumerable<string> meterNames)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(settings);
        string[] meters = [.. meterNames];
        services.AddSingleton(settings);
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(m =>
            {
                m.AddMeter(meters);

                // Every scrape reads the counters afresh; Prometheus scrapes seldom enough that caching gains nothing.
                m.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            });
        return services.AddHealthChecks();
    }

    /// <summary>Adds the Kafka readiness check (bootstrap servers and client properties as the service uses them).</summary>
    public static IHealthChecksBuilder AddKafkaReadiness(this IHealthChecksBuilder checks, string bootstrapServers, IReadOnlyDictionary<string, string> kafkaProperties)
    {
        ArgumentNullException.ThrowIfNull(checks);
        checks.Services.AddSingleton(_ => new KafkaReadinessCheck(bootstrapServers, kafkaProperties));
        return checks.Add(new HealthCheckRegistration("kafka", sp => sp.GetRequiredService<KafkaReadinessCheck>(), HealthStatus.Unhealthy, [ReadyTag]));
    }

    /// <summary>Adds the Redis readiness check.</summary>
    public static IHealthChecksBuilder AddRedisReadiness(this IHealthChecksBuilder checks, string configuration)
    {
        ArgumentNullException.ThrowIfNull(checks);
        checks.Services.AddSingleton(_ => new RedisReadinessCheck(configuration));
        return checks.Add(new HealthCheckRegistration("redis", sp => sp.GetRequiredService<RedisReadinessCheck>(), HealthStatus.Unhealthy, [ReadyTag]));
    }

    /// <summary>Binds the listeners of <c>Metrics:Urls</c>.</summary>
    public static void BindListeners(KestrelServerOptions kestrel, OpsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (OpsListenAddress listener in settings.Listeners)
        {
            listener.Bind(kestrel);
        }
    }

    /// <summary>Maps <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>.</summary>
    public static void MapOps(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        OpsSettings settings = app.Services.GetRequiredService<OpsSettings>();
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == MetricsPath && settings.Serves(context.Connection.LocalPort));
        app.MapGet(HealthPath, WriteAliveAsync);
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
    }

    private static Task WriteAliveAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        return context.Response.Body.WriteAsync(AliveBody, context.RequestAborted).AsTask();
    }

    /// <summary>Writes <c>{"status":"Healthy","checks":{"kafka":"Healthy","redis":"Unhealthy"}}</c>: states only, never a configuration value.</summary>
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, JsonOptions))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartObject("checks");
            foreach (KeyValuePair<string, HealthReportEntry> entry in report.Entries)
            {
                json.WriteStartObject(entry.Key);
                json.WriteString("status", entry.Value.Status.ToString());
                json.WriteString("detail", entry.Value.Description ?? "");
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }
}
