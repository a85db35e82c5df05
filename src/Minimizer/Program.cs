using Microsoft.AspNetCore.Builder;
using Sieve.Contracts.Pseudonymization;
using Sieve.Minimizer.Hosting;
using Sieve.Minimizer.Policy;
using Sieve.Observability;

namespace Sieve.Minimizer;

/// <summary>Entry point of the Minimizer service.</summary>
public static class Program
{
    /// <summary>Exit code when a setting is missing or wrong.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>
    /// Starts the service. Configuration comes from appsettings.json beside the binary, environment variables
    /// (<c>Kafka__BootstrapServers</c>) and the command line (<c>--Kafka:BootstrapServers=...</c>); it is validated
    /// before anything connects, and an error is one line naming the key at fault.
    /// </summary>
    public static int Main(string[] args)
    {
        WebApplication app;
        try
        {
            app = MinimizerHost.Build(new MinimizerHostOptions { Args = args });
        }
        catch (Exception e) when (e is SettingsException or PolicyValidationException or KeyRingException or OpsSettingsException)
        {
            Console.Error.WriteLine("Configuration error: " + e.Message);
            return ConfigurationErrorExitCode;
        }

        using (app)
        {
            app.Run();
        }

        return Environment.ExitCode;
    }
}
