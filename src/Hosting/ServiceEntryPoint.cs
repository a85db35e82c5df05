using Microsoft.AspNetCore.Builder;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Configuration;
using Sieve.Core.Policy;
using Sieve.Core.Teltonika.Server;
using Sieve.Hosting.Observability;
using Sieve.Hosting.Sink;

namespace Sieve.Hosting;

/// <summary>
/// What every service's <c>Main</c> does: build the host, and on a configuration error print one line and exit
/// with <see cref="ConfigurationErrorExitCode"/> before anything listens or connects; otherwise run until stopped.
/// </summary>
public static class ServiceEntryPoint
{
    /// <summary>Exit code when a setting is missing or wrong.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>Builds the host with <paramref name="build"/> and runs it; returns the process exit code.</summary>
    public static int Run(Func<WebApplication> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        WebApplication app;
        try
        {
            app = build();
        }
        catch (Exception e) when (IsConfigurationError(e))
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

    /// <summary>True for the exceptions that report a wrong or missing setting (their messages name the key, never the value).</summary>
    public static bool IsConfigurationError(Exception e) =>
        e is SettingsException or Minimizer.SettingsException or SinkSettingsException or TeltonikaConfigurationException
            or PolicyValidationException or KeyRingException or OpsSettingsException;
}
