using Sieve.Simulation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Demo;

/// <summary>Command-line options of <c>sieve demo</c>.</summary>
public sealed class DemoOptions : SieveSettings
{
    private const string SecondsProblem = "--seconds needs a whole number from 1 to 86400, e.g. --seconds 30";
    private const string RateProblem = "--rate needs a whole number of events per second from 1 to 1000000";
    private const string VehiclesProblem = "--vehicles needs a whole number from 1 to 1000000";
    private const string VisitorsProblem = "--visitors needs a whole number from 1 to 1000000";
    private const string SummaryJsonProblem = "--summary-json needs a file path";
    private const string FormatProblem = "--format needs single-object or confluent, e.g. --format confluent";
    private const string CityProblem = "--city needs a whole number of vehicles from 0 (no privacy measurement) to 100000, e.g. --city 2000";

    /// <summary>Seconds of load when <c>--seconds</c> is not given.</summary>
    public const int DefaultSeconds = 30;

    /// <summary>Events per second when <c>--rate</c> is not given.</summary>
    public const int DefaultRate = 2000;

    /// <summary>Vehicles of the measured city when <c>--city</c> is not given.</summary>
    public const int DefaultCityVehicles = 2_000;

    /// <summary>Vehicles of the simulated city whose day the demo measures at its end (0: none).</summary>
    public int CityVehicles { get; set; } = DefaultCityVehicles;

    /// <summary>How long events are generated.</summary>
    public int Seconds { get; set; } = DefaultSeconds;

    /// <summary>Raw events per second offered.</summary>
    public int Rate { get; set; } = DefaultRate;

    /// <summary>Where to write the summary as JSON, if anywhere (<c>--summary-json FILE</c>).</summary>
    [CommandOption("--summary-json <FILE>")]
    public string? SummaryJson { get; set; }

    /// <summary>Print plain progress lines instead of a live table (<c>--plain</c>).</summary>
    [CommandOption("--plain")]
    public bool Plain { get; set; }

    /// <summary>Use the in-process consent store even when redis-server is installed (<c>--in-memory</c>).</summary>
    [CommandOption("--in-memory")]
    public bool InMemory { get; set; }

    /// <summary><c>--seconds N</c> as given; checked into <see cref="Seconds"/>.</summary>
    [CommandOption("--seconds <N>")]
    public string? SecondsText { get; init; }

    /// <summary><c>--rate N</c> as given; checked into <see cref="Rate"/>.</summary>
    [CommandOption("--rate <N>")]
    public string? RateText { get; init; }

    /// <summary><c>--vehicles N</c> as given; checked into the fleet's vehicles.</summary>
    [CommandOption("--vehicles <N>")]
    public string? VehiclesText { get; init; }

    /// <summary><c>--visitors N</c> as given; checked into the fleet's visitors.</summary>
    [CommandOption("--visitors <N>")]
    public string? VisitorsText { get; init; }

    /// <summary><c>--city N</c> as given; checked into <see cref="CityVehicles"/>.</summary>
    [CommandOption("--city <N>")]
    public string? CityText { get; init; }

    /// <summary><c>--format FORMAT</c> as given; checked into <see cref="Confluent"/>.</summary>
    [CommandOption("--format <FORMAT>")]
    public string? FormatText { get; init; }

    /// <summary>
    /// True for <c>--format confluent</c>: an embedded schema registry runs, outputs are written in Confluent framing
    /// and the direct feed writes its raw events so too; false (the default) writes Avro single-object encoding.
    /// </summary>
    public bool Confluent { get; set; }

    /// <summary>The simulated population.</summary>
    public FleetOptions Fleet { get; } = new();

    /// <summary>Usage text.</summary>
    public static string Usage => $"""
        Usage: sieve demo [--seconds N] [--rate EVENTS_PER_SECOND] [--vehicles N] [--visitors N]
                          [--city N] [--format single-object|confluent] [--summary-json FILE] [--plain] [--in-memory]

        Runs the whole pipeline in one process with no outside services: librdkafka's mock cluster as Kafka,
        redis-server for consent when installed (else an in-process store), Ingest, the Minimizer and the
        consent loader, fed by a simulated fleet and dealer Wi-Fi visitors. Shows a live table, then a summary.
        Then drives one simulated day of a city (nobody consenting) through the same Minimizer stages and prints
        the re-identification attack suite's figures for what analytics released (as sieve privacy does).

        Options:
          --seconds N          how long the load runs (default {DefaultSeconds})
          --rate N             events offered per second (default {DefaultRate})
          --vehicles N         simulated vehicles (default {FleetOptions.DefaultVehicles})
          --visitors N         simulated Wi-Fi visitors (default {FleetOptions.DefaultVisitors})
          --city N             vehicles of the simulated city measured at the end (default {DefaultCityVehicles}; 0 skips it)
          --format F           wire format of the outputs: single-object (default, no registry) or confluent
                               (an embedded schema registry; Confluent framing, as Kafka Connect and ksqlDB read)
          --summary-json FILE  also write the summary counts as JSON to FILE
          --plain              progress lines instead of the live table
          --in-memory          in-process consent store even when redis-server is installed

        Example:
          sieve demo --seconds 30
        """;

    /// <inheritdoc/>
    protected override string CommandName => DemoCommand.Name;

    /// <inheritdoc/>
    public override string? MissingValueProblem(string option) => option switch
    {
        "--seconds" => SecondsProblem,
        "--rate" => RateProblem,
        "--vehicles" => VehiclesProblem,
        "--visitors" => VisitorsProblem,
        "--summary-json" => SummaryJsonProblem,
        "--city" => CityProblem,
        "--format" => FormatProblem,
        _ => null,
    };

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        int value;
        if (SecondsText is not null)
        {
            if (!TryInt(SecondsText, 1, 86_400, out value)) { return ValidationResult.Error(SecondsProblem); }
            Seconds = value;
        }

        if (RateText is not null)
        {
            if (!TryInt(RateText, 1, 1_000_000, out value)) { return ValidationResult.Error(RateProblem); }
            Rate = value;
        }

        if (VehiclesText is not null)
        {
            if (!TryInt(VehiclesText, 1, 1_000_000, out value)) { return ValidationResult.Error(VehiclesProblem); }
            Fleet.Vehicles = value;
        }

        if (VisitorsText is not null)
        {
            if (!TryInt(VisitorsText, 1, 1_000_000, out value)) { return ValidationResult.Error(VisitorsProblem); }
            Fleet.Visitors = value;
        }

        if (CityText is not null)
        {
            if (!TryInt(CityText, 0, 100_000, out value)) { return ValidationResult.Error(CityProblem); }
            CityVehicles = value;
        }

        if (FormatText is not null)
        {
            if (FormatText is not ("confluent" or "single-object")) { return ValidationResult.Error(FormatProblem); }
            Confluent = FormatText == "confluent";
        }

        return SummaryJson is not null && string.IsNullOrWhiteSpace(SummaryJson) ? ValidationResult.Error(SummaryJsonProblem) : ValidationResult.Success();
    }
}
