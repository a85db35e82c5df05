using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Gateways.Events;
using Sieve.Core.Gateways.Http;
using Sieve.Core.Gateways.Meraki;
using Sieve.Core.Gateways.Portal;
using Sieve.Core.Gateways;
using Sieve.Hosting.Configuration;

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
        AddSettings(services, configuration);

        // Made only when an endpoint family is configured and mapped (see MapEndpoints).
        services.AddSingleton(sp => new WifiEventIds(sp.GetRequiredService<MasterKeyRing>()));
        services.AddSingleton(sp => new GatewayRateLimiter(sp.GetRequiredService<GatewaySettings>().Limits));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<GatewayAnswers>();
        services.AddSingleton<MerakiReceiver>();
        services.AddSingleton<PortalReceiver>();
    }

    /// <summary>Reads and validates the gateway settings in <paramref name="configuration"/> as the service does.</summary>
    /// <exception cref="SettingsException">A setting is missing or wrong; the message names the key, never the value.</exception>
    internal static GatewaySettings ReadSettings(IConfiguration configuration) =>
        SettingsValidation.Resolve<GatewaySettings>(configuration, AddSettings);

    private static void AddSettings(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<IngestOptions>(configuration, IngestOptions.Section);
        services.AddSettings<GatewayOptions>(configuration, IngestOptions.Section);
        services.AddSettingsValidator<GatewayOptions, GatewayOptionsValidator>();
        services.AddSettings<TopicsOptions>(configuration, TopicsOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.WifiRaw), "Topics:WifiRaw: must not be blank.");
        // Event ids derive from the master key ring, as Teltonika's do: keys are required once a gateway is configured.
        services.AddSettings<KeysOptions>(configuration, KeysOptions.Section);
        services.AddSettingsValidator<KeysOptions, GatewayKeysValidator>();
        services.TryAddSingleton<KeyRingProvider>();
        services.TryAddSingleton(sp => sp.GetRequiredService<KeyRingProvider>().Get(EventIdKeysValidator.Why));
        services.AddSingleton(sp => GatewayOptionsValidator.Create(
            sp.GetRequiredService<IOptions<GatewayOptions>>().Value,
            sp.GetRequiredService<IOptions<TopicsOptions>>().Value.WifiRaw,
            TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<IngestOptions>>().Value.Http.RetryAfterSeconds)));
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
        else
        {
            endpoints.MapMethods(MerakiPath, ["GET", "POST"], NotConfiguredAsync);
        }

        if (settings.PortalGateways.Count > 0)
        {
            PortalReceiver portal = endpoints.ServiceProvider.GetRequiredService<PortalReceiver>();
            endpoints.MapPost(PortalReceiver.LoginsPath, portal.HandleLoginAsync);
            endpoints.MapPost(PortalReceiver.SessionsPath, portal.HandleSessionAsync);
        }
        else
        {
            endpoints.MapPost(PortalReceiver.LoginsPath, NotConfiguredAsync);
            endpoints.MapPost(PortalReceiver.SessionsPath, NotConfiguredAsync);
        }
    }

    /// <summary>An endpoint whose family is not configured: 404 with a reason, so a sender can tell it from a wrong address.</summary>
    private static Task NotConfiguredAsync(HttpContext context) =>
        GatewayResponses.WriteErrorAsync(context, new GatewayError(StatusCodes.Status404NotFound, GatewayErrorCodes.GatewayNotConfigured));
}

/// <summary>Once a gateway is configured, master keys must be: the gateways' event ids derive from them.</summary>
internal sealed class GatewayKeysValidator(IOptions<GatewayOptions> gateways) : IValidateOptions<KeysOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KeysOptions options)
    {
        GatewayOptions configured = gateways.Value;
        bool any = configured.Meraki.Networks.Count > 0 || configured.Portal.Gateways.Count > 0;
        return !any || KeyRingProvider.HasKeys(options)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(KeyRingProvider.MissingFailure(EventIdKeysValidator.Why));
    }
}
