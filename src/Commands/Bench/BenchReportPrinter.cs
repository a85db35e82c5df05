using System.Globalization;
using Spectre.Console;

namespace Sieve.Commands.Bench;

/// <summary>Prints a <see cref="BenchReport"/> as tables.</summary>
public static class BenchReportPrinter
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="console"/>.</summary>
    public static void Print(IAnsiConsole console, BenchReport report)
    {
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(report);
        var runs = new Table().Title("Throughput: same cluster, same inputs, same client settings");
        runs.AddColumns("run", "inputs", "measured", "seconds", "inputs/s", "allocated/input", "gen0 GCs", "outputs read/due", "audited inputs");
        Row(runs, "raw pass-through", report.PassThrough);
        Row(runs, "minimizer", report.Minimizer);
        console.Write(runs);
        string goal = report.Ratio >= BenchReport.RatioGoal ? "met" : "not met";
        Line(console, $"Ratio minimizer / pass-through: {report.Ratio:F3} (goal >= {BenchReport.RatioGoal:F2}: {goal})");

        if (report.Latency.Count > 0)
        {
            var latency = new Table().Title($"End-to-end latency (paced; event time to a downstream read of positioning.v1; batch policy {report.BatchPolicy.ToString().ToLowerInvariant()})");
            latency.AddColumns("level", "offered inputs/s", "inputs", "samples", "p50 ms", "p99 ms", "p999 ms", "max ms", "batches", "inputs/batch", "audited inputs");
            foreach (PacedResult paced in report.Latency)
            {
                latency.AddRow(Level(paced), N(paced.Rate), N(paced.Produced), N(paced.Samples), Ms(paced.P50Ms), Ms(paced.P99Ms), Ms(paced.P999Ms), Ms(paced.MaxMs),
                    N(paced.Batches), F(paced.MeanBatch, 0), N(paced.Audit.Inputs));
            }

            console.Write(latency);
            var stages = new Table().Title("Where the time goes: per batch (downstream: per record), mean / p50 / p99 ms");
            stages.AddColumn("stage");
            foreach (PacedResult paced in report.Latency)
            {
                stages.AddColumn(Level(paced));
            }

            for (int s = 0; s < StageBreakdown.Stages.Count; s++)
            {
                var cells = new List<string> { StageBreakdown.Stages[s] };
                foreach (PacedResult paced in report.Latency)
                {
                    StageTime t = paced.Stages[s];
                    cells.Add(Ms1(t.MeanMs) + " / " + Ms1(t.P50Ms) + " / " + Ms1(t.P99Ms));
                }

                stages.AddRow([.. cells]);
            }

            console.Write(stages);
            Line(console, $"Release stage (anonymized purposes) ran beside the paced engine: {report.ReleaseDecided:N0} held records decided, {report.ReleaseHeld:N0} still held at the end (trips not over)");
        }

        if (report.Floor.Count > 0)
        {
            var floor = new Table().Title("The same levels through the raw pass-through (no minimizing, no release stage): the setup's own latency");
            floor.AddColumns("level", "offered inputs/s", "inputs", "samples", "p50 ms", "p99 ms", "p999 ms", "max ms", "batches", "inputs/batch", "audited inputs", "copies read/due");
            foreach (PacedFloorResult level in report.Floor)
            {
                floor.AddRow(Level(level), N(level.Rate), N(level.Produced), N(level.Samples), Ms(level.P50Ms), Ms(level.P99Ms), Ms(level.P999Ms), Ms(level.MaxMs),
                    N(level.Batches), F(level.MeanBatch, 0), N(level.AuditedInputs), N(level.CopiesRead) + " / " + N(level.CopiesExpected));
            }

            console.Write(floor);
        }

        string load = report.LoadAverage.Count == 3
            ? string.Create(CultureInfo.InvariantCulture, $"{report.LoadAverage[0]:F2} {report.LoadAverage[1]:F2} {report.LoadAverage[2]:F2}")
            : "unknown";
        Line(console, $"Machine: {report.Machine}; load average {load}");
        Line(console, $"Kafka: {report.Kafka}; consent store: {report.ConsentStore}; {report.Events:N0} inputs over {report.Partitions} partitions per topic; {report.Subjects:N0} subjects");
        foreach (string problem in report.Problems)
        {
            Line(console, $"note: {problem}");
        }

        Sieve.Commands.PlainText.WriteLine(console, report.Void
            ? "VOID: not every input was accounted for; these numbers mean nothing"
            : "OK: every input accounted for in audit records and outputs read back");
    }

    private static void Row(Table table, string name, ThroughputResult run) =>
        table.AddRow(name, N(run.Inputs), N(run.MeasuredInputs), F(run.Seconds, 2), N((long)run.InputsPerSecond), F(run.AllocatedBytesPerInput, 0) + " B",
            N(run.Gen0Collections), N(run.OutputsRead) + " / " + N(run.OutputsExpected), N(run.AuditedInputs));

    private static void Line(IAnsiConsole console, FormattableString text) => Sieve.Commands.PlainText.WriteLine(console, text.ToString(CultureInfo.InvariantCulture));

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string F(double value, int digits) => value.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string Ms(double? value) => value is double v ? F(v, 0) : "-";

    private static string Ms1(double? value) => value is double v ? F(v, 1) : "-";

    private static string Level(PacedLatency paced) => Level(paced.Percent);

    private static string Level(int? percent) => percent is int p
        ? p.ToString(CultureInfo.InvariantCulture) + " %"
        : "--rate";
}
