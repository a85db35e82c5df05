using Microsoft.AspNetCore.Builder;
using Sieve.Observability;
using Sieve.Sink.Hosting;

namespace Sieve.Sink;

/// <summary>Entry point of the Sink service.</summary>
public static class Program
{
    /// <summary>Exit code when a setting is missing or wrong.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>
    /// Starts the service. Configuration comes from appsettings.json beside the binary, environment variables
    /// (<c>Sink__Root</c>) and the command line (<c>--Sink:Root=/data/lake</c>); it is validated before anything
    /// connects, and an error is one line naming the key at fault.
    /// </summary>
    public static int Main(string[] args)
    {
        WebApplication app;
        try
        {
            app = SinkHost.Build(new SinkHostOptions { Args = args });
        }
        catch (Exception e) when (e is SinkSettingsException or OpsSettingsException)
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
