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

        if (report.Paced is PacedResult paced)
        {
            var latency = new Table().Title("End-to-end latency (paced run; event time to a downstream read of positioning.v1)");
            latency.AddColumns("offered inputs/s", "inputs", "seconds", "samples", "p50 ms", "p99 ms", "max ms", "audited inputs");
            latency.AddRow(N(paced.Rate), N(paced.Produced), F(paced.Seconds, 1), N(paced.Samples), Ms(paced.P50Ms), Ms(paced.P99Ms), Ms(paced.MaxMs), N(paced.Audit.Inputs));
            console.Write(latency);
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
}
