using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Spectre.Console;

namespace Sieve.Commands.Demo;

/// <summary>The counts at the end of a demo run; printed, and written as JSON with <c>--summary-json</c>.</summary>
public sealed class DemoSummary
{
    /// <summary>JSON settings for the summary file.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>Run length in seconds.</summary>
    public double Seconds { get; init; }
    /// <summary><c>redis</c> or <c>in-memory</c>.</summary>
    public string ConsentStore { get; init; } = "";
    /// <summary>Raw events produced.</summary>
    public long EventsProduced { get; init; }
    /// <summary>Device connections Ingest accepted over Teltonika TCP.</summary>
    public long DeviceConnections { get; init; }
    /// <summary>Telematics records Ingest acknowledged to the devices (each one on the raw topic).</summary>
    public long RecordsAcked { get; init; }
    /// <summary>Wi-Fi records Ingest accepted from gateways over HTTP.</summary>
    public long GatewayRecordsAccepted { get; init; }
    /// <summary>Raw events produced straight to Kafka (a dealer feed and a misbehaving producer).</summary>
    public long DirectProduced { get; init; }
    /// <summary>Raw events accounted for in committed batches.</summary>
    public long EventsProcessed { get; init; }
    /// <summary>Processed events per second of run time.</summary>
    public double EventsPerSecond { get; init; }
    /// <summary>Per purpose: outcome name to count.</summary>
    public Dictionary<string, Dictionary<string, long>> Purposes { get; init; } = [];
    /// <summary>Quarantined inputs by reason.</summary>
    public Dictionary<string, long> Quarantined { get; init; } = [];
    /// <summary>Opt-outs published mid-run.</summary>
    public int Withdrawals { get; init; }
    /// <summary>End-to-end latency percentiles, milliseconds.</summary>
    public Dictionary<string, double?> LatencyMs { get; init; } = [];
    /// <summary>Records read back from each output topic.</summary>
    public Dictionary<string, long> Consumed { get; init; } = [];
    /// <summary>True when every produced input was processed and, for every purpose, the outcomes plus quarantined inputs equal the inputs.</summary>
    public bool AllAccountedFor { get; init; }

    /// <summary>The outputs' wire format: <c>single-object</c> or <c>confluent</c>.</summary>
    public string Format { get; init; } = "single-object";

    /// <summary>How each watched topic's records were framed, as the downstream reader saw the first one.</summary>
    public Dictionary<string, string> Framing { get; init; } = [];

    private static readonly (Outcome Outcome, string Label)[] SummaryColumns =
    [
        (Outcome.Forwarded, "forwarded"), (Outcome.HeldForRelease, "held for release"), (Outcome.WithheldNoConsent, "no consent"),
        (Outcome.WithheldWithdrawn, "withdrawn"), (Outcome.WithheldMinor, "minor"), (Outcome.WithheldNotApplicable, "n/a"), (Outcome.WithheldErased, "erased"),
        (Outcome.WithheldExpired, "expired"),
    ];

    private static readonly Outcome[] ReleaseOutcomes =
        [Outcome.Forwarded, Outcome.WithheldParked, Outcome.WithheldTrimmed, Outcome.WithheldGap, Outcome.WithheldZone, Outcome.WithheldSparseCell];

    /// <summary>Per anonymized purpose, what its release stage decided of the held records, by outcome name.</summary>
    public Dictionary<string, Dictionary<string, long>> Released { get; init; } = [];

    /// <summary>Per purpose, its legal basis (<c>consent</c>, <c>anonymized</c>, <c>legal-obligation</c>).</summary>
    public Dictionary<string, string> Bases { get; init; } = [];

    /// <summary>Per purpose that keeps a recall escrow, its topic and the VINs sealed to it during the run.</summary>
    public Dictionary<string, long> Escrow { get; init; } = [];

