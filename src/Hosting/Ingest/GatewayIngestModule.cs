using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Gateways.Events;
using Sieve.Core.Gateways.Http;
using Sieve.Core.Gateways.Meraki;
using Sieve.Core.Gateways.Portal;
using Sieve.Core.Gateways;
using Sieve.Hosting.Ingest;

namespace Sieve.Hosting.Ingest;

/// <summary>
/// Dealer Wi-Fi gateways over HTTP: the Meraki Scanning API v3 receiver (<c>GET</c>/<c>POST</c> <see cref="MerakiPath"/>)
/// and the captive-portal API (<c>POST /portal/v1/logins</c>, <c>POST /portal/v1/sessions</c>). Each family is mapped
/// only when configured (<c>Ingest:Meraki:Networks:*</c>, <c>Ingest:Portal:Gateways:*</c>). See
/// <c>src/Core/Gateways/README.md</c>.
/// </summary>
public sealed class GatewayIngestModule : IIngestModule
{
    /// <summary>Path of the Meraki receiver (the Post URL configured in the Meraki dashboard).</summary>
    public const string MerakiPath = "/meraki/v3";

    /// <summary>The one instance.</summary>
    public static GatewayIngestModule Instance { get; } = new();

    /// <inheritdoc />
    public string Name => "gateways";

    /// <inheritdoc />
    public void AddServices(IServiceCollection services, IConfiguration configuration)
    {
        GatewaySettings settings = GatewaySettings.From(configuration);
        services.AddSingleton(settings);
        if (!settings.AnyGateway)
        {
            return;
        }

        // Event ids are derived from the master key ring, shared with the other sources (Keys:Path, SIEVE_MASTER_KEYS, Keys:AllowDemoKey).
        services.TryAddSingleton(_ => TeltonikaIngestExtensions.LoadKeyRing(configuration));
        services.AddSingleton(sp => new WifiEventIds(sp.GetRequiredService<MasterKeyRing>()));
        services.AddSingleton(_ => new GatewayRateLimiter(settings.Limits));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<GatewayAnswers>();
        if (settings.Meraki is not null)
        {
            services.AddSingleton<MerakiReceiver>();
        }

        if (settings.PortalGateways.Count > 0)
        {
            services.AddSingleton<PortalReceiver>();
        }
    }

    /// <inheritdoc />
    public void ConfigureKestrel(KestrelServerOptions options, IConfiguration configuration)
    {
        // HTTP only: the listeners of Ingest:Http:Urls serve the gateway endpoints; body limits are per endpoint.
    }

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        GatewaySettings settings = endpoints.ServiceProvider.GetRequiredService<GatewaySettings>();
        if (settings.Meraki is not null)
        {
            MerakiReceiver meraki = endpoints.ServiceProvider.GetRequiredService<MerakiReceiver>();
            endpoints.MapGet(MerakiPath, meraki.HandleValidatorAsync);
            endpoints.MapPost(MerakiPath, meraki.HandlePostAsync);
        }

        if (settings.PortalGateways.Count > 0)
        {
            PortalReceiver portal = endpoints.ServiceProvider.GetRequiredService<PortalReceiver>();
            endpoints.MapPost(PortalReceiver.LoginsPath, portal.HandleLoginAsync);
            endpoints.MapPost(PortalReceiver.SessionsPath, portal.HandleSessionAsync);
        }
    }
}
