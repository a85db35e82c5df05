using Microsoft.AspNetCore.Builder;
using Sieve.Ingest.Gateways;
using Sieve.Ingest.Hosting;
using Sieve.Ingest.Teltonika.Hosting;

namespace Sieve.Ingest;

/// <summary>Entry point of the Ingest service.</summary>
public static class Program
{
    /// <summary>Exit code when a setting is missing or wrong.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>
    /// The ways data enters the service. Adding one is one line here: a module class, or a
    /// <see cref="DelegateIngestModule"/> over a module's registration and listener methods.
    /// </summary>
    public static IReadOnlyList<IIngestModule> Modules() =>
    [
        GatewayIngestModule.Instance,
        new DelegateIngestModule("teltonika", (s, c) => s.AddTeltonikaIngest(c), (k, c) => k.MapTeltonika(c)),
    ];

    /// <summary>
    /// Starts the service. Configuration comes from appsettings.json beside the binary, environment variables
    /// (<c>Kafka__BootstrapServers</c>) and the command line (<c>--Kafka:BootstrapServers=...</c>); it is validated
    /// before anything listens, and an error names the key at fault.
    /// </summary>
    public static int Main(string[] args)
    {
        WebApplication app;
        try
        {
            app = IngestHost.Build(new IngestHostOptions { Args = args, Modules = Modules() });
        }
        catch (Exception e) when (e is SettingsException or TeltonikaConfigurationException or Sieve.Contracts.Pseudonymization.KeyRingException or Sieve.Observability.OpsSettingsException)
        {
            Console.Error.WriteLine("Configuration error: " + e.Message);
            return ConfigurationErrorExitCode;
        }

        using (app)
        {
            app.Run();
        }

        return 0;
    }
}
