using Sieve.Core.Policy;
using Spectre.Console;

namespace Sieve.Commands.Policy;

/// <summary>Renders an <see cref="ExplainReport"/> for a terminal: a header, then per purpose its outcome and a table of fields.</summary>
internal static class ExplainTableRenderer
{
    public static void Render(IAnsiConsole console, ExplainReport report)
    {
        var header = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        header.AddRow(new Markup("[bold]policy[/]"), new Text($"{report.PolicySource} (version {report.PolicyVersion})"));
        EventSummary e = report.Event;
        string subject = e.SubjectField is null ? "" : $"; subject: {e.SubjectType} from field '{e.SubjectField}'";
        header.AddRow(new Markup("[bold]event[/]"), new Text($"{e.Type} {e.EventId} at {ExplainValues.Time(e.EventTimeMillis)}{subject}"));
        ConsentSummary c = report.Consent;
        string granted = c.Granted.Count == 0 ? "none granted" : "granted " + string.Join(", ", c.Granted) + " from " + ExplainValues.Time(c.EffectiveTimeMillis);
        header.AddRow(new Markup("[bold]consent[/]"), new Text(granted + (c.Minor ? "; subject is a MINOR" : "; not a minor")));
        header.AddRow(new Markup("[bold]keys[/]"), new Text(report.MasterKeyRing));
        console.Write(header);
        console.WriteLine();

        if (report.Quarantine is { } q)
        {
            console.Write(new Rule("[red bold]quarantined[/]").LeftJustified());
            console.Write(new Markup("[red]" + Markup.Escape(q.Code) + "[/]: " + Markup.Escape(q.Detail) + "\n"));
            console.Write(new Text("Nothing was forwarded to any purpose; quarantine.v1 would get a pointer to the input with this reason.\n"));
            return;
        }

        foreach (PurposeExplanation p in report.Purposes)
        {
            RenderPurpose(console, p);
        }
    }

    private static void RenderPurpose(IAnsiConsole console, PurposeExplanation p)
    {
        string consent = !p.ConsentRequired ? "no consent required"
            : p.ConsentMaxAge is { } maxAge ? $"consent required, max age {PolicyRetention.Format((int)maxAge.TotalDays)}"
            : $"consent required, no max age: {p.ConsentMaxAgeReason}";
        string basis = Sieve.Core.Policy.LegalBasisNames.NameOf(p.Basis);
        console.Write(new Rule($"[bold]{Markup.Escape(p.Purpose)}[/] -> {Markup.Escape(p.Topic)} [grey]({consent}; legal basis: {basis})[/]").LeftJustified());
        if (p.LegalReference is not null)
        {
            console.Write(new Markup($"[grey]legal basis: {basis}, under {Markup.Escape(p.LegalReference)}[/]\n"));
        }

        if (p.EscrowTopic is not null)
        {
            console.Write(new Markup($"[grey]recall escrow: each vehicle's VIN is sealed under the recall key to {Markup.Escape(p.EscrowTopic)}; only a two-approver `sieve recall resolve` opens it[/]\n"));
        }

        switch (p.Outcome)
        {
            case ExplainOutcome.Withheld:
                console.Write(new Markup($"[yellow bold]withheld[/] ({Markup.Escape(p.Code)}): {Markup.Escape(p.Reason ?? "")}\n"));
                console.WriteLine();
                return;
            case ExplainOutcome.NotApplicable:
                console.Write(new Markup($"[grey bold]not applicable[/]: {Markup.Escape(p.Reason ?? "")}\n"));
                console.WriteLine();
                return;
        }

        console.Write(p.Outcome == ExplainOutcome.Held
            ? new Markup("[blue bold]held for release[/]: the release stage forwards this record, under a segment pseudonym, only if the rules below allow\n")
            : new Markup("[green bold]forwarded[/]\n"));
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn(new TableColumn("output field").NoWrap())
            .AddColumn(new TableColumn("value"))
            .AddColumn(new TableColumn("from input field"))
            .AddColumn(new TableColumn("why: transform"));
        foreach (FieldExplanation f in p.Fields)
        {
            table.AddRow(new Text(f.Name), new Text(ExplainValues.Format(f.Value)), new Text(f.From ?? "-"), new Text(f.Transform));
        }

        console.Write(table);
        var dropped = new List<string>(p.Dropped.Count);
        foreach (DroppedField d in p.Dropped)
        {
            dropped.Add(d.Direct ? d.Path + " (direct)" : d.Path);
        }

        console.Write(new Markup("[bold]dropped input fields[/]: " + Markup.Escape(dropped.Count == 0 ? "none" : string.Join(", ", dropped)) + "\n"));
        foreach (string rule in p.Release)
        {
            console.Write(new Markup("[bold]release[/] " + Markup.Escape(rule) + "\n"));
        }

        console.WriteLine();
    }
}
