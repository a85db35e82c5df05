using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Sieve.Commands.Consent;
using Sieve.Commands.Policy;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Policy;
using Sieve.Core.Access;
using Sieve.Core.Lake;
using Sieve.Core.Recall;
using Confluent.Kafka;
using Sieve.Contracts;
using Sieve.Contracts.Purposes;
using Spectre.Console;
using Spectre.Console.Cli;
using StackExchange.Redis;

namespace Sieve.Commands.Access;

/// <summary>
/// <c>sieve access</c>: answers a data subject's access request from the lake and the consent store with
/// <see cref="SubjectAccess"/>: per purpose the subject's pseudonyms, lake rows, first and last event time and
/// consent in force, and whether the subject is a minor or erased. The identifier is never printed.
/// </summary>
internal sealed class AccessCommand(CliSession session) : SieveCommand<AccessSettings>(session)
{
    public const string Name = "access";

    public const string Summary = "report what the lake and consent store hold of a subject (access request)";

    public const string DefaultLake = "./lake";

    public const string DefaultRedis = "localhost:6379";

    /// <summary>Daily-keyed purposes have a pseudonym per day with rows; the text output lists this many of them.</summary>
    public const int ShownDailyPseudonyms = 3;

    public static string Usage => $"""
        Usage: sieve access --type vin|phone|mac|device-id --id ID [--lake DIR] [--redis HOST:PORT]
                            [--keys FILE | --demo-keys] [--policy FILE] [--json] [--bootstrap HOST:PORT [--property NAME=VALUE ...]] [--export DIR]

        Answers a data subject's access request. The identifier is normalized and turned into the subject's
        pseudonyms (every purpose, master key and, for daily keys, every day within the purpose's retention);
        the lake under DIR is searched for their rows and the consent store in Redis for their decisions.
        Prints, per purpose: the consent state, the number of lake rows, the first and last event time, and the
        pseudonyms (for daily-keyed purposes the days with rows, shortened to {ShownDailyPseudonyms} in the text output);
        and whether the subject is flagged a minor or was erased. With --bootstrap, also whether the recall escrow
        ({Topics.QualityEscrow}) holds an entry for a VIN subject's quality pseudonym: when it was sealed and under which
        recall key, never its content. The escrow entry is kept when a subject is erased, until the quality
        purpose's retention lapses, because the recall regulation requires owner records to be kept. The
        identifier is never printed.

        Options:
          --type TYPE        vin, phone, mac or device-id (required)
          --id ID            the identifier in any usual spelling, normalized (required)
          --lake DIR         the Sink's lake root, Sink:Root (default {DefaultLake})
          --redis HOST:PORT  the consent store (default {DefaultRedis})
          --keys FILE        master key ring file (as written by 'sieve keys generate')
          --demo-keys        use the demo master keys (demo and tests only)
          --policy FILE      policy the lake was written under (default: the shipped policy)
          --json             one JSON object instead of text (every pseudonym listed)
          --bootstrap HOST:PORT  Kafka, to look up the subject's recall escrow entry (default: not looked up)
          --escrow-topic NAME    the recall escrow (default {Topics.QualityEscrow})
        {KafkaClientProperties.UsageLines}
          --export DIR       also write the subject's copy of their data (the right to a copy) to DIR, a new
                             or empty directory made readable by its owner only: per purpose the subject's lake
                             rows as PURPOSE.jsonl (JSON Lines) and PURPOSE.csv, and {AccessExportManifest.FileName} saying what
                             exists, where, and under which pseudonym and key id; with --bootstrap, also how many
                             records each purpose topic still holds under the subject's pseudonyms (within
                             its retention). The files hold pseudonyms, never the identifier (default: none)
          Without --keys or --demo-keys the ring comes from {MasterKeyRing.EnvironmentVariable}.

        Example:
          sieve access --type vin --id LSVAU218XN2183294 --lake /data/lake --redis localhost:6379 --demo-keys
        """;

