using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Soak;

/// <summary>
/// <c>sieve soak</c>: Ingest, the Minimizer and the Sink as separate processes under the load generator's units and
/// gateways, a random one SIGKILLed and restarted every 20 to 60 s (<c>--kill-every</c>); then checks from outside that nothing
/// acknowledged, consumed or forwarded was lost or landed twice, and that no identifier left the raw zone.
/// </summary>
public sealed class SoakCommand(CliSession session) : SieveCommand<SoakSettings>(session)
{
    /// <summary>Usage text.</summary>
    public static string Usage => $"""
        Usage: sieve soak [--minutes M] [--kill-every MIN-MAX] [--vehicles N] [--visitors N] [--seed N] [--dir DIR]
                          [--services DIR] [--report FILE]

        Runs Ingest, the Minimizer and the Sink as separate processes (Kafka is librdkafka's mock cluster in this
        process, Redis a redis-server it starts) under the load generator's units and gateways, and SIGKILLs a random
        one every MIN to MAX seconds, starting it again at once. After the load it drains, stops the services and
        checks from outside that every acknowledged record reached the raw topic, every raw input was audited, every
        forwarded record landed in the lake exactly once, and no identifier appears in any output, log or metric.
        Prints one report; exit code 0 when every check passed, 1 otherwise (see src/Commands/Soak/README.md).

        Options:
          --minutes M           how long the load runs, 0.1 to 1440, decimals allowed (default {SoakOptions.DefaultMinutes})
          --kill-every MIN-MAX  pause between kills in seconds, drawn anew each time
                                (default {SoakOptions.DefaultKillMinSeconds}-{SoakOptions.DefaultKillMaxSeconds})
          --vehicles N          simulated vehicles over Teltonika TCP, 1 to 10000 (default {SoakOptions.DefaultVehicles})
          --visitors N          simulated Wi-Fi visitors, 0 to 100000 (default {SoakOptions.DefaultVisitors})
          --seed N              seed of the population, the load and the kills (default {SoakOptions.DefaultSeed})
          --dir DIR             the work folder, kept afterwards: logs, lake, keys (default: a new temporary folder)
          --services DIR        where Sieve.Ingest.dll, Sieve.Minimizer.dll and Sieve.Sink.dll are
                                (default: this source tree's build)
          --report FILE         also write the report to FILE

        Example:
          sieve soak --minutes 30 --report soak.txt
        """;

    /// <summary>Name of the command.</summary>
    public const string Name = "soak";

    /// <summary>One-line summary for <c>sieve --help</c>.</summary>
    public const string Summary = "run the three services as processes under load, SIGKILL one every 20-60 s, then check nothing was lost or leaked";

    /// <summary>Runs the soak; 0 when it passed, 1 when it found a loss, a duplicate or a leak.</summary>
    protected override async Task<int> RunAsync(SoakSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        SoakResult result = await new SoakRun(settings.Options, line => PlainText.WriteLine(Console, line)).RunAsync(cancellationToken).ConfigureAwait(false);
        string report = SoakReport.Format(result);
        foreach (string line in report.TrimEnd().Split(Environment.NewLine))
        {
            PlainText.WriteLine(Console, line);
        }
        if (settings.Report is { } file)
        {
            await File.WriteAllTextAsync(file, report, cancellationToken).ConfigureAwait(false);
        }

        return result.Passed ? ExitCodes.Ok : ExitCodes.Failure;
    }
}

/// <summary>The options of <c>sieve soak</c>, checked into <see cref="SoakOptions"/>.</summary>
public sealed class SoakSettings : SieveSettings
{
    /// <summary><c>--minutes M</c> as given (decimals allowed).</summary>
    [CommandOption("--minutes <M>")]
    public string? Minutes { get; init; }

    /// <summary><c>--kill-every MIN-MAX</c> seconds, as given.</summary>
    [CommandOption("--kill-every <MIN-MAX>")]
    public string? KillEvery { get; init; }

    /// <summary><c>--vehicles N</c> as given.</summary>
    [CommandOption("--vehicles <N>")]
    public string? Vehicles { get; init; }

    /// <summary><c>--visitors N</c> as given.</summary>
    [CommandOption("--visitors <N>")]
    public string? Visitors { get; init; }

    /// <summary><c>--seed N</c> as given.</summary>
    [CommandOption("--seed <N>")]
    public string? Seed { get; init; }

    /// <summary><c>--dir DIR</c>: the work folder (logs, lake, keys), kept afterwards.</summary>
    [CommandOption("--dir <DIR>")]
    public string? Dir { get; init; }

    /// <summary><c>--services DIR</c>: where Sieve.Ingest.dll, Sieve.Minimizer.dll and Sieve.Sink.dll are.</summary>
    [CommandOption("--services <DIR>")]
    public string? Services { get; init; }

    /// <summary><c>--report FILE</c>: also write the report there.</summary>
    [CommandOption("--report <FILE>")]
    public string? Report { get; init; }

    internal SoakOptions Options { get; } = new();

    /// <inheritdoc/>
    protected override string CommandName => SoakCommand.Name;

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        SoakOptions o = Options;
        int value;
        if (Minutes is not null)
        {
            if (!double.TryParse(Minutes, NumberStyles.Float, CultureInfo.InvariantCulture, out double minutes) || minutes < 0.1 || minutes > 1440)
            {
                return ValidationResult.Error("--minutes needs a number from 0.1 to 1440");
            }

            o.Duration = TimeSpan.FromMinutes(minutes);
        }

        if (KillEvery is not null)
        {
            int dash = KillEvery.IndexOf('-', StringComparison.Ordinal);
            if (dash <= 0 || !TryInt(KillEvery[..dash], 1, 3600, out int min) || !TryInt(KillEvery[(dash + 1)..], min, 3600, out int max))
            {
                return ValidationResult.Error("--kill-every needs MIN-MAX seconds, e.g. 20-90, with 1 <= MIN <= MAX <= 3600");
            }

            o.KillMin = TimeSpan.FromSeconds(min);
            o.KillMax = TimeSpan.FromSeconds(max);
        }

        if (Vehicles is not null)
        {
            if (!TryInt(Vehicles, 1, 10_000, out value)) { return ValidationResult.Error("--vehicles needs a whole number from 1 to 10000"); }
            o.Vehicles = value;
        }

        if (Visitors is not null)
        {
            if (!TryInt(Visitors, 0, 100_000, out value)) { return ValidationResult.Error("--visitors needs a whole number from 0 to 100000"); }
            o.Visitors = value;
        }

        if (Seed is not null)
        {
            if (!TryInt(Seed, int.MinValue, int.MaxValue, out value)) { return ValidationResult.Error("--seed needs a whole number"); }
            o.Seed = value;
        }

        if (Dir is not null)
        {
            o.Directory = Path.GetFullPath(Dir);
            Directory.CreateDirectory(o.Directory);
        }

        o.Services = Services is null ? null : Path.GetFullPath(Services);
        return ValidationResult.Success();
    }
}
