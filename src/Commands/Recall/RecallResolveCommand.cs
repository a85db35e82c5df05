using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Sieve.Contracts;
using Sieve.Core.Recall;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Recall;

/// <summary>
/// <c>sieve recall resolve</c>: turns an approved request's quality pseudonyms into VINs. Refuses, before anything
/// is opened, unless two different registered approvers signed this very request, it is within the batch limit and
/// its campaign within the rate limit (counted from <c>recall.audit.v1</c>). Writes the VINs only to a new 0600 file
/// or to the recall system's topic, writes one audit record per attempt, and prints only counts.
/// </summary>
internal sealed class RecallResolveCommand(CliSession session) : SieveCommand<RecallResolveSettings>(session)
{
    public const string Name = "recall resolve";

    public const string Summary = "resolve an approved recall request's pseudonyms to VINs (two approvers, audited)";

    public const string DefaultBootstrap = "localhost:9092";

    public const int DefaultTimeoutSeconds = 60;

    public static string Usage => $"""
        Usage: sieve recall resolve --request REQUEST.json --approval A1.json --approval A2.json
                                    --approvers DIR|FILE --recall-key FILE (--out VINS.csv | --to-topic NAME)
                                    [--bootstrap HOST:PORT] [--max-batch N] [--max-per-campaign N] [--window-hours H]

        Checks the approvals: two or more, each by a different operator whose public key is in --approvers
        (OPERATOR{ApproverRegistry.PublicKeySuffix} files), each for this request (id and digest) with a valid signature. Then the batch
        limit, and the rate limit per campaign, counted from the resolutions {Topics.RecallAudit} records (so it holds
        across machines); a request already resolved is refused too. A refusal says why, exits 1, writes an audit
        record and decrypts nothing. Otherwise reads the latest entry per pseudonym of {Topics.QualityEscrow}, opens the
        requested ones with the recall key, writes one audit record, then the VINs: to a new file with mode 0600
        (pseudonym,vin lines) or, with --to-topic, one JSON record each to the recall system's topic. Pseudonyms
        without an escrow entry (another purpose's pseudonyms, say) are counted as unresolved. Prints counts only,
        never a VIN or a pseudonym.

        Options:
          --request FILE          the request ('sieve recall request')
          --approval FILE         an approval ('sieve recall approve'); give two or more
          --approvers DIR|FILE    the registered approvers' public keys
          --recall-key FILE       the recall key file (default: the file named by {RecallKey.EnvironmentVariable})
          --out FILE              where to write pseudonym,vin lines (a new file, mode 0600)
          --to-topic NAME         instead, publish one JSON object (requestId, campaign, pseudonym, vin) per VIN
                                  to this topic, the recall system's
          --bootstrap HOST:PORT   Kafka bootstrap servers (default {DefaultBootstrap})
          --escrow-topic NAME     the escrow (default {Topics.QualityEscrow})
          --audit-topic NAME      the recall audit (default {Topics.RecallAudit})
          --max-batch N           most pseudonyms per request (default {RecallLimits.DefaultMaxBatch})
          --max-per-campaign N    most resolutions per campaign within the window (default {RecallLimits.DefaultMaxPerCampaign})
          --window-hours H        the rate limit's window in hours (default {RecallLimits.DefaultWindowHours})
          --timeout SECONDS       how long reading a topic to its end may take (default {DefaultTimeoutSeconds})
        {KafkaClientProperties.UsageLines}

        Example:
          sieve recall resolve --request r.json --approval r.alice.json --approval r.bob.json --approvers /etc/sieve/approvers
                               --recall-key /etc/sieve/recall-key.json --bootstrap kafka:9092 --out /secure/r2026-014.csv
        """;