    /// <summary>Builds the summary from a finished run.</summary>
    public static DemoSummary From(DemoRun run)
    {
        MinimizerStats s = run.Engine.Stats;
        var purposes = new Dictionary<string, Dictionary<string, long>>();
        bool balanced = s.Inputs == run.Produced;
        long quarantined = s.QuarantinedTotal;
        for (int p = 0; p < s.PlanNames.Count; p++)
        {
            var outcomes = new Dictionary<string, long>();
            long sum = quarantined;
            for (int o = 0; o < OutcomeNames.Count; o++)
            {
                long count = s.Count(p, (Outcome)o);
                outcomes[OutcomeNames.Name((Outcome)o)] = count;
                sum += count;
            }

            balanced &= sum == s.Inputs;
            purposes[s.PlanNames[p]] = outcomes;
        }

        var released = new Dictionary<string, Dictionary<string, long>>();
        if (run.Release is { } release)
        {
            MinimizerStats r = release.Stats;
            for (int p = 0; p < r.PlanNames.Count; p++)
            {
                var outcomes = new Dictionary<string, long>();
                foreach (Outcome o in ReleaseOutcomes)
                {
                    outcomes[OutcomeNames.Name(o)] = r.Count(p, o);
                }

                released[r.PlanNames[p]] = outcomes;
            }
        }

        var bases = new Dictionary<string, string>();
        var escrow = new Dictionary<string, long>();
        if (run.Core is { } core)
        {
            foreach (Sieve.Core.Policy.PurposePlan plan in core.Plans)
            {
                bases[plan.Name] = Sieve.Core.Policy.LegalBasisNames.NameOf(plan.LegalBasis);
                if (plan.EscrowTopic is { } topic)
                {
                    escrow[topic] = core.EscrowEntries;
                }
            }
        }

        double seconds = run.Elapsed.TotalSeconds > 0 ? run.Elapsed.TotalSeconds : run.Options.Seconds;
        return new DemoSummary
        {
            Bases = bases,
            Escrow = escrow,
            Seconds = Math.Round(seconds, 1),
            ConsentStore = run.StoreKind,
            EventsProduced = run.Produced,
            DeviceConnections = run.Devices?.Connections ?? 0,
            RecordsAcked = run.Devices?.RecordsAcked ?? 0,
            GatewayRecordsAccepted = run.Devices?.HttpRecordsAccepted ?? 0,
            DirectProduced = run.DirectProduced,
            EventsProcessed = s.Inputs,
            EventsPerSecond = Math.Round(s.Inputs / seconds, 1),
            Purposes = purposes,
            Quarantined = new Dictionary<string, long>(s.Quarantined),
            Withdrawals = run.Withdrawals,
            LatencyMs = new Dictionary<string, double?> { ["p50"] = run.Watcher.Latency.Percentile(50), ["p99"] = run.Watcher.Latency.Percentile(99) },
            Consumed = new Dictionary<string, long>(run.Watcher.Consumed),
            AllAccountedFor = balanced,
            Released = released,
            Format = run.RegistryUrl is null ? "single-object" : "confluent",
            Framing = new Dictionary<string, string>(run.Watcher.Framing),
        };
    }

