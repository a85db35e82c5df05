using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Sieve.Hosting.Ingest;

/// <summary>
/// An <see cref="IIngestModule"/> made of plain methods, so a module that exposes, say,
/// <c>AddTeltonikaIngest(IServiceCollection, IConfiguration)</c> and <c>MapTeltonika(KestrelServerOptions, IConfiguration)</c>
/// joins the service with one line in the Ingest service's module list.
/// </summary>
/// <param name="name">A short name for logs.</param>
/// <param name="addServices">Registers services; null for none.</param>
/// <param name="configureKestrel">Adds listeners; null for none.</param>
/// <param name="mapEndpoints">Maps HTTP endpoints; null for none.</param>
public sealed class DelegateIngestModule(
    string name,
    Action<IServiceCollection, IConfiguration>? addServices = null,
    Action<KestrelServerOptions, IConfiguration>? configureKestrel = null,
    Action<IEndpointRouteBuilder>? mapEndpoints = null) : IIngestModule
{
    /// <inheritdoc />
    public string Name { get; } = name;

    /// <inheritdoc />
    public void AddServices(IServiceCollection services, IConfiguration configuration) => addServices?.Invoke(services, configuration);

    /// <inheritdoc />
    public void ConfigureKestrel(KestrelServerOptions options, IConfiguration configuration) => configureKestrel?.Invoke(options, configuration);

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder endpoints) => mapEndpoints?.Invoke(endpoints);
}