    protected override async Task<int> RunAsync(RecallResolveSettings settings, CancellationToken cancellationToken)
    {
        RecallRequest request = RecallFiles.ReadRequest(settings.Request!);
        var approvals = settings.Approvals.Select(RecallFiles.ReadApproval).ToList();
        ApproverRegistry registry;
        try
        {
            registry = ApproverRegistry.Load(settings.Approvers!);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            return ThrowHelper.Usage<int>($"--approvers: {e.Message}");
        }

        using (registry)
        {
            RecallKey key = RecallFiles.ReadRecallKey(settings.RecallKey);
            if (settings.Out is not null)
            {
                OwnerOnlyFile.CheckWritable(settings.Out, "--out", overwrite: false);
            }

            KafkaClientProperties properties = KafkaClientProperties.From(settings);
            var consumerConfig = new ConsumerConfig();
            properties.ApplyTo(consumerConfig);
            consumerConfig.BootstrapServers = settings.Bootstrap;
            string destination = settings.Out is not null ? "file" : "topic:" + settings.ToTopic;
            var limits = new RecallLimits(settings.MaxBatchValue, settings.MaxPerCampaignValue, TimeSpan.FromHours(settings.WindowHoursValue));
            TimeSpan timeout = TimeSpan.FromSeconds(settings.TimeoutSeconds);

            RecallRefusal? refusal = ApprovalCheck.Check(request, approvals, registry, out IReadOnlyList<string> approvers) ?? limits.CheckBatch(request);
            if (refusal is null)
            {
                List<RecallAuditRecord> prior = Read(settings, () => RecallAuditReader.ReadAll(consumerConfig, settings.AuditTopic, timeout, cancellationToken));
                refusal = limits.CheckRate(request, prior, DateTimeOffset.UtcNow);
            }

            if (refusal is not null)
            {
                await AuditAsync(settings, properties, new RecallAuditRecord(request.RequestId, request.DigestHex, request.Campaign, request.LegalBasis, approvers,
                    RecallOutcome.Refused, refusal.Code, request.Pseudonyms.Count, 0, 0, destination, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), cancellationToken).ConfigureAwait(false);
                return ThrowHelper.Failure<int>($"refused ({refusal.Code}): {refusal.Message}; nothing was decrypted");
            }

            var wanted = new HashSet<string>(request.Pseudonyms, StringComparer.Ordinal);
            (Dictionary<string, EscrowRecord> entries, _) = Read(settings, () => EscrowReader.ReadLatest(consumerConfig, settings.EscrowTopic, wanted, timeout, cancellationToken));
            var resolved = new List<(string Pseudonym, string Vin)>();
            int missing = 0, otherKey = 0, failed = 0;
            using (var opener = new EscrowOpener(key))
            {
                foreach (string pseudonym in request.Pseudonyms)
                {
                    if (!entries.TryGetValue(pseudonym, out EscrowRecord? entry))
                    {
                        missing++;
                        continue;
                    }

                    switch (opener.Open(entry, pseudonym, out string? vin))
                    {
                        case EscrowOpenStatus.Opened:
                            resolved.Add((pseudonym, vin!));
                            break;
                        case EscrowOpenStatus.OtherKey:
                            otherKey++;
                            break;
                        default:
                            failed++;
                            break;
                    }
                }
            }

            int unresolved = request.Pseudonyms.Count - resolved.Count;
            var audit = new RecallAuditRecord(request.RequestId, request.DigestHex, request.Campaign, request.LegalBasis, approvers,
                RecallOutcome.Resolved, "", request.Pseudonyms.Count, resolved.Count, unresolved, destination, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (settings.Out is not null)
            {
                // Written aside first, audited, then put in place: no VIN reaches the destination unaudited.
                var csv = new StringBuilder("pseudonym,vin\n");
                foreach ((string pseudonym, string vin) in resolved)
                {
                    csv.Append(pseudonym).Append(',').Append(vin).Append('\n');
                }

                string temporary = OwnerOnlyFile.WriteTemporary(settings.Out, csv.ToString());
                try
                {
                    await AuditAsync(settings, properties, audit, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    OwnerOnlyFile.Discard(temporary);
                    throw;
                }

                OwnerOnlyFile.Commit(temporary, settings.Out, overwrite: false);
            }
            else
            {
                await AuditAsync(settings, properties, audit, cancellationToken).ConfigureAwait(false);
                await PublishVinsAsync(settings, properties, request, resolved, cancellationToken).ConfigureAwait(false);
            }

            PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
                $"resolved request {request.RequestId} (campaign {request.Campaign}, approved by {string.Join(" and ", approvers)}): {request.Pseudonyms.Count} requested, {resolved.Count} resolved, {unresolved} unresolved ({missing} without an escrow entry, {otherKey} sealed under another recall key, {failed} that did not open)"));
            PlainText.WriteLine(Console, settings.Out is not null
                ? $"VINs written to {settings.Out} (mode 0600); audit record on {settings.AuditTopic}"
                : $"VINs published to {settings.ToTopic}; audit record on {settings.AuditTopic}");
            return ExitCodes.Ok;
        }
    }

