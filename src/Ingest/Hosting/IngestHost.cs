using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Sieve.Ingest.Publishing;

namespace Sieve.Ingest.Hosting;

/// <summary>
/// Builds the Ingest web application: configuration from appsettings.json, environment variables and the command
/// line; shared settings validated at start-up; the raw-event publisher; the HTTP listeners of
/// <c>Ingest:Http:Urls</c>; <c>GET /healthz</c>; and every <see cref="IIngestModule"/>.
/// </summary>
public static class IngestHost
{
    /// <summary>Path of the liveness endpoint.</summary>
    public const string HealthPath = "/healthz";

    private static readonly byte[] HealthyBody = Encoding.ASCII.GetBytes("ok");

    /// <summary>Builds (does not start) the application.</summary>
    /// <exception cref="SettingsException">A setting is missing or wrong; the message names the key.</exception>
    public static WebApplication Build(IngestHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = options.Args,
            ContentRootPath = options.ContentRootPath ?? AppContext.BaseDirectory,
        });
        ConfigureLogging(builder);
        options.ConfigureBuilder?.Invoke(builder);

        IngestSettings settings = IngestSettings.From(builder.Configuration);
        builder.Services.AddSingleton(settings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton(services => new RawEventPublisher(
            settings.Publisher, services.GetRequiredService<ILoggerFactory>().CreateLogger("Sieve.Ingest.Publishing")));
        foreach (IIngestModule module in options.Modules)
        {
            module.AddServices(builder.Services, builder.Configuration);
        }

        IReadOnlyList<IIngestModule> modules = options.Modules;
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            kestrel.AddServerHeader = false;
            foreach (HttpListenAddress listener in settings.HttpListeners)
            {
                listener.Bind(kestrel);
            }

            foreach (IIngestModule module in modules)
            {
                module.ConfigureKestrel(kestrel, context.Configuration);
            }
        });

        WebApplication app = builder.Build();
        app.MapGet(HealthPath, WriteHealthyAsync);
        foreach (IIngestModule module in modules)
        {
            module.MapEndpoints(app);
        }

        return app;
    }

    private static Task WriteHealthyAsync(HttpContext context)
    {
        context.Response.ContentType = "text/plain";
        return context.Response.Body.WriteAsync(HealthyBody, context.RequestAborted).AsTask();
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole();
        }
        else
        {
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
    }
}