    /// <summary>Prints the summary and sample records to <paramref name="console"/>.</summary>
    public void Print(DemoRun run, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(console);
        console.WriteLine();
        console.Write(new Rule("[bold]summary[/]").LeftJustified());
        console.MarkupLineInterpolated($"{EventsProduced:N0} raw events produced, {EventsProcessed:N0} processed in {Seconds:F1} s ({EventsPerSecond:N0}/s); consent store: {ConsentStore}; opt-outs mid-run: {Withdrawals}");
        console.MarkupLineInterpolated($"through Ingest: {DeviceConnections:N0} device connections, {RecordsAcked:N0} telematics records acked over TCP, {GatewayRecordsAccepted:N0} Wi-Fi records accepted over HTTP; {DirectProduced:N0} produced straight to Kafka");
        console.MarkupLineInterpolated($"end-to-end latency p50 {LiveView.Ms(LatencyMs["p50"])}, p99 {LiveView.Ms(LatencyMs["p99"])}");
        var table = new Table().Border(TableBorder.Simple);
        table.AddColumn("purpose");
        foreach ((Outcome _, string label) in SummaryColumns)
        {
            table.AddColumn(new TableColumn(label).RightAligned());
        }

        table.AddColumn(new TableColumn("quarantined").RightAligned());
        long quarantined = Quarantined.Values.Sum();
        foreach ((string purpose, Dictionary<string, long> outcomes) in Purposes)
        {
            var row = new List<string> { Bases.TryGetValue(purpose, out string? basis) ? purpose + " (" + basis + ")" : purpose };
            foreach ((Outcome outcome, _) in SummaryColumns)
            {
                row.Add(outcomes.GetValueOrDefault(OutcomeNames.Name(outcome)).ToString("N0", CultureInfo.InvariantCulture));
            }

            row.Add(quarantined.ToString("N0", CultureInfo.InvariantCulture));
            table.AddRow([.. row]);
        }

        console.Write(table);
        foreach ((string purpose, Dictionary<string, long> outcomes) in Released)
        {
            console.MarkupLineInterpolated($"{purpose} release stage: {outcomes.Values.Sum():N0} held records decided: {string.Join(", ", outcomes.Select(kv => kv.Key + " " + kv.Value.ToString("N0", CultureInfo.InvariantCulture)))}");
        }

        foreach ((string topic, long sealedCount) in Escrow)
        {
            console.MarkupLineInterpolated($"recall escrow: {sealedCount:N0} vehicles' VINs sealed to {topic} under the recall key; only a two-approver `sieve recall resolve` opens them, and it is audited");
        }

        console.MarkupLineInterpolated($"quarantined by reason: {(Quarantined.Count == 0 ? "none" : string.Join(", ", Quarantined.Select(kv => kv.Key + " " + kv.Value)))}");
        console.MarkupLine(AllAccountedFor
            ? "[green]every input is accounted for: per purpose, forwarded + withheld + quarantined = inputs[/]"
            : "[red]NOT all inputs are accounted for[/]");
        console.WriteLine();
        console.Write(new Rule("[bold]how a downstream reader decodes these records[/]").LeftJustified());
        foreach ((string topic, string framing) in Framing.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            PlainText.WriteLine(console, "  " + topic + ": " + framing);
        }

        foreach (string line in HowToRead(run.RegistryUrl, Framing.Keys.FirstOrDefault(t => t.StartsWith("positioning", StringComparison.Ordinal)) ?? "positioning.v1"))
        {
            PlainText.WriteLine(console, "  " + line);
        }

        console.WriteLine();
        console.Write(new Rule("[bold]sample minimized records[/] (as downstream teams read them)").LeftJustified());
        foreach ((string topic, List<string> samples) in run.Watcher.Samples.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            console.MarkupLineInterpolated($"[bold]{topic}[/]");
            foreach (string sample in samples)
            {
                // Raw JSON on one line, unwrapped, so it can be copied or piped.
                PlainText.WriteLine(console, "  " + sample);
            }
        }
    }

    /// <summary>What a downstream team needs to read <paramref name="topic"/> in this run's format.</summary>
    public static IReadOnlyList<string> HowToRead(string? registryUrl, string topic) => registryUrl is null
        ?
        [
            "Avro single-object encoding: bytes C3 01, the writer schema's CRC-64-AVRO fingerprint (8 bytes, little-endian), then the Avro body.",
            "Read it by fingerprint with the .avsc files in schemas/ (Apache.Avro: skip 10 bytes, GenericDatumReader), or run with --format confluent.",
        ]
        :
        [
            "Confluent framing: byte 0, the schema's registry id (4 bytes, big-endian), then the Avro body; subject " + topic + "-value.",
            ".NET: new AvroDeserializer<GenericRecord>(new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = \"" + registryUrl + "\" }))",
            "kcat: kcat -C -t " + topic + " -s value=avro -r " + registryUrl + " (Kafka Connect, ksqlDB, Flink and Spark read it the same way)",
        ];
}