    private static T Read<T>(RecallResolveSettings settings, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (TimeoutException e)
        {
            return ThrowHelper.Failure<T>($"{e.Message.TrimEnd('.')} via {settings.Bootstrap}; check the broker, or raise --timeout; nothing was decrypted");
        }
        catch (KafkaException e)
        {
            return ThrowHelper.Failure<T>($"cannot read Kafka at {settings.Bootstrap}: {e.Error.Code}; nothing was decrypted");
        }
    }

    private static Task AuditAsync(RecallResolveSettings settings, KafkaClientProperties properties, RecallAuditRecord record, CancellationToken cancellationToken) =>
        KafkaPublish.PublishAsync(settings.Bootstrap, properties, settings.AuditTopic, settings.TimeoutSeconds,
            new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(record.Campaign), Value = RecallAuditCodec.Encode(record) }, cancellationToken);

    private static async Task PublishVinsAsync(RecallResolveSettings settings, KafkaClientProperties properties, RecallRequest request,
        List<(string Pseudonym, string Vin)> resolved, CancellationToken cancellationToken)
    {
        var config = new ProducerConfig();
        properties.ApplyTo(config);
        config.BootstrapServers = settings.Bootstrap;
        config.Acks = Acks.All;
        config.EnableIdempotence = true;
        config.MessageTimeoutMs = settings.TimeoutSeconds * 1000;
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler(static (_, _) => { })
            .SetErrorHandler(static (_, _) => { })
            .Build();
        byte[] key = Encoding.UTF8.GetBytes(request.RequestId);
        try
        {
            foreach ((string pseudonym, string vin) in resolved)
            {
                byte[] value = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
                {
                    ["requestId"] = request.RequestId,
                    ["campaign"] = request.Campaign,
                    ["pseudonym"] = pseudonym,
                    ["vin"] = vin,
                });
                await producer.ProduceAsync(settings.ToTopic, new Message<byte[], byte[]> { Key = key, Value = value }, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (ProduceException<byte[], byte[]> e)
        {
            ThrowHelper.Failure($"could not publish to {settings.ToTopic} via {settings.Bootstrap}: {e.Error.Code}; the audit record says the request was resolved");
        }
    }
}

/// <summary>The options of <c>sieve recall resolve</c>.</summary>
internal sealed class RecallResolveSettings : KafkaClientSettings
{
    /// <summary><c>--request FILE</c>.</summary>
    [CommandOption("--request <FILE>")]
    public string? Request { get; init; }

    /// <summary><c>--approval FILE</c>, repeatable.</summary>
    [CommandOption("--approval <FILE>")]
    public string[] Approvals { get; init; } = [];

    /// <summary><c>--approvers DIR|FILE</c>.</summary>
    [CommandOption("--approvers <PATH>")]
    public string? Approvers { get; init; }

    /// <summary><c>--recall-key FILE</c>.</summary>
    [CommandOption("--recall-key <FILE>")]
    public string? RecallKey { get; init; }

    /// <summary><c>--out FILE</c>.</summary>
    [CommandOption("--out <FILE>")]
    public string? Out { get; init; }

    /// <summary><c>--to-topic NAME</c>.</summary>
    [CommandOption("--to-topic <NAME>")]
    public string? ToTopic { get; init; }

    /// <summary><c>--bootstrap HOST:PORT</c>.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string Bootstrap { get; init; } = RecallResolveCommand.DefaultBootstrap;

    /// <summary><c>--escrow-topic NAME</c>.</summary>
    [CommandOption("--escrow-topic <NAME>")]
    public string EscrowTopic { get; init; } = Topics.QualityEscrow;

    /// <summary><c>--audit-topic NAME</c>.</summary>
    [CommandOption("--audit-topic <NAME>")]
    public string AuditTopic { get; init; } = Topics.RecallAudit;

    /// <summary><c>--max-batch N</c>, as given.</summary>
    [CommandOption("--max-batch <N>")]
    public string? MaxBatch { get; init; }

    /// <summary><c>--max-per-campaign N</c>, as given.</summary>
    [CommandOption("--max-per-campaign <N>")]
    public string? MaxPerCampaign { get; init; }

    /// <summary><c>--window-hours H</c>, as given.</summary>
    [CommandOption("--window-hours <H>")]
    public string? WindowHours { get; init; }

    /// <summary><c>--timeout SECONDS</c>, as given.</summary>
    [CommandOption("--timeout <SECONDS>")]
    public string? Timeout { get; init; }

    /// <summary>Checked <c>--max-batch</c>.</summary>
    public int MaxBatchValue { get; private set; } = RecallLimits.DefaultMaxBatch;

    /// <summary>Checked <c>--max-per-campaign</c>.</summary>
    public int MaxPerCampaignValue { get; private set; } = RecallLimits.DefaultMaxPerCampaign;

    /// <summary>Checked <c>--window-hours</c>.</summary>
    public int WindowHoursValue { get; private set; } = RecallLimits.DefaultWindowHours;

    /// <summary>Checked <c>--timeout</c>.</summary>
    public int TimeoutSeconds { get; private set; } = RecallResolveCommand.DefaultTimeoutSeconds;

    protected override string CommandName => RecallResolveCommand.Name;

    public override ValidationResult Validate()
    {
        if (Request is null)
        {
            return Required("--request", "FILE");
        }

        if (Approvals.Length == 0)
        {
            return ValidationResult.Error("--approval FILE is required, twice (two different approvers); run 'sieve recall resolve --help'");
        }

        if (Approvers is null)
        {
            return Required("--approvers", "DIR|FILE");
        }

        if ((Out is null) == (ToTopic is null))
        {
            return ValidationResult.Error("give exactly one of --out FILE and --to-topic NAME");
        }

        if (ToTopic is not null && (ToTopic == EscrowTopic || ToTopic == AuditTopic))
        {
            return ValidationResult.Error("--to-topic must be the recall system's topic, not the escrow or the audit");
        }

        if (string.IsNullOrWhiteSpace(Bootstrap))
        {
            return Required("--bootstrap", "HOST:PORT");
        }

        if (MaxBatch is not null)
        {
            if (!TryDigits(MaxBatch, 1, RecallRequest.MaxPseudonyms, out int value))
            {
                return ValidationResult.Error($"--max-batch must be a whole number from 1 to {RecallRequest.MaxPseudonyms}");
            }

            MaxBatchValue = value;
        }

        if (MaxPerCampaign is not null)
        {
            if (!TryDigits(MaxPerCampaign, 1, 1000, out int value))
            {
                return ValidationResult.Error("--max-per-campaign must be a whole number from 1 to 1000");
            }

            MaxPerCampaignValue = value;
        }

        if (WindowHours is not null)
        {
            if (!TryDigits(WindowHours, 1, 24 * 366, out int value))
            {
                return ValidationResult.Error($"--window-hours must be a whole number from 1 to {24 * 366}");
            }

            WindowHoursValue = value;
        }

        ValidationResult result = CheckTimeout(Timeout, RecallResolveCommand.DefaultTimeoutSeconds, out int seconds);
        TimeoutSeconds = seconds;
        return result;
    }
}
