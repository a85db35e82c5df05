using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Sieve.Core.Gateways.Http;
using Sieve.Hosting.Configuration;

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

    /// <summary>The .NET runtime's meter (<c>dotnet.gc.*</c>, <c>dotnet.process.*</c>, <c>dotnet.thread_pool.*</c>), exported by every service.</summary>
    public const string RuntimeMeterName = "System.Runtime";

    /// <summary>Tag of the health checks that <c>/readyz</c> runs.</summary>
    public const string ReadyTag = "ready";

    private static readonly JsonWriterOptions JsonOptions = new() { Indented = false };
    private static readonly byte[] AliveBody = "ok"u8.ToArray();

    /// <summary>
    /// Registers the metrics pipeline (the meters named in <paramref name="meterNames"/> and <see cref="RuntimeMeterName"/>, exported for scraping),
    /// <c>Metrics:Urls</c> (default <c>http://127.0.0.1:</c><paramref name="defaultMetricsPort"/>, validated on start)
    /// and health checks. Add readiness checks to the returned builder.
    /// </summary>
    public static IHealthChecksBuilder AddOps(IServiceCollection services, IConfiguration configuration, int defaultMetricsPort, string serviceName, IEnumerable<string> meterNames)
    {
        ArgumentNullException.ThrowIfNull(services);
        string[] meters = [.. meterNames];
        OpsSettings.Register(services, configuration, defaultMetricsPort);
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(m =>
            {
                m.AddMeter(meters);

                // The runtime's own instruments: GC heap and collections, working set, CPU time, thread pool.
                m.AddMeter(RuntimeMeterName);

                // Every scrape reads the counters afresh; Prometheus scrapes seldom enough that caching gains nothing.
                m.AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
            });
        return services.AddHealthChecks();
    }

    /// <summary>
    /// Adds the Kafka readiness check, with the bootstrap servers and client properties of <see cref="KafkaOptions"/>
    /// (registered by the caller with <see cref="SettingsRegistration.AddSettings{TOptions}"/>).
    /// </summary>
    /// <param name="checks">The health checks to add to.</param>
    /// <param name="requiredTopics">Picks the topics the service reads from its validated settings: not ready while one is missing; none when null.</param>
    public static IHealthChecksBuilder AddKafkaReadiness(this IHealthChecksBuilder checks, Func<IServiceProvider, IEnumerable<string>>? requiredTopics = null)
    {
        ArgumentNullException.ThrowIfNull(checks);
        checks.Services.AddSingleton(sp =>
        {
            KafkaOptions kafka = sp.GetRequiredService<IOptions<KafkaOptions>>().Value;
            return new KafkaReadinessCheck(kafka.BootstrapServers, kafka.Properties, requiredTopics?.Invoke(sp),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger<KafkaReadinessCheck>());
        });
        return checks.Add(new HealthCheckRegistration("kafka", sp => sp.GetRequiredService<KafkaReadinessCheck>(), HealthStatus.Unhealthy, [ReadyTag]));
    }

    /// <summary>
    /// Adds the Redis readiness check on the configuration string <paramref name="configuration"/> picks from the
    /// validated settings; no check when it picks none (Redis is then not used).
    /// </summary>
    /// <param name="checks">The health checks to add to.</param>
    /// <param name="configuration">Picks the StackExchange.Redis configuration string.</param>
    /// <param name="consentView">Picks the key prefix and topic of a consent view that must be whole to be ready; none when null.</param>
    public static IHealthChecksBuilder AddRedisReadiness(this IHealthChecksBuilder checks, Func<IServiceProvider, string?> configuration,
        Func<IServiceProvider, (string KeyPrefix, string Topic)?>? consentView = null)
    {
        ArgumentNullException.ThrowIfNull(checks);
        ArgumentNullException.ThrowIfNull(configuration);
        checks.Services.AddSingleton(sp => new RedisReadinessCheck(configuration(sp)!, consentView?.Invoke(sp)));
        checks.Services.AddOptions<HealthCheckServiceOptions>().Configure<IServiceProvider>((options, sp) =>
        {
            if (!string.IsNullOrWhiteSpace(configuration(sp)))
            {
                options.Registrations.Add(new HealthCheckRegistration("redis", s => s.GetRequiredService<RedisReadinessCheck>(), HealthStatus.Unhealthy, [ReadyTag]));
            }
        });
        return checks;
    }

    /// <summary>Binds the listeners of <c>Metrics:Urls</c>.</summary>
    public static void BindListeners(KestrelServerOptions kestrel, OpsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (ListenAddress listener in settings.Listeners)
        {
            listener.Bind(kestrel);
        }
    }

    /// <summary>
    /// Maps <c>/metrics</c> (behind <c>Metrics:Token</c> when it is set: 401 with a Bearer challenge without it),
    /// <c>/healthz</c> and <c>/readyz</c>.
    /// </summary>
    public static void MapOps(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        OpsSettings settings = app.Services.GetRequiredService<OpsSettings>();
        if (settings.TokenHash is { } tokenHash)
        {
            app.Use((context, next) =>
                context.Request.Path == MetricsPath && settings.Serves(context.Connection.LocalPort) && !HasToken(context.Request, tokenHash)
                    ? RefuseAsync(context)
                    : next(context));
        }

        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == MetricsPath && settings.Serves(context.Connection.LocalPort));
        app.MapGet(HealthPath, WriteAliveAsync);
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = r => r.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
    }

    /// <summary>True when the request carries <c>Authorization: Bearer &lt;token&gt;</c> whose SHA-256 is <paramref name="tokenHash"/> (compared in constant time).</summary>
    private static bool HasToken(HttpRequest request, byte[] tokenHash)
    {
        return BearerToken.TryRead(request.Headers.Authorization, out ReadOnlySpan<char> token) && SecretMatch.Matches(Encoding.UTF8.GetBytes(token.ToString()), tokenHash);
    }

    private static Task RefuseAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return Task.CompletedTask;
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
