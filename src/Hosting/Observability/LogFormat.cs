using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Sieve.Hosting.Configuration;

namespace Sieve.Hosting.Observability;

/// <summary><c>Logging:Format</c> as configured (section <c>Logging</c>).</summary>
public sealed class LogFormatOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Logging";

    /// <summary><c>Logging:Format</c>: <c>simple</c> (default) or <c>json</c>.</summary>
    public string? Format { get; set; }

    /// <summary>True for <c>json</c>.</summary>
    public bool IsJson => string.Equals(Format, "json", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when <see cref="Format"/> is unset, <c>simple</c> or <c>json</c>.</summary>
    public bool IsValid => string.IsNullOrWhiteSpace(Format) || IsJson || string.Equals(Format, "simple", StringComparison.OrdinalIgnoreCase);
}

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
    /// <paramref name="configuration"/> names when the host is built (so sources added later still count). The
    /// setting is validated on start like every other (<c>Logging:Format: must be simple or json.</c>).
    /// </summary>
    public static void Configure(ILoggingBuilder logging, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logging);
        ArgumentNullException.ThrowIfNull(configuration);
        logging.ClearProviders();
        logging.AddConsole();
        logging.Services.AddSettings<LogFormatOptions>(configuration, LogFormatOptions.Section)
            .Validate(o => o.IsValid, Key + ": must be simple or json.");
        logging.Services.AddOptions<ConsoleLoggerOptions>().Configure<IOptions<LogFormatOptions>>((o, format) =>
            o.FormatterName = format.Value.IsJson ? ConsoleFormatterNames.Json : ConsoleFormatterNames.Simple);
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
}
