using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Sieve.Hosting.Observability;

/// <summary>
/// The web application set-up every service shares: configuration from appsettings.json, environment variables and
/// the command line, the log format, and the operations listener. Each service adds its own settings and services.
/// </summary>
public static class ServiceHostBuilder
{
    /// <summary>
    /// Creates the builder with <c>Logging:Format</c> applied. <paramref name="configureBuilder"/> runs after logging
    /// is set up and before <c>Logging:Format</c> is validated, so sources it adds count.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="contentRootPath">The directory holding <c>appsettings.json</c>; the binary's directory when null.</param>
    /// <param name="configureBuilder">Adds configuration sources or logging providers (tests do); may be null.</param>
    /// <exception cref="OpsSettingsException"><c>Logging:Format</c> is wrong.</exception>
    public static WebApplicationBuilder Create(string[] args, string? contentRootPath, Action<WebApplicationBuilder>? configureBuilder)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = contentRootPath ?? AppContext.BaseDirectory,
        });
        LogFormat.Configure(builder.Logging, builder.Configuration);
        configureBuilder?.Invoke(builder);
        LogFormat.Validate(builder.Configuration);
        return builder;
    }

    /// <summary>
    /// Sets how long a stop may take and makes Kestrel listen only on the operations listeners of
    /// <paramref name="ops"/>, without a <c>Server</c> header.
    /// </summary>
    public static void UseOpsListener(WebApplicationBuilder builder, OpsSettings ops, TimeSpan shutdownTimeout)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(ops);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            OpsEndpoints.BindListeners(kestrel, ops);
        });
    }
}
