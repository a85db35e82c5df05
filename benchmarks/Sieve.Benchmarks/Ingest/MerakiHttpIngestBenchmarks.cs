using System.Globalization;
using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sieve.Embedded;
using Sieve.Contracts;
using Sieve.Core.Gateways;
using Sieve.Hosting.Ingest;

namespace Sieve.Benchmarks.Ingest;

/// <summary>
/// The Meraki Scanning API v3 receiver end to end, in one process: <see cref="Senders"/> concurrent HTTP/1.1 clients
/// on loopback each post <see cref="PostsPerSender"/> payloads of <see cref="ObservationsPerPost"/> WiFi observations
/// to the Ingest host (built by <see cref="IngestHost.Build"/> with the gateway module), which answers <c>202</c> only
/// after every observation is on the raw topic of an in-process librdkafka mock cluster. <c>OperationsPerInvoke</c>
/// is the observations per invocation, so the mean is per acknowledged event and <c>Op/s</c> is events per second.
/// The rate limit is raised out of the way; client and server share the process (and its allocations).
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class MerakiHttpIngestBenchmarks
{
    /// <summary>Concurrent HTTP senders.</summary>
    public const int Senders = 4;

    /// <summary>Posts each sender makes per invocation, one after another.</summary>
    public const int PostsPerSender = 5;

    /// <summary>Observations in one post.</summary>
    public const int ObservationsPerPost = 100;

    private const int EventsPerInvoke = Senders * PostsPerSender * ObservationsPerPost;
    private const string Secret = "meraki-shared-secret-0001";
    private const string Network = "N_24329156";

    private MockKafkaCluster _cluster = null!;
    private WebApplication _app = null!;
    private string _contentRoot = string.Empty;
    private HttpClient _client = null!;
    private byte[][] _posts = [];
    private Task[] _running = [];

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = EventsPerInvoke, Description = "HTTP Meraki: 4 senders x 5 posts x 100 observations, 202 after Kafka")]
    public async Task AcceptedObservations()
    {
        for (int s = 0; s < Senders; s++)
        {
            _running[s] = PostAllAsync(_posts[s]);
        }

        await Task.WhenAll(_running);
    }

    private async Task PostAllAsync(byte[] body)
    {
        for (int p = 0; p < PostsPerSender; p++)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using HttpResponseMessage response = await _client.PostAsync(GatewayIngestModule.MerakiPath, content);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException("The receiver answered " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) + ".");
            }
        }
    }

    private async Task SetupAsync()
    {
        _cluster = MockKafkaCluster.Start(brokers: 1);
        _cluster.CreateTopic(Topics.WifiRaw, 3);
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = _cluster.BootstrapServers,
            ["Ingest:Http:Urls"] = "http://127.0.0.1:0",
            ["Keys:AllowDemoKey"] = "true",
            ["Ingest:Meraki:Validator"] = "5b1f0c6e2d3a4b59a8e7c6d5b4a39281",
            ["Ingest:Meraki:Secret"] = Secret,
            ["Ingest:Meraki:Networks:" + Network + ":OutletId"] = "outlet-sh-01",
            ["Ingest:Meraki:Networks:" + Network + ":GatewayId"] = "meraki-sh-01",
            ["Ingest:RateLimit:TokenLimit"] = "1000000",
            ["Ingest:RateLimit:TokensPerPeriod"] = "1000000",
        };

        // An empty content root: no appsettings.json from the benchmark's output directory joins in.
        _contentRoot = Directory.CreateTempSubdirectory("sieve-ingest-bench-").FullName;
        _app = IngestHost.Build(new IngestHostOptions
        {
            ContentRootPath = _contentRoot,
            Modules = [GatewayIngestModule.Instance],
            ConfigureBuilder = builder =>
            {
                builder.Configuration.AddInMemoryCollection(settings);
                builder.Logging.ClearProviders();
            },
        });
        await _app.StartAsync();
        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Senders })
        {
            BaseAddress = new Uri(address),
            Timeout = TimeSpan.FromSeconds(60),
        };

        _posts = new byte[Senders][];
        _running = new Task[Senders];
        for (int s = 0; s < Senders; s++)
        {
            _posts[s] = MerakiPost(s);
        }

        // One round before measuring, so a broken setup fails here rather than mid-run.
        await AcceptedObservations();
    }

    /// <summary>A v3 WiFi post of <see cref="ObservationsPerPost"/> distinct unicast clients seen in one showroom.</summary>
    private static byte[] MerakiPost(int sender)
    {
        var json = new StringBuilder();
        json.Append("{\"version\":\"3.0\",\"secret\":\"").Append(Secret).Append("\",\"type\":\"WiFi\",\"data\":{\"networkId\":\"")
            .Append(Network).Append("\",\"observations\":[");
        for (int o = 0; o < ObservationsPerPost; o++)
        {
            if (o > 0)
            {
                json.Append(',');
            }

            string mac = string.Create(CultureInfo.InvariantCulture, $"aa:bb:cc:{sender:x2}:{o / 256:x2}:{o % 256:x2}");
            string time = string.Create(CultureInfo.InvariantCulture, $"2026-11-24T09:{o % 60:D2}:00Z");
            string lat = (31.2305 + (o * 0.00001)).ToString("F6", CultureInfo.InvariantCulture);
            json.Append("{\"clientMac\":\"").Append(mac)
                .Append("\",\"ipv4\":\"10.20.0.57\",\"ipv6\":null,\"ssid\":\"Dealer-Guest\",\"os\":\"Android\",\"manufacturer\":\"Xiaomi\",\"userId\":null,")
                .Append("\"latestRecord\":{\"time\":\"").Append(time).Append("\",\"nearestApMac\":\"00:18:0a:13:dd:b0\",\"nearestApRssi\":-52},")
                .Append("\"locations\":[{\"lat\":").Append(lat).Append(",\"lng\":121.4738,\"unc\":3.25,\"x\":12.5,\"y\":4.1,\"variance\":2.1,")
                .Append("\"floorPlanId\":\"g_1234\",\"floorPlanName\":\"Showroom\",\"nearestApTags\":[\"entrance\"],\"time\":\"").Append(time)
                .Append("\",\"rssiRecords\":[{\"apMac\":\"00:18:0a:13:dd:b0\",\"rssi\":-55}]}]}");
        }

        json.Append("]}}");
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    private async Task CleanupAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _cluster.Dispose();
        Directory.Delete(_contentRoot, recursive: true);
    }
}
