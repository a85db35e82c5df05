using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sieve.Hosting.Ingest;
using Sieve.Core.Teltonika.Server;
using Sieve.Testing.Logging;
using Sieve.Testing.Metrics;

namespace Sieve.Testing.Teltonika;

/// <summary>
/// A minimal Kestrel host with only the Teltonika endpoint, wired through the public extension methods, on a free
/// loopback port, publishing to <paramref name="bootstrapServers"/>.
/// </summary>
internal sealed class TeltonikaTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TeltonikaTestHost(WebApplication app, int port, LogRecorder logs, MetricsRecorder metrics)
    {
        _app = app;
        Port = port;
        Logs = logs;
        Metrics = metrics;
    }

    public int Port { get; }

    public LogRecorder Logs { get; }

    public MetricsRecorder Metrics { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TeltonikaTestHost> StartAsync(string bootstrapServers, IDictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["Ingest:Teltonika:BindAddress"] = "127.0.0.1",
            ["Ingest:Teltonika:Port"] = "0",
            ["Kafka:BootstrapServers"] = bootstrapServers,
            ["Kafka:DeliveryTimeoutMs"] = "3000",
            ["Kafka:Properties:reconnect.backoff.ms"] = "20",
            ["Kafka:Properties:reconnect.backoff.max.ms"] = "200",
            ["Kafka:Properties:retry.backoff.ms"] = "20",
            ["Keys:AllowDemoKey"] = "true",
        };
        foreach (KeyValuePair<string, string?> setting in settings ?? new Dictionary<string, string?>())
        {
            configuration[setting.Key] = setting.Value;
        }

        // Simulated units are in no registry: accept any Luhn-valid IMEI unless the test configures a registry or says otherwise.
        if (!configuration.ContainsKey("Devices:Path") && !configuration.ContainsKey("Devices:Redis"))
        {
            configuration.TryAdd("Devices:AcceptAnyValidImei", "true");
        }

        // An empty builder: no appsettings.json (other projects' copies sit in the test output) and no environment variables.
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Configuration.AddInMemoryCollection(configuration);
        var logs = new LogRecorder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddTeltonikaIngest(builder.Configuration);
        ListenOptions? listener = null;
        builder.WebHost.ConfigureKestrel(kestrel => listener = kestrel.MapTeltonika(builder.Configuration));
        WebApplication app = builder.Build();
        var metrics = MetricsRecorder.Ingest(app.Services.GetRequiredService<IMeterFactory>());
        await app.StartAsync();
        return new TeltonikaTestHost(app, listener!.IPEndPoint!.Port, logs, metrics);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Metrics.Dispose();
    }
}
