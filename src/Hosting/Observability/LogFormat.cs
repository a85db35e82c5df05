using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Sieve.Hosting.Observability;

/// <summary>
/// <c>Logging:Format</c>, the same in every service: <c>simple</c> (the default; one line per entry) or <c>json</c>
/// (one JSON object per entry, with the message template's values as separate properties).
/// </summary>
public static class LogFormat
{
    /// <summary>The configuration key.</summary>
    public const string Key = "Logging:Format";

    /// <summary>
    /// Replaces the providers of <paramref name="logging"/> with the console, in the format
    /// <paramref name="configuration"/> names when the host is built (so sources added later still count).
    /// </summary>
    public static void Configure(ILoggingBuilder logging, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        logging.ClearProviders();
        logging.AddConsole();
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.FormatterName = IsJson(configuration) ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple);
        logging.Services.Configure<JsonConsoleFormatterOptions>(o =>
        {
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        });
        logging.Services.Configure<SimpleConsoleFormatterOptions>(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
    }

    /// <summary>Checks the value; call it once every configuration source is added.</summary>
    /// <exception cref="OpsSettingsException">The value is neither <c>simple</c> nor <c>json</c>.</exception>
    public static void Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? format = configuration[Key];
        if (!string.IsNullOrWhiteSpace(format) && !IsJson(configuration) && !string.Equals(format, "simple", StringComparison.OrdinalIgnoreCase))
        {
            throw new OpsSettingsException(Key + ": must be simple or json.");
        }
    }

    private static bool IsJson(IConfiguration configuration) => string.Equals(configuration[Key], "json", StringComparison.OrdinalIgnoreCase);
}
