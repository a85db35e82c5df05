using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sieve.Core.Gateways;
using Sieve.Hosting.Ingest;
using Sieve.Testing.Logging;

namespace Sieve.Testing.Gateways;

/// <summary>
/// The Ingest web application with the gateway module, built in the test from in-memory configuration and started
/// on a free loopback port with real Kestrel; <see cref="Client"/> talks to it over TCP. Every log line the host
/// writes is kept in <see cref="Logs"/>.
/// </summary>
internal sealed class GatewayTestHost : IAsyncDisposable
{
    public const string MerakiValidator = "5b1f0c6e2d3a4b59a8e7c6d5b4a39281";
    public const string MerakiSecret = "meraki-shared-secret-0001";
    public const string MerakiNetwork = "N_24329156";
    public const string MerakiGateway = "meraki-sh-01";
    public const string MerakiOutlet = "outlet-sh-01";
    public const string PortalGateway = "gw-bj-01";
    public const string PortalToken = "portal-token-bj-01-7f3a9c";
    public const string PortalOutlet = "outlet-bj-01";
    public const string OtherGateway = "gw-gz-02";
    public const string OtherToken = "portal-token-gz-02-11d0e4";
    public const string OtherOutlet = "outlet-gz-02";

    private readonly WebApplication _app;
    private readonly string _contentRoot;

    private GatewayTestHost(WebApplication app, string contentRoot, HttpClient client, LogRecorder logs)
    {
        _app = app;
        _contentRoot = contentRoot;
        Client = client;
        Logs = logs;
    }

    public HttpClient Client { get; }

    public LogRecorder Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Settings every test host starts from; <paramref name="overrides"/> replace or add (a null value removes).</summary>
    public static Dictionary<string, string?> BaseConfiguration(string bootstrapServers, string topic) => new()
    {
        ["Kafka:BootstrapServers"] = bootstrapServers,
        ["Kafka:DeliveryTimeoutMs"] = "20000",
        ["Topics:WifiRaw"] = topic,
        ["Ingest:Http:Urls"] = "http://127.0.0.1:0",
        ["Metrics:Urls"] = "http://127.0.0.1:0",
        ["Keys:AllowDemoKey"] = "true",
        ["Ingest:Meraki:Validator"] = MerakiValidator,
        ["Ingest:Meraki:Secret"] = MerakiSecret,
        ["Ingest:Meraki:Networks:" + MerakiNetwork + ":OutletId"] = MerakiOutlet,
        ["Ingest:Meraki:Networks:" + MerakiNetwork + ":GatewayId"] = MerakiGateway,
        ["Ingest:Portal:Gateways:" + PortalGateway + ":Token"] = PortalToken,
        ["Ingest:Portal:Gateways:" + PortalGateway + ":OutletId"] = PortalOutlet,
        ["Ingest:Portal:Gateways:" + OtherGateway + ":Token"] = OtherToken,
        ["Ingest:Portal:Gateways:" + OtherGateway + ":OutletId"] = OtherOutlet,
        ["Ingest:Limits:PortalMaxBodyBytes"] = "4096",
        ["Ingest:Limits:MerakiMaxBodyBytes"] = "65536",
    };

    public static Task<GatewayTestHost> StartAsync(string bootstrapServers, string topic, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        Dictionary<string, string?> config = BaseConfiguration(bootstrapServers, topic);
        foreach (KeyValuePair<string, string?> pair in overrides ?? new Dictionary<string, string?>())
        {
            config[pair.Key] = pair.Value;
        }

        return StartAsync(config);
    }

    public static async Task<GatewayTestHost> StartAsync(Dictionary<string, string?> config)
    {
        // An empty content root: no appsettings.json from the test's output directory joins in.
        string contentRoot = Directory.CreateTempSubdirectory("sieve-ingest-test-").FullName;
        var logs = new LogRecorder();
        WebApplication app = IngestHost.Build(new IngestHostOptions
        {
            ContentRootPath = contentRoot,
            Modules = [GatewayIngestModule.Instance],
            ConfigureBuilder = builder =>
            {
                builder.Configuration.AddInMemoryCollection(config.Where(p => p.Value is not null));
                builder.Logging.AddProvider(logs);
                builder.Logging.SetMinimumLevel(LogLevel.Debug);
            },
        });
        await app.StartAsync();
        // Ingest:Http:Urls is bound first; the metrics listener (Metrics:Urls) follows.
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        return new GatewayTestHost(app, contentRoot, client, logs);
    }

    /// <summary>Posts a body as the bytes given (which need not be valid UTF-8), labelled as JSON.</summary>
    public Task<HttpResponseMessage> PostBytesAsync(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = content });
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_contentRoot, recursive: true);
    }
}
