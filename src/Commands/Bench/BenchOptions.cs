using System.Globalization;

namespace Sieve.Commands.Bench;

/// <summary>Command-line options of <c>sieve bench</c>.</summary>
public sealed class BenchOptions
{
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

    /// <summary>True when <c>--help</c> or <c>-h</c> was given.</summary>
    public bool HelpRequested { get; private set; }

    /// <summary>Parses <paramref name="args"/>; returns null with <paramref name="error"/> set when they are wrong.</summary>
    public static BenchOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new BenchOptions();
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a is "--help" or "-h")
            {
                o.HelpRequested = true;
                return o;
            }

            string? value = i + 1 < args.Count ? args[++i] : null;
            switch (a)
            {
                case "--events":
                    if (!TryInt(value, 1_000, 50_000_000, out int events)) { error = "--events needs a whole number from 1000 to 50000000"; return null; }
                    o.Events = events;
                    break;
                case "--partitions":
                    if (!TryInt(value, 1, 1_000, out int partitions)) { error = "--partitions needs a whole number from 1 to 1000"; return null; }
                    o.Partitions = partitions;
                    break;
                case "--rate":
                    if (!TryInt(value, 100, 10_000_000, out int rate)) { error = "--rate needs a whole number of inputs per second from 100 to 10000000"; return null; }
                    o.Rate = rate;
                    break;
                case "--bootstrap":
                    if (string.IsNullOrWhiteSpace(value) || value.StartsWith("--", StringComparison.Ordinal)) { error = "--bootstrap needs HOST:PORT of a Kafka broker"; return null; }
                    o.Bootstrap = value;
                    break;
                case "--json":
                    if (string.IsNullOrWhiteSpace(value) || value.StartsWith("--", StringComparison.Ordinal)) { error = "--json needs a file path"; return null; }
                    o.Json = value;
                    break;
                default:
                    error = "unknown option '" + a + "'; run 'sieve bench --help' for the options";
                    return null;
            }
        }

        return o;
    }

    private static bool TryInt(string? text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
