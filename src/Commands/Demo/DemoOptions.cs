using System.Globalization;
using Sieve.Simulation;

namespace Sieve.Commands.Demo;

/// <summary>Command-line options of <c>sieve demo</c>.</summary>
public sealed class DemoOptions
{
    /// <summary>How long events are generated.</summary>
    public int Seconds { get; set; } = 30;

    /// <summary>Raw events per second offered.</summary>
    public int Rate { get; set; } = 2000;

    /// <summary>Where to write the summary as JSON, if anywhere.</summary>
    public string? SummaryJson { get; set; }

    /// <summary>Print plain progress lines instead of a live table.</summary>
    public bool Plain { get; set; }

    /// <summary>Use the in-process consent store even when redis-server is installed.</summary>
    public bool InMemory { get; set; }

    /// <summary>The simulated population.</summary>
    public FleetOptions Fleet { get; } = new();

    /// <summary>Usage text.</summary>
    public const string Usage = """
        Usage: sieve demo [--seconds N] [--rate EVENTS_PER_SECOND] [--vehicles N] [--visitors N]
                          [--summary-json FILE] [--plain] [--in-memory]

        Runs the whole pipeline in one process with no outside services: librdkafka's mock cluster as Kafka,
        redis-server for consent when installed (else an in-process store), Ingest, the Minimizer and the
        consent loader, fed by a simulated fleet and dealer Wi-Fi visitors. Shows a live table, then a summary.

        Options:
          --seconds N          how long the load runs (default 30)
          --rate N             events offered per second (default 2000)
          --vehicles N         simulated vehicles (default 300)
          --visitors N         simulated Wi-Fi visitors (default 200)
          --summary-json FILE  also write the summary counts as JSON to FILE
          --plain              progress lines instead of the live table
          --in-memory          in-process consent store even when redis-server is installed

        Example:
          sieve demo --seconds 30
        """;

    /// <summary>Parses <paramref name="args"/>; returns null with <paramref name="error"/> set when they are wrong.</summary>
    public static DemoOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var o = new DemoOptions();
        error = null;
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string? Next()
            {
                if (i + 1 >= args.Count)
                {
                    return null;
                }

                return args[++i];
            }

            switch (a)
            {
                case "--seconds":
                    if (!TryInt(Next(), 1, 86_400, out int s)) { error = "--seconds needs a whole number from 1 to 86400, e.g. --seconds 30"; return null; }
                    o.Seconds = s;
                    break;
                case "--rate":
                    if (!TryInt(Next(), 1, 1_000_000, out int r)) { error = "--rate needs a whole number of events per second from 1 to 1000000"; return null; }
                    o.Rate = r;
                    break;
                case "--vehicles":
                    if (!TryInt(Next(), 1, 1_000_000, out int v)) { error = "--vehicles needs a whole number from 1 to 1000000"; return null; }
                    o.Fleet.Vehicles = v;
                    break;
                case "--visitors":
                    if (!TryInt(Next(), 1, 1_000_000, out int p)) { error = "--visitors needs a whole number from 1 to 1000000"; return null; }
                    o.Fleet.Visitors = p;
                    break;
                case "--summary-json":
                    o.SummaryJson = Next();
                    if (string.IsNullOrWhiteSpace(o.SummaryJson)) { error = "--summary-json needs a file path"; return null; }
                    break;
                case "--plain":
                    o.Plain = true;
                    break;
                case "--in-memory":
                    o.InMemory = true;
                    break;
                default:
                    error = "unknown option '" + a + "'; run 'sieve demo --help' for the options";
                    return null;
            }
        }

        return o;
    }

    private static bool TryInt(string? text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
}
