using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Devices;
using Sieve.Core.Policy;
using Sieve.Hosting.Configuration;

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
            return Report(e);
        }

        using (app)
        {
            try
            {
                // Services made when the host starts (say, a device registry read from its file) can still find a wrong setting.
                app.Start();
            }
            catch (Exception e) when (IsConfigurationError(e))
            {
                return Report(e);
            }

            app.WaitForShutdown();
        }

        return Environment.ExitCode;
    }

    /// <summary>
    /// True for the exceptions that report a wrong or missing setting (their messages name the key or the file
    /// position, never the value): <see cref="SettingsException"/>, and the policy, key-ring and device-registry file errors.
    /// </summary>
    public static bool IsConfigurationError(Exception e) =>
        e is SettingsException or PolicyValidationException or KeyRingException or DeviceRegistryFormatException;

    /// <summary>The one line a configuration error is reported as: the key at fault first, as for every setting.</summary>
    public static string Describe(Exception e) => e switch
    {
        KeyRingException => "Keys:Path: " + e.Message,
        PolicyValidationException => "Policy:Path: " + e.Message,
        DeviceRegistryFormatException => "Devices:Path: " + e.Message,
        _ => e.Message,
    };

    private static int Report(Exception e)
    {
        Console.Error.WriteLine("Configuration error: " + Describe(e));
        return ConfigurationErrorExitCode;
    }
}
