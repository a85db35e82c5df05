using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Confluent.Kafka;
using DuckDB.NET.Data;
using Sieve.Contracts.Pseudonymization;
using Sieve.Commands.Policy;
using Sieve.Core.Engine;
using Sieve.Core.Policy;
using Sieve.Core.Privacy;
using Sieve.Embedded;
using Sieve.Simulation.Mobility;
using Spectre.Console;

namespace Sieve.Commands.Privacy;

/// <summary>
/// <c>sieve privacy</c>: reads what a purpose released (a topic, the lake, or a simulated city driven through the real
/// Minimizer over the embedded mock cluster) and runs the re-identification attack suite on it
/// (<see cref="PrivacyAudit"/>), with ground truth when the city is simulated.
/// </summary>
internal sealed class PrivacyCommand(CliSession session) : SieveCommand<PrivacySettings>(session)
{
    public const string Name = "privacy";

    public const string Summary = "measure the re-identification risk of what a purpose released (attack suite)";

    /// <summary>Local time of the release when no simulation says otherwise: China Standard Time.</summary>
    public const int DefaultUtcOffsetMinutes = 480;

    /// <summary>How <c>--json</c> writes the figures, and how the privacy console reads them back.</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    public static string Usage => $"""
        Usage: sieve privacy [--purpose NAME] [--policy FILE]
                             (--simulate dense|sparse [--vehicles N] [--seed S]
                              | --bootstrap HOST:PORT [--topic NAME] [--property NAME=VALUE]... [--properties FILE]
                              | --lake DIR)
                             [--json FILE]

        Runs the re-identification attack suite on what a purpose released, as an attacker holding only that
        release would: unicity (the share of pseudonymous traces that p = 1..4 of their own (cell, bucket) points
        single out), home/work linkage, k per released (cell, bucket), chaining across pseudonyms, and utility.
        Telematics records with a geohash are measured; the cell and bucket are the policy's for the purpose.

        --simulate drives one day of the project's simulated city (nobody consenting) through the real Minimizer
        over the embedded Kafka mock cluster, reads the purpose's topic and measures it with ground truth: the
        city's VINs give each released pseudonym its vehicle (demo master keys, as the run uses).
        Without ground truth (--bootstrap, --lake) only unicity is exact; k counts distinct pseudonyms per cell,
        an upper bound on distinct vehicles; home/work, chaining and utility need ground truth.

