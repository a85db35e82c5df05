using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sieve.Hosting.Configuration;

namespace Sieve.Hosting.Observability;

/// <summary>
/// The web application set-up every service shares: configuration from appsettings.json, environment variables and
/// the command line, the log format, the operations listener, and the validation of every setting when the
/// application is built. Each service adds its own settings and services.
/// </summary>
public static class ServiceHostBuilder
{
    /// <summary>
    /// Creates the builder with <c>Logging:Format</c> applied. <paramref name="configureBuilder"/> runs after logging
    /// is set up and before any setting is read, so sources it adds count.
    /// </summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="contentRootPath">The directory holding <c>appsettings.json</c>; the binary's directory when null.</param>
    /// <param name="configureBuilder">Adds configuration sources or logging providers (tests do); may be null.</param>
    public static WebApplicationBuilder Create(string[] args, string? contentRootPath, Action<WebApplicationBuilder>? configureBuilder)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = contentRootPath ?? AppContext.BaseDirectory,
        });
        LogFormat.Configure(builder.Logging, builder.Configuration);

        // Kestrel's options are made while the application is built (and its listeners configured from settings), so
        // every setting is validated before the first listener is: a wrong one is then reported with all the others.
        builder.WebHost.ConfigureKestrel(kestrel => SettingsValidation.ValidateNow(kestrel.ApplicationServices));
        configureBuilder?.Invoke(builder);
        return builder;
    }

    /// <summary>
    /// Builds the application and validates every registered setting now, before anything listens or connects.
    /// This is where the options framework's validation errors become one <see cref="SettingsException"/>.
    /// </summary>
    /// <exception cref="SettingsException">A setting is missing or wrong; the message names the key, never the value.</exception>
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        WebApplication? app = null;
        try
        {
            SettingsValidation.Translate(() => app = builder.Build());
            SettingsValidation.ValidateNow(app!.Services);
            return app;
        }
        catch
        {
            (app as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sets how long a stop may take and makes Kestrel listen only on the operations listeners of
    /// <c>Metrics:Urls</c> (registered by <see cref="OpsEndpoints.AddOps"/>), without a <c>Server</c> header.
    /// </summary>
    public static void UseOpsListener(WebApplicationBuilder builder, TimeSpan shutdownTimeout)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            OpsEndpoints.BindListeners(kestrel, kestrel.ApplicationServices.GetRequiredService<OpsSettings>());
        });
    }
}
