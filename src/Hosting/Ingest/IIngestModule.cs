using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Core.Publishing;

namespace Sieve.Hosting.Ingest;

/// <summary>
/// One way data enters the Ingest service (dealer Wi-Fi gateways over HTTP, telematics units over TCP). The host
/// calls each module in three phases: services, then Kestrel listeners, then HTTP endpoints. Every module shares
/// the one <see cref="RawEventPublisher"/> and the one Kestrel server.
/// </summary>
public interface IIngestModule
{
    /// <summary>A short name for logs, e.g. <c>gateways</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Registers the module's settings from <paramref name="configuration"/> (through
    /// <see cref="Sieve.Hosting.Configuration.SettingsRegistration.AddSettings{TOptions}"/>, so they are validated before
    /// the host starts) and its services.
    /// </summary>
    void AddServices(IServiceCollection services, IConfiguration configuration);

    /// <summary>
    /// Adds the module's own listeners (e.g. a TCP port with a connection handler). The HTTP listeners of
    /// <c>Ingest:Http:Urls</c> are already bound.
    /// </summary>
    void ConfigureKestrel(KestrelServerOptions options, IConfiguration configuration);

    /// <summary>Maps the module's HTTP endpoints, if it has any.</summary>
    void MapEndpoints(IEndpointRouteBuilder endpoints);
}
