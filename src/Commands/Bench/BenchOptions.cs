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
    private const string LevelsProblem = "--levels needs up to 8 whole percents from 1 to 100, separated by commas (e.g. 10,25,50,75)";
    private const string BatchPolicyProblem = "--batch-policy needs adaptive or linger";

    /// <summary>Raw inputs put through both throughput runs when <c>--events</c> is not given.</summary>
    public const int DefaultEvents = 200_000;

    /// <summary>Partitions of each topic when <c>--partitions</c> is not given.</summary>
    public const int DefaultPartitions = 32;

    /// <summary>The paced levels, in percent of the measured minimizer rate, when neither <c>--levels</c> nor <c>--rate</c> is given.</summary>
    public static IReadOnlyList<int> DefaultLevels { get; } = [10, 25, 50, 75];

    /// <summary>How the engines close their batches when <c>--batch-policy</c> is not given.</summary>
    public const Sieve.Core.Engine.BatchPolicy DefaultBatchPolicy = Sieve.Core.Engine.BatchPolicy.Adaptive;

    /// <summary>Usage text.</summary>
    public static string Usage => $"""
        Usage: sieve bench [--events N] [--partitions N] [--levels P,P,...] [--rate EVENTS_PER_SECOND]
                           [--batch-policy adaptive|linger] [--bootstrap HOST:PORT] [--json FILE]

        Measures the minimizer end to end through Kafka against a raw pass-through on the same cluster, the same
        pre-produced inputs and the same client settings: inputs per second of each and their ratio, then paced
        levels for latency (p50, p99, a per-stage breakdown) and bytes per input, then the same levels through the
        pass-through, which is the cluster's and the machine's own latency at each rate. Every input must be
        accounted for in the audit records and the outputs read back, or the run is void (exit code 1).

        Options:
          --events N               raw inputs put through both throughput runs, 1000 to 50000000 (default {DefaultEvents})
          --partitions N           partitions of each input and output topic, 1 to 1000 (default {DefaultPartitions})
          --levels P,P,...         paced levels in percent of the measured minimizer rate, up to 8
                                   (default {string.Join(',', DefaultLevels)})
          --rate N                 instead of --levels, one paced level at N inputs per second, 100 to 10000000
                                   (default: none, the levels are run)
          --batch-policy POLICY    how the engines close their batches: adaptive or linger (default {DefaultBatchPolicy.ToString().ToLowerInvariant()})
          --bootstrap HOST:PORT    a real Kafka cluster (default: librdkafka's mock cluster, in-process)
          --json FILE              also write the report as JSON to FILE

        Example:
          sieve bench --events 200000 --json bench.json
        """;

    /// <summary>Longest one paced level lasts; it sends <c>min(events, rate x this)</c> inputs.</summary>
    public const int PacedSeconds = 4;

    /// <summary>Raw inputs pre-generated and put through both throughput runs.</summary>
    public int Events { get; set; } = DefaultEvents;

    /// <summary>Partitions of each input and output topic.</summary>
    public int Partitions { get; set; } = DefaultPartitions;

    /// <summary>Inputs per second offered in a single paced (latency) level; null: one level per <see cref="Levels"/>.</summary>
    public int? Rate { get; set; }

    /// <summary>The paced levels as percents of the measured minimizer rate, run in this order.</summary>
    public IReadOnlyList<int> Levels { get; set; } = DefaultLevels;

    /// <summary>How the engines close their batches.</summary>
    public Sieve.Core.Engine.BatchPolicy BatchPolicy { get; set; } = DefaultBatchPolicy;

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

    /// <summary><c>--levels P,P,...</c> as given; checked into <see cref="Levels"/>.</summary>
    [CommandOption("--levels <PERCENTS>")]
    public string? LevelsText { get; init; }

    /// <summary><c>--batch-policy adaptive|linger</c> as given; checked into <see cref="BatchPolicy"/>.</summary>
    [CommandOption("--batch-policy <POLICY>")]
    public string? BatchPolicyText { get; init; }

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
        "--levels" => LevelsProblem,
        "--batch-policy" => BatchPolicyProblem,
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

        if (LevelsText is not null)
        {
            string[] parts = LevelsText.Split(',', StringSplitOptions.TrimEntries);
            var levels = new List<int>(parts.Length);
            foreach (string part in parts)
            {
                if (levels.Count == 8 || !TryInt(part, 1, 100, out value)) { return ValidationResult.Error(LevelsProblem); }
                levels.Add(value);
            }

            Levels = levels;
        }

        if (BatchPolicyText is not null)
        {
            if (!Enum.TryParse(BatchPolicyText, ignoreCase: true, out Sieve.Core.Engine.BatchPolicy policy) || !Enum.IsDefined(policy)
                || int.TryParse(BatchPolicyText, out _))
            {
                return ValidationResult.Error(BatchPolicyProblem);
            }

            BatchPolicy = policy;
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