        Options:
          --purpose NAME         the purpose whose release is measured (default {Sieve.Contracts.Purposes.KnownPurposes.Analytics})
          --policy FILE          the policy (default: the shipped policy)
          --simulate CITY        dense (a mid-size city) or sparse (a metropolis with a sparse fleet)
                                 (default: none; give one of --simulate, --bootstrap and --lake)
          --vehicles N           simulated vehicles (default {PrivacySettings.DefaultVehicles})
          --seed S               seed of the simulated city (default {PrivacySettings.DefaultSeed})
          --bootstrap HOST:PORT  read the purpose's topic from this Kafka cluster
          --topic NAME           the topic to read (default: the purpose's topic in the policy)
        {KafkaClientProperties.UsageLines}
          --lake DIR             read the purpose's Parquet files under the Sink's lake root
          --json FILE            also write the figures as JSON to FILE

        Example:
          sieve privacy --simulate dense --vehicles 2000 --seed 2026
        """;

    protected override async Task<int> RunAsync(PrivacySettings settings, CancellationToken cancellationToken)
    {
        IAnsiConsole console = Console;
        CompiledPolicy policy = PolicyFiles.Load(settings.Policy);
        PurposePlan plan = policy.FindPurpose(settings.Purpose)
            ?? ThrowHelper.Usage<PurposePlan>($"--purpose '{settings.Purpose}' is not a purpose of the policy; it has {string.Join(", ", policy.Purposes.Select(p => p.Name))}");
        (int precision, long bucketMillis) = Generalization(plan);

        ReleasedDataset data;
        ReleaseReader reader;
        PrivacyReport report;
        bool groundTruth = settings.Simulate != SimulatedCity.None;
        Action<string> say = line => PlainText.WriteLine(console, line);
        if (groundTruth)
        {
            CityProfile profile = settings.Simulate == SimulatedCity.Dense ? CityProfile.Dense(settings.Vehicles) : CityProfile.SparseMetropolis(settings.Vehicles);
            CityAuditResult audit = await CityAudit.RunAsync(policy, plan, profile, settings.Seed, say, cancellationToken).ConfigureAwait(false);
            (data, reader, report) = (audit.Data, audit.Reader, audit.Report);
        }
        else
        {
            data = new ReleasedDataset(bucketMillis, DefaultUtcOffsetMinutes);
            reader = new ReleaseReader(data, truth: null);
            string label;
            if (settings.Bootstrap is { } bootstrap)
            {
                string topic = settings.Topic ?? plan.Topic;
                label = $"{plan.Name} release read from topic {topic}, no ground truth";
                KafkaClientProperties properties = KafkaClientProperties.From(settings);
                try
                {
                    await Task.Run(() => reader.ReadTopic(bootstrap, topic, properties, static () => true, TimeSpan.FromMinutes(30), cancellationToken), cancellationToken).ConfigureAwait(false);
                }
                catch (KafkaException e)
                {
                    ThrowHelper.Failure($"cannot read {topic} from {bootstrap}: {e.Error.Reason}");
                }
            }
            else
            {
                string lake = settings.Lake!;
                if (!Directory.Exists(lake))
                {
                    ThrowHelper.Usage($"--lake '{lake}' is not a directory; give the Sink's lake root (Sink:Root)");
                }

                label = $"{plan.Name} release read from the lake under {lake}, no ground truth";
                try
                {
                    reader.ReadLake(lake, plan.Name);
                }
                catch (DuckDBException e)
                {
                    ThrowHelper.Failure($"cannot read the lake under {lake}: {e.Message.Split('\n')[0]}");
                }
            }

            say(string.Create(CultureInfo.InvariantCulture, $"{reader.Measured:N0} telematics records measured, {reader.Skipped:N0} skipped (Wi-Fi or no cell)"));
            if (reader.Measured == 0)
            {
                ThrowHelper.Failure($"the {plan.Name} release holds no telematics record with a cell to measure");
            }

            report = PrivacyAudit.Measure(data, new PrivacyAuditOptions { Label = label, Seed = settings.Seed },
                (measure, took) => say(string.Create(CultureInfo.InvariantCulture, $"measured {measure} in {took.TotalSeconds:0.0} s")));
        }

        foreach (string line in report.ToTable().TrimEnd('\n').Split('\n'))
        {
            say(line);
        }

        if (!groundTruth)
        {
            PlainText.WriteLine(console, "no ground truth: k counts distinct pseudonyms per (cell, bucket), an upper bound on distinct vehicles; home/work, chaining and utility need ground truth (n/a)");
        }

        if (settings.Json is { } json)
        {
            var document = new PrivacyJson(plan.Name, precision, bucketMillis / 60_000, groundTruth, reader.Measured, reader.Skipped, report);
            try
            {
                await File.WriteAllTextAsync(json, JsonSerializer.Serialize(document, JsonOptions), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ThrowHelper.Failure($"cannot write --json {json} ({e.GetType().Name})");
            }

            PlainText.WriteLine(console, $"figures written to {json}");
        }

        return ExitCodes.Ok;
    }

    /// <summary>The geohash precision and time bucket the purpose releases telematics at.</summary>
    internal static (int Precision, long BucketMillis) Generalization(PurposePlan plan)
    {
        int precision = 0;
        long bucketMillis = 15 * 60_000;
        foreach (OutputSlot slot in plan.Slots)
        {
            if (slot.Kind == SlotKind.Geohash && slot.FromTelematics.Kind == TransformKind.Geohash)
            {
                precision = slot.FromTelematics.Precision;
            }
            else if (slot.Kind == SlotKind.TimeBucket && slot.FromTelematics.Kind == TransformKind.BucketTime)
            {
                bucketMillis = slot.FromTelematics.BucketMillis;
            }
        }

        return precision > 0
            ? (precision, bucketMillis)
            : ThrowHelper.Usage<(int, long)>($"purpose {plan.Name} releases no geohash of telematics records; the attack suite measures releases of (cell, time) points");
    }

    /// <summary>The figures as <c>--json</c> writes them.</summary>
    private sealed record PrivacyJson(string Purpose, int GeohashPrecision, long BucketMinutes, bool GroundTruth, long MeasuredRecords, long SkippedRecords, PrivacyReport Report);
}
