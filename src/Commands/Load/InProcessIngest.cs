using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sieve.Core.Gateways;
using Sieve.Core.Teltonika.Server;
using Sieve.Hosting.Ingest;
using Sieve.Simulation;

namespace Sieve.Commands.Load;

/// <summary>
/// The Ingest service (gateway endpoints and the Teltonika TCP endpoint) running inside this process on free
/// loopback ports, publishing to a given Kafka, with demo-only secrets and the built-in demo master key.
/// </summary>
public sealed class InProcessIngest : IAsyncDisposable
{
    /// <summary>The Meraki network the demo configures.</summary>
    public const string MerakiNetwork = "N_DEMO_MH_002";

    private readonly WebApplication _app;
    private readonly string _contentRoot;

    private InProcessIngest(WebApplication app, string contentRoot, int tcpPort, GatewayTargets gateways)
    {
        _app = app;
        _contentRoot = contentRoot;
        TeltonikaPort = tcpPort;
        Gateways = gateways;
    }

    /// <summary>The bound port of the Teltonika listener on 127.0.0.1.</summary>
    public int TeltonikaPort { get; }

    /// <summary>The gateway endpoints and the demo's Meraki network and portal gateway.</summary>
    public GatewayTargets Gateways { get; }

    /// <summary>
    /// Starts Ingest publishing to <paramref name="bootstrapServers"/>. The Meraki network is installed at
    /// <paramref name="merakiOutlet"/> (gateway id <paramref name="merakiGateway"/>); the portal gateway
    /// <paramref name="portalGateway"/> at <paramref name="portalOutlet"/>.
    /// </summary>
    public static async Task<InProcessIngest> StartAsync(string bootstrapServers, string merakiGateway, string merakiOutlet,
        string portalGateway, string portalOutlet, CancellationToken cancellationToken)
    {
        const string merakiSecret = "demo-meraki-secret-0001";
        const string portalToken = "demo-portal-token-0001";
        var config = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrapServers,
            ["Kafka:DeliveryTimeoutMs"] = "20000",
            ["Keys:AllowDemoKey"] = "true",
            ["Ingest:Http:Urls"] = "http://127.0.0.1:0",
            ["Metrics:Urls"] = "http://127.0.0.1:0",
            ["Ingest:Teltonika:BindAddress"] = "127.0.0.1",
            ["Ingest:Teltonika:Port"] = "0",
            ["Ingest:Teltonika:MaxConnectionsPerAddress"] = "100000",

            // The simulated fleet is not in a registry: let every Luhn-valid unit in, as a development setup would.
            ["Devices:AcceptAnyValidImei"] = "true",
            ["Ingest:Meraki:Validator"] = "demo-validator-0001",
            ["Ingest:Meraki:Secret"] = merakiSecret,
            ["Ingest:Meraki:Networks:" + MerakiNetwork + ":OutletId"] = merakiOutlet,
            ["Ingest:Meraki:Networks:" + MerakiNetwork + ":GatewayId"] = merakiGateway,
            ["Ingest:Portal:Gateways:" + portalGateway + ":Token"] = portalToken,
            ["Ingest:Portal:Gateways:" + portalGateway + ":OutletId"] = portalOutlet,
            ["Ingest:RateLimit:TokenLimit"] = "1000000",
            ["Ingest:RateLimit:TokensPerPeriod"] = "1000000",
        };

        // An empty content root, so no appsettings.json joins in; no console logging, so the demo's view stays clean.
        string contentRoot = Directory.CreateTempSubdirectory("sieve-demo-ingest-").FullName;
        ListenOptions? teltonika = null;
        WebApplication app = IngestHost.Build(new IngestHostOptions
        {
            ContentRootPath = contentRoot,
            Modules =
            [
                GatewayIngestModule.Instance,
                new DelegateIngestModule("teltonika", (s, c) => s.AddTeltonikaIngest(c), (k, c) => teltonika = k.MapTeltonika(c)),
            ],
            ConfigureBuilder = builder =>
            {
                builder.Configuration.AddInMemoryCollection(config);
                builder.Logging.ClearProviders();
            },
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string http = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var gateways = new GatewayTargets
        {
            BaseAddress = new Uri(http.TrimEnd('/') + "/"),
            MerakiSecret = merakiSecret,
            MerakiNetworkId = MerakiNetwork,
            PortalGatewayId = portalGateway,
            PortalOutletId = portalOutlet,
            PortalToken = portalToken,
        };
        return new InProcessIngest(app, contentRoot, teltonika!.IPEndPoint!.Port, gateways);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        try
        {
            Directory.Delete(_contentRoot, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }
}
