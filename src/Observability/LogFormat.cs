using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Sieve.Observability;

/// <summary>
/// <c>Logging:Format</c>, the same in every service: <c>simple</c> (the default; one line per entry) or <c>json</c>
/// (one JSON object per entry, with the message template's values as separate properties).
/// </summary>
public static class LogFormat
{
    /// <summary>The configuration key.</summary>
    public const string Key = "Logging:Format";

    /// <summary>Replaces the console providers of <paramref name="logging"/> with the one <paramref name="configuration"/> names.</summary>
    /// <exception cref="OpsSettingsException">The value is neither <c>simple</c> nor <c>json</c>.</exception>
    public static void Configure(ILoggingBuilder logging, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        string? format = configuration[Key];
        logging.ClearProviders();
        if (string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
        }
        else if (string.IsNullOrWhiteSpace(format) || string.Equals(format, "simple", StringComparison.OrdinalIgnoreCase))
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
            });
        }
        else
        {
            throw new OpsSettingsException(Key + ": must be simple or json.");
        }
    }
}
