using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Bench;

/// <summary>Command-line options of <c>sieve bench</c>.</summary>
public sealed class BenchOptions : SieveSettings
{
    private const string EventsProblem = "--events needs a whole number from 1000 to 50000000";
    private const string PartitionsProblem = "--partitions needs a whole number from 1 to 1000";
    private const string RateProblem = "--rate needs a whole number of inputs per second from 100 to 10000000";
    private const string BootstrapProblem = "--bootstrap needs HOST:PORT of a Kafka broker";
    private const string JsonProblem = "--json needs a file path";

    /// <summary>Usage text.</summary>
    public const string Usage =
        "usage: sieve bench [--events N] [--partitions N] [--rate EVENTS_PER_SECOND] [--bootstrap HOST:PORT] [--json FILE]";

    /// <summary>Longest the paced run lasts; it sends <c>min(events, rate x this)</c> inputs.</summary>
    public const int PacedSeconds = 10;

    /// <summary>Raw inputs pre-generated and put through both throughput runs.</summary>
    public int Events { get; set; } = 200_000;

    /// <summary>Partitions of each input and output topic.</summary>
    public int Partitions { get; set; } = 32;

    /// <summary>Inputs per second offered in the paced (latency) run; null: half the measured minimizer rate.</summary>
    public int? Rate { get; set; }

    /// <summary>A real Kafka cluster; null starts librdkafka's mock cluster in-process.</summary>
    public string? Bootstrap { get; set; }

    /// <summary>Where to write the report as JSON, if anywhere.</summary>
    public string? Json { get; set; }

    /// <summary>Vehicles of the synthetic population.</summary>
    public int Vehicles { get; set; } = 5_000;

    /// <summary>Dealer Wi-Fi visitors of the synthetic population.</summary>
    public int Visitors { get; set; } = 2_000;

    /// <summary>Random seed of the population and its events.</summary>
    public int Seed { get; set; } = 2026;

    /// <summary><c>--events N</c> as given; checked into <see cref="Events"/>.</summary>
    [CommandOption("--events <N>")]
    public string? EventsText { get; init; }

    /// <summary><c>--partitions N</c> as given; checked into <see cref="Partitions"/>.</summary>
    [CommandOption("--partitions <N>")]
    public string? PartitionsText { get; init; }

    /// <summary><c>--rate N</c> as given; checked into <see cref="Rate"/>.</summary>
    [CommandOption("--rate <N>")]
    public string? RateText { get; init; }

    /// <summary><c>--bootstrap HOST:PORT</c> as given; checked into <see cref="Bootstrap"/>.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string? BootstrapText { get; init; }

    /// <summary><c>--json FILE</c> as given; checked into <see cref="Json"/>.</summary>
    [CommandOption("--json <FILE>")]
    public string? JsonText { get; init; }

    /// <inheritdoc/>
    protected override string CommandName => BenchCommand.Name;

    /// <inheritdoc/>
    public override string? MissingValueProblem(string option) => option switch
    {
        "--events" => EventsProblem,
        "--partitions" => PartitionsProblem,
        "--rate" => RateProblem,
        "--bootstrap" => BootstrapProblem,
        "--json" => JsonProblem,
        _ => null,
    };

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        int value;
        if (EventsText is not null)
        {
            if (!TryInt(EventsText, 1_000, 50_000_000, out value)) { return ValidationResult.Error(EventsProblem); }
            Events = value;
        }

        if (PartitionsText is not null)
        {
            if (!TryInt(PartitionsText, 1, 1_000, out value)) { return ValidationResult.Error(PartitionsProblem); }
            Partitions = value;
        }

        if (RateText is not null)
        {
            if (!TryInt(RateText, 100, 10_000_000, out value)) { return ValidationResult.Error(RateProblem); }
            Rate = value;
        }

        if (BootstrapText is not null)
        {
            if (string.IsNullOrWhiteSpace(BootstrapText)) { return ValidationResult.Error(BootstrapProblem); }
            Bootstrap = BootstrapText;
        }

        if (JsonText is not null)
        {
            if (string.IsNullOrWhiteSpace(JsonText)) { return ValidationResult.Error(JsonProblem); }
            Json = JsonText;
        }

        return ValidationResult.Success();
    }
}