    protected override async Task<int> RunAsync(AccessSettings settings, CancellationToken cancellationToken)
    {
        IAnsiConsole console = Console;
        SubjectType type = settings.SubjectType;
        string normalizedId = settings.NormalizedId;
        MasterKeyRing ring = MasterKeyArguments.Load(settings.Keys, settings.DemoKeys);
        CompiledPolicy policy = PolicyFiles.Load(settings.Policy);
        string lake = settings.Lake;
        if (!Directory.Exists(lake))
        {
            ThrowHelper.Usage($"--lake '{lake}' is not a directory; give the Sink's lake root (Sink:Root)");
        }

        string redis = settings.Redis;
        try
        {
            _ = ConfigurationOptions.Parse(redis);
        }
        catch (ArgumentException)
        {
            ThrowHelper.Usage("--redis must be HOST:PORT (a StackExchange.Redis configuration string)");
        }

        // Read before anything is looked up, so a bad --property is a usage error, not a failure after the lake was read.
        ConsumerConfig? kafka = Kafka(settings);
        IReadOnlyList<LakeTable> tables = LakeTable.FromPolicy(policy);
        AccessReport report = await ReportAsync(lake, tables, new PseudonymKeyFactory(ring), redis, type, normalizedId, cancellationToken).ConfigureAwait(false);

        EscrowStatus escrow = await EscrowAsync(settings, kafka, ring, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<PurposeExport>? exported = null;
        if (settings.Export is { } directory)
        {
            exported = await ExportAsync(settings, kafka, lake, tables, new PseudonymKeyFactory(ring), cancellationToken).ConfigureAwait(false);
            AccessExportManifest.Write(directory, type, ring, policy.Source, report, exported, settings.Bootstrap is not null);
        }

        if (settings.Json)
        {
            PlainText.WriteLine(console, ToJson(type, report, escrow, settings.Export, exported));
        }
        else
        {
            WriteText(console, type, lake, redis, report);
            PlainText.WriteLine(console, "escrow entry: " + escrow.Describe());
            if (exported is not null)
            {
                AccessExportManifest.WriteText(console, settings.Export!, exported, settings.Bootstrap is not null);
            }
        }

        return ExitCodes.Ok;
    }

    private static async Task<AccessReport> ReportAsync(string lake, IReadOnlyList<LakeTable> tables, PseudonymKeyFactory keys, string redis,
        SubjectType type, string normalizedId, CancellationToken cancellationToken)
    {
        RedisConsentStore store = await ConsentStoreConnection.ConnectAsync(redis).ConfigureAwait(false);

        await using (store.ConfigureAwait(false))
        {
            try
            {
                return await new SubjectAccess(lake, tables, keys, store).ReportAsync(type, normalizedId, cancellationToken).ConfigureAwait(false);
            }
            catch (ConsentUnavailableException e)
            {
                throw ConsentStoreConnection.Unavailable(redis, e);
            }
            catch (DuckDBException e)
            {
                // DuckDB messages name files and columns of the lake, not subjects: the query holds pseudonyms only.
                return ThrowHelper.Failure<AccessReport>($"cannot read the lake under {lake}: {FirstLine(e.Message)}");
            }
            catch (IOException e)
            {
                return ThrowHelper.Failure<AccessReport>($"cannot read the lake under {lake} ({e.GetType().Name})");
            }
        }
    }

    private static async Task<IReadOnlyList<PurposeExport>> ExportAsync(AccessSettings settings, ConsumerConfig? kafka, string lake, IReadOnlyList<LakeTable> tables,
        PseudonymKeyFactory keys, CancellationToken cancellationToken)
    {
        string directory = settings.Export!;
        try
        {
            return await Task.Run(() => new SubjectExport(lake, tables, keys).Export(settings.SubjectType, settings.NormalizedId, directory, kafka,
                EscrowReader.DefaultTimeout, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (DuckDBException e)
        {
            return ThrowHelper.Failure<IReadOnlyList<PurposeExport>>($"cannot read the lake under {lake}: {FirstLine(e.Message)}");
        }
        catch (Exception e) when (e is KafkaException or TimeoutException)
        {
            return ThrowHelper.Failure<IReadOnlyList<PurposeExport>>($"cannot read the purpose topics via {settings.Bootstrap} ({e.GetType().Name}); check the broker and --bootstrap");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ThrowHelper.Failure<IReadOnlyList<PurposeExport>>($"cannot write the export under {directory} ({e.GetType().Name})");
        }
    }

    private static void WriteText(IAnsiConsole console, SubjectType type, string lake, string redis, AccessReport report)
    {
        PlainText.WriteLine(console, $"subject: a {SubjectTypeNames.NameOf(type)} (identifier not shown); lake {lake}; consent store redis {ConsentStoreConnection.Shown(redis)}");
        PlainText.WriteLine(console, "minor: " + (report.Minor ? "yes (nothing of this subject's is forwarded to any purpose)" : "no"));
        PlainText.WriteLine(console, "erased: " + (report.Erased ? "yes (the subject's rows are removed and nothing new is forwarded)" : "no"));
        foreach (PurposeAccess p in report.Purposes)
        {
            var line = new StringBuilder();
            line.Append("purpose ").Append(p.Purpose).Append(": consent ").Append(ConsentShowCommand.StateName(p.Consent.State));
            if (p.Consent.State != ConsentState.None)
            {
                line.Append(" since ").Append(ExplainValues.Time(p.Consent.EffectiveTimeMillis));
                if (p.Consent.PolicyVersion is not null)
                {
                    line.Append(" (policy ").Append(p.Consent.PolicyVersion).Append(')');
                }
            }

            line.Append("; ").Append(p.Rows.ToString(CultureInfo.InvariantCulture)).Append(p.Rows == 1 ? " row" : " rows");
            if (p.FirstEventTime is { } first && p.LastEventTime is { } last)
            {
                line.Append(", first ").Append(ExplainValues.Time(first)).Append(", last ").Append(ExplainValues.Time(last));
            }

            PlainText.WriteLine(console, line.ToString());
            PlainText.WriteLine(console, p.Anonymized
                ? "  anonymized: its rows carry random segment pseudonyms, so none can be attributed to the subject"
                : "  pseudonyms: " + Shorten(p.Pseudonyms));
        }
    }

    private static string Shorten(IReadOnlyList<string> pseudonyms)
    {
        if (pseudonyms.Count == 0)
        {
            return "none with rows";
        }

        var text = new StringBuilder();
        int shown = Math.Min(pseudonyms.Count, ShownDailyPseudonyms);
        for (int i = 0; i < shown; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append(pseudonyms[i]);
        }

        if (pseudonyms.Count > shown)
        {
            text.Append(CultureInfo.InvariantCulture, $" and {pseudonyms.Count - shown} more (--json lists all)");
        }

        return text.ToString();
    }

    private static string ToJson(SubjectType type, AccessReport report, EscrowStatus escrow, string? exportDirectory, IReadOnlyList<PurposeExport>? exported)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("subjectType", SubjectTypeNames.NameOf(type));
            json.WriteBoolean("minor", report.Minor);
            json.WriteBoolean("erased", report.Erased);
            json.WriteStartArray("purposes");
            foreach (PurposeAccess p in report.Purposes)
            {
                json.WriteStartObject();
                json.WriteString("purpose", p.Purpose);
                json.WriteStartObject("consent");
                json.WriteString("state", ConsentShowCommand.StateName(p.Consent.State));
                if (p.Consent.State != ConsentState.None)
                {
                    json.WriteString("effective", ExplainValues.Time(p.Consent.EffectiveTimeMillis));
                }

                if (p.Consent.PolicyVersion is not null)
                {
                    json.WriteString("policyVersion", p.Consent.PolicyVersion);
                }

                json.WriteEndObject();
                json.WriteNumber("rows", p.Rows);
                json.WriteBoolean("anonymized", p.Anonymized);
                ExplainValues.WriteTime(json, "firstEventTime", p.FirstEventTime);
                ExplainValues.WriteTime(json, "lastEventTime", p.LastEventTime);
                json.WriteStartArray("pseudonyms");
                foreach (string pseudonym in p.Pseudonyms)
                {
                    json.WriteStringValue(pseudonym);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartObject("escrow");
            json.WriteString("state", escrow.State);
            if (escrow.Entry is { } entry)
            {
                json.WriteString("sealedAt", ExplainValues.Time(entry.SealedAtMillis));
                json.WriteString("recallKeyId", entry.RecallKeyId);
            }

            json.WriteEndObject();
            if (exported is not null)
            {
                json.WriteStartObject("export");
                json.WriteString("directory", exportDirectory);
                json.WriteString("manifest", Path.Combine(exportDirectory!, AccessExportManifest.FileName));
                json.WriteNumber("rows", exported.Sum(e => e.Rows));
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static async Task<EscrowStatus> EscrowAsync(AccessSettings settings, ConsumerConfig? kafka, MasterKeyRing ring, CancellationToken cancellationToken)
    {
        if (settings.SubjectType != SubjectType.Vin)
        {
            return new EscrowStatus("not-applicable", null);
        }

        if (kafka is null)
        {
            return new EscrowStatus("not-checked", null);
        }

        // The quality pseudonym under every master key in the ring: an entry sealed before a rotation is found too.
        var factory = new PseudonymKeyFactory(ring);
        var pseudonyms = new List<string>();
        foreach (MasterKey master in ring.Keys)
        {
            using PseudonymKey key = factory.Create(KnownPurposes.Quality, PseudonymKeyFactory.StableEpoch, master);
            pseudonyms.Add(key.ComputeString(SubjectType.Vin, settings.NormalizedId));
        }

        try
        {
            EscrowRecord? entry = await EscrowReader.FindAsync(kafka, settings.EscrowTopic, pseudonyms, cancellationToken).ConfigureAwait(false);
            return new EscrowStatus(entry is null ? "absent" : "present", entry);
        }
        catch (Exception e) when (e is KafkaException or TimeoutException)
        {
            return ThrowHelper.Failure<EscrowStatus>($"cannot read {settings.EscrowTopic} via {settings.Bootstrap} ({e.GetType().Name}); check the broker and --bootstrap");
        }
    }

    /// <summary>What the access report says of the recall escrow: never the sealed VIN.</summary>
    private sealed record EscrowStatus(string State, EscrowRecord? Entry)
    {
        public string Describe() => State switch
        {
            "present" => $"present (sealed at {ExplainValues.Time(Entry!.SealedAtMillis)}, recall key id {Entry.RecallKeyId}; kept after erasure until the quality retention lapses, as the recall regulation requires)",
            "absent" => "none",
            "not-applicable" => "not applicable (only VINs are escrowed)",
            _ => "not checked (give --bootstrap to look in " + Topics.QualityEscrow + ")",
        };
    }

    // The clients --bootstrap opens, with the --property and --properties given (TLS, SASL); null without --bootstrap.
    private static ConsumerConfig? Kafka(AccessSettings settings)
    {
        if (settings.Bootstrap is null)
        {
            return null;
        }

        var config = new ConsumerConfig { BootstrapServers = settings.Bootstrap };
        KafkaClientProperties.From(settings).ApplyTo(config);
        return config;
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline >= 0 ? message[..newline] : message;
    }
}

/// <summary>The options of <c>sieve access</c>.</summary>
internal sealed class AccessSettings() : SubjectLookupSettings(AccessCommand.DefaultRedis), IKafkaClientSettings
{
    /// <summary><c>--property NAME=VALUE</c>, repeatable: librdkafka properties of the clients that <c>--bootstrap</c> opens.</summary>
    [CommandOption(KafkaClientProperties.PropertyOption + " <NAME=VALUE>")]
    public string[] Properties { get; init; } = [];

    /// <summary><c>--properties FILE</c>.</summary>
    [CommandOption(KafkaClientProperties.FileOption + " <FILE>")]
    public string? PropertiesFile { get; init; }

    /// <summary><c>--lake DIR</c>.</summary>
    [CommandOption("--lake <DIR>")]
    public string Lake { get; init; } = AccessCommand.DefaultLake;

    /// <summary><c>--json</c>.</summary>
    [CommandOption("--json")]
    public bool Json { get; init; }

    /// <summary><c>--export DIR</c>: where the subject's copy goes; null for none.</summary>
    [CommandOption("--export <DIR>")]
    public string? Export { get; init; }

    /// <summary><c>--bootstrap HOST:PORT</c>: Kafka, for the escrow lookup and the export's topic counts; null for none.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string? Bootstrap { get; init; }

    /// <summary><c>--escrow-topic NAME</c>.</summary>
    [CommandOption("--escrow-topic <NAME>")]
    public string EscrowTopic { get; init; } = Topics.QualityEscrow;

    protected override string CommandName => AccessCommand.Name;

    public override ValidationResult Validate()
    {
        ValidationResult result = base.Validate();
        if (result.Successful && Bootstrap is null && KafkaClientProperties.Given(this))
        {
            return ValidationResult.Error("--property and --properties go with --bootstrap");
        }

        if (!result.Successful || Export is null)
        {
            return result;
        }

        if (Export.Length == 0)
        {
            return ValidationResult.Error("--export needs a directory");
        }

        if (File.Exists(Export) || (Directory.Exists(Export) && Directory.EnumerateFileSystemEntries(Export).Any()))
        {
            return ValidationResult.Error($"--export '{Export}' must be a new or empty directory, so that the export holds nothing else");
        }

        return ValidationResult.Success();
    }
}
