using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sieve.Minimizer.Hosting;

namespace Sieve.Minimizer;

/// <summary>Entry point of the Minimizer service.</summary>
public static class Program
{
    /// <summary>
    /// Starts the service. Configuration comes from appsettings.json beside the binary, environment variables
    /// (<c>Kafka__BootstrapServers</c>) and the command line (<c>--Kafka:BootstrapServers=...</c>).
    /// </summary>
    public static int Main(string[] args)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.ClearProviders().AddJsonConsole();
        }
        else
        {
            builder.Logging.ClearProviders().AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }

        builder.Services.AddHostedService<MinimizerService>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        using IHost host = builder.Build();
        host.Run();
        return Environment.ExitCode;
    }
}
