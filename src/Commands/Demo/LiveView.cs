using System.Diagnostics;
using System.Globalization;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Sieve.Commands.Demo;

/// <summary>Shows a demo run while it happens: a live table on a terminal, progress lines otherwise.</summary>
public sealed class LiveView(DemoRun run, IAnsiConsole console)
{
    private static readonly (Outcome Outcome, string Label)[] WithheldLabels =
    [
        (Outcome.WithheldNoConsent, "no-consent"),
        (Outcome.WithheldWithdrawn, "withdrawn"),
        (Outcome.WithheldMinor, "minor"),
        (Outcome.WithheldNotApplicable, "not-applicable"),
        (Outcome.WithheldErased, "erased"),
        (Outcome.WithheldExpired, "expired"),
    ];

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _lastInputs;
    private double _lastSeconds;
    private double _rate;

    /// <summary>Runs <paramref name="work"/> under a live-updating table.</summary>
    public async Task RunLiveAsync(Func<Task> work)
    {
        await console.Live(Render()).AutoClear(false).StartAsync(async ctx =>
        {
            Task task = work();
            while (!task.IsCompleted)
            {
                await Task.WhenAny(task, Task.Delay(500)).ConfigureAwait(false);
                ctx.UpdateTarget(Render());
            }

            ctx.UpdateTarget(Render());
            await task.ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="work"/>, printing one progress line every two seconds.</summary>
    public async Task RunPlainAsync(Func<Task> work)
    {
        Task task = work();
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(2000)).ConfigureAwait(false);
            UpdateRate();
            MinimizerStats s = run.Engine.Stats;
            PlainText.WriteLine(console, string.Create(CultureInfo.InvariantCulture,
                $"[{_clock.Elapsed.TotalSeconds,5:F0}s] in {run.Produced,8} (connections {run.Devices?.ActiveConnections ?? 0}, acked {run.Devices?.RecordsAcked ?? 0}, http {run.Devices?.HttpRecordsAccepted ?? 0}) processed {s.Inputs,8} ({_rate,7:F0}/s) forwarded {Forwarded()} withheld {Withheld()} quarantined {s.QuarantinedTotal} p50 {Ms(run.Watcher.Latency.Percentile(50))} p99 {Ms(run.Watcher.Latency.Percentile(99))}{(s.Paused ? " PAUSED (consent unavailable)" : "")}"));
        }

        await task.ConfigureAwait(false);
    }

    private string Forwarded()
    {
        MinimizerStats s = run.Engine.Stats;
        var parts = new List<string>();
        for (int p = 0; p < s.PlanNames.Count; p++)
        {
            parts.Add(s.PlanNames[p] + "=" + s.Count(p, Outcome.Forwarded).ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(" ", parts);
    }

    /// <summary>Withheld decisions by reason, summed over the purposes (each input has one decision per purpose).</summary>
    private string Withheld()
    {
        MinimizerStats s = run.Engine.Stats;
        var parts = new List<string>();
        foreach ((Outcome outcome, string label) in WithheldLabels)
        {
            long total = 0;
            for (int p = 0; p < s.PlanNames.Count; p++)
            {
                total += s.Count(p, outcome);
            }

            parts.Add(label + "=" + total.ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(" ", parts);
    }

    private void UpdateRate()
    {
        double now = _clock.Elapsed.TotalSeconds;
        long inputs = run.Engine.Stats.Inputs;
        if (now - _lastSeconds >= 0.9)
        {
            _rate = (inputs - _lastInputs) / (now - _lastSeconds);
            _lastInputs = inputs;
            _lastSeconds = now;
        }
    }

    private IRenderable Render()
    {
        UpdateRate();
        MinimizerStats s = run.Engine.Stats;
        var head = new Grid().AddColumn().AddColumn();
        head.AddRow("[bold]elapsed[/]", $"{_clock.Elapsed.TotalSeconds:F0} s of {run.Options.Seconds} s");
        head.AddRow("[bold]events in[/]", $"{run.Produced:N0} produced, {s.Inputs:N0} processed ([green]{_rate:N0}/s[/])");
        head.AddRow("[bold]ingest[/]", $"{run.Devices?.ActiveConnections ?? 0:N0} device connections, {run.Devices?.RecordsAcked ?? 0:N0} records acked over TCP; {run.Devices?.HttpRecordsAccepted ?? 0:N0} Wi-Fi records accepted over HTTP; {run.DirectProduced:N0} produced straight to Kafka");
        head.AddRow("[bold]end-to-end latency[/]", $"p50 {Ms(run.Watcher.Latency.Percentile(50))}, p99 {Ms(run.Watcher.Latency.Percentile(99))}");
        head.AddRow("[bold]consent[/]", $"{run.StoreKind}; {run.Loader.Applied:N0} decisions applied, {run.Withdrawals} opt-outs published; near-cache hits {run.Cache.Hits:N0}, misses {run.Cache.Misses:N0}"
            + (s.Paused ? " [red]PAUSED: consent unavailable, nothing forwarded, nothing skipped[/]" : ""));

        var table = new Table().Border(TableBorder.Rounded).Title("[bold]decisions per purpose[/] (committed)");
        table.AddColumn("purpose");
        table.AddColumn(new TableColumn("forwarded").RightAligned());
        table.AddColumn(new TableColumn("held for release").RightAligned());
        table.AddColumn(new TableColumn("withheld: no consent").RightAligned());
        table.AddColumn(new TableColumn("withheld: withdrawn").RightAligned());
        table.AddColumn(new TableColumn("withheld: minor").RightAligned());
        table.AddColumn(new TableColumn("not applicable").RightAligned());
        table.AddColumn(new TableColumn("withheld: erased").RightAligned());
        table.AddColumn(new TableColumn("withheld: expired").RightAligned());
        for (int p = 0; p < s.PlanNames.Count; p++)
        {
            table.AddRow(s.PlanNames[p],
                $"[green]{s.Count(p, Outcome.Forwarded):N0}[/]",
                $"{s.Count(p, Outcome.HeldForRelease):N0}",
                $"{s.Count(p, Outcome.WithheldNoConsent):N0}",
                $"{s.Count(p, Outcome.WithheldWithdrawn):N0}",
                $"{s.Count(p, Outcome.WithheldMinor):N0}",
                $"{s.Count(p, Outcome.WithheldNotApplicable):N0}",
                $"{s.Count(p, Outcome.WithheldErased):N0}",
                $"{s.Count(p, Outcome.WithheldExpired):N0}");
        }

        IReadOnlyDictionary<string, long> q = s.Quarantined;
        string quarantine = q.Count == 0 ? "none" : string.Join(", ", q.OrderByDescending(kv => kv.Value).Select(kv => kv.Key + " " + kv.Value.ToString("N0", CultureInfo.InvariantCulture)));
        return new Rows(head, table, new Markup("[bold]quarantined[/] " + Markup.Escape(quarantine)));
    }

    internal static string Ms(double? value) => value is double v ? v.ToString("F0", CultureInfo.InvariantCulture) + " ms" : "-";
}
