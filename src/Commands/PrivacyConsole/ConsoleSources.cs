using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Sieve.Commands.Consent;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Core.Access;
using Sieve.Core.Consent;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Privacy;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>
/// Where the console's pages get what they show, and where its two actions go: the consent store, the lake, the
/// erasure topics, the audit topic, consent changes and the privacy report. Everything a page shows is keyed by
/// pseudonym or request id; the identifier of a lookup is used to derive pseudonyms and, for an action, as the key
/// of the raw-zone record the pipeline needs.
/// </summary>
internal sealed class ConsoleSources : IAsyncDisposable
{
    private readonly ConsoleOptions _options;
    private readonly RedisConsentStore _store;
    private readonly IReadOnlyList<LakeTable> _tables;
    private readonly ConsumerConfig _consumer;

    private ConsoleSources(ConsoleOptions options, RedisConsentStore store)
    {
        _options = options;
        _store = store;
        _tables = LakeTable.FromPolicy(options.Policy);
        _consumer = new ConsumerConfig();
        options.Kafka?.ApplyTo(_consumer);
        _consumer.BootstrapServers = options.Bootstrap;
        var pending = new HashSet<string>(StringComparer.Ordinal);
        foreach (Core.Policy.PurposePlan plan in options.Policy.Purposes)
        {
            if (plan.Anonymization is { } anonymization)
            {
                pending.Add(anonymization.PendingTopic);
            }
        }

        Audit = new AuditTimeline(_consumer, options.AuditTopic, options.ReadTimeout, pending);
        Minors = new MinorErasureIndex(_consumer, options.ConsentTopic, options.ReadTimeout,
            (type, subjectId) => Normalized(type, subjectId) is { } normalized ? ConsentKey(type, normalized) : null);
    }

    /// <summary>The audit figures.</summary>
    public AuditTimeline Audit { get; }

    /// <summary>Every subject's erasures as a minor, by consent key.</summary>
    public MinorErasureIndex Minors { get; }

    /// <summary>Connects to the consent store.</summary>
    /// <exception cref="CliException">Redis cannot be reached; the message says how to fix it.</exception>
    public static async Task<ConsoleSources> OpenAsync(ConsoleOptions options) =>
        new(options, await ConsentStoreConnection.ConnectAsync(options.Redis).ConfigureAwait(false));

    /// <summary>The subject's consent key: its keyed pseudonym under purpose consent-index.</summary>
    public string ConsentKey(SubjectType type, string normalizedId)
    {
        using PseudonymKey key = new PseudonymKeyFactory(_options.Keys).Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        return key.ComputeString(type, normalizedId);
    }

    /// <summary>Everything the subject page shows of <paramref name="lookup"/>.</summary>
    /// <exception cref="ConsentUnavailableException">The consent store cannot answer.</exception>
    /// <exception cref="KafkaException">The erasure topics cannot be read.</exception>
    /// <exception cref="DuckDB.NET.Data.DuckDBException">The lake cannot be read.</exception>
    public async Task<SubjectView> SubjectAsync(SubjectLookups.Lookup lookup, CancellationToken cancellationToken)
    {
        var access = new SubjectAccess(_options.Lake, _tables, new PseudonymKeyFactory(_options.Keys), _store, _options.Time);

        // DuckDB reads the lake synchronously: off the request's thread.
        AccessReport report = await Task.Run(() => access.ReportAsync(lookup.Type, lookup.NormalizedId, cancellationToken), cancellationToken).ConfigureAwait(false);
        SubjectType type = lookup.Type;
        string id = lookup.NormalizedId;
        IReadOnlyList<ErasureStatusEntry> erasures = await Task.Run(() =>
        {
            // Erasures of the subject as a minor have no request: the consent changes that flagged it name them.
            IReadOnlySet<string> minor = Minors.Of(ConsentKey(type, id));
            return ErasureLedger.Read(_consumer, _options.ReceiptsTopic, _options.RequestsTopic, _options.ReadTimeout, cancellationToken,
                r => r.SubjectType == type && Normalized(r.SubjectType, r.SubjectId) == id, minor).Entries;
        }, cancellationToken).ConfigureAwait(false);
        return new SubjectView(report, erasures);
    }

    /// <summary>Every erasure request and its receipt.</summary>
    /// <exception cref="KafkaException">The erasure topics cannot be read.</exception>
    public async Task<(IReadOnlyList<ErasureStatusEntry> Entries, int Undecodable)> ErasuresAsync(CancellationToken cancellationToken) =>
        await Task.Run(() => ErasureLedger.Read(_consumer, _options.ReceiptsTopic, _options.RequestsTopic, _options.ReadTimeout, cancellationToken), cancellationToken)
            .ConfigureAwait(false);

    /// <summary>Publishes an erasure request for <paramref name="lookup"/>; returns its request id.</summary>
    /// <exception cref="CliException">Kafka did not take it; the message says why.</exception>
    public async Task<string> RequestErasureAsync(SubjectLookups.Lookup lookup)
    {
        string requestId = ErasureRequestId.New();
        var request = new ErasureRequest(lookup.Type, lookup.NormalizedId, requestId, ErasureReason.UserRequest, _options.Time.GetUtcNow());
        var message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(requestId), Value = ErasureCodec.EncodeRequest(request) };
        // Not cancelled with the browser's request: once asked for, the request is published or the publish times out.
        await KafkaPublish.PublishAsync(_options.Bootstrap, _options.Kafka ?? KafkaClientProperties.None, _options.RequestsTopic, PublishTimeoutSeconds, message, CancellationToken.None)
            .ConfigureAwait(false);
        return requestId;
    }

    /// <summary>True when the consent store has <paramref name="lookup"/>'s subject erased.</summary>
    /// <exception cref="ConsentUnavailableException">The consent store cannot answer.</exception>
    public async Task<bool> IsErasedAsync(SubjectLookups.Lookup lookup, CancellationToken cancellationToken) =>
        (await _store.GetAsync(lookup.ConsentKey, cancellationToken).ConfigureAwait(false)).Erased;

    /// <summary>Publishes the withdrawal of <paramref name="purpose"/> by <paramref name="lookup"/>'s subject, effective now.</summary>
    /// <exception cref="CliException">Kafka did not take it; the message says why.</exception>
    public async Task WithdrawAsync(SubjectLookups.Lookup lookup, string purpose)
    {
        var change = new ConsentChangeData
        {
            SubjectType = lookup.Type,
            SubjectId = lookup.NormalizedId,
            Purpose = purpose,
            Granted = false,
            EffectiveTime = _options.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            PolicyVersion = _options.Policy.PolicyVersion,
        };
        await KafkaPublish.PublishAsync(_options.Bootstrap, _options.Kafka ?? KafkaClientProperties.None, _options.ConsentTopic, PublishTimeoutSeconds,
            new Message<byte[], byte[]> { Key = change.MessageKey(), Value = change.ToMessage() }, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The latest privacy figures, or null with the reason there are none.</summary>
    public (PrivacyFigures? Figures, string? Missing) Privacy()
    {
        if (_options.PrivacyReport is not { } path)
        {
            return (null, "no report was given: run 'sieve privacy --json FILE ...' and start the console with --privacy-report FILE");
        }

        try
        {
            using FileStream stream = File.OpenRead(path);
            PrivacyFigures? figures = JsonSerializer.Deserialize<PrivacyFigures>(stream, Sieve.Commands.Privacy.PrivacyCommand.JsonOptions);
            return figures?.Report is null
                ? (null, "the report file holds no privacy report; write it with 'sieve privacy --json FILE'")
                : (figures with { WrittenAt = File.GetLastWriteTimeUtc(path) }, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            return (null, $"the report file cannot be read ({e.GetType().Name}); write it again with 'sieve privacy --json FILE'");
        }
    }

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    private const int PublishTimeoutSeconds = 30;

    private static string? Normalized(SubjectType type, string id) =>
        SubjectArguments.TryNormalize(id, type, out string normalized, out _) ? normalized : null;
}

/// <summary>What the subject page shows: the consent record, what the lake holds, and the subject's erasure requests.</summary>
/// <param name="Access">
/// The consent store's record (<see cref="AccessReport.Consent"/>, empty when the subject never consented) and per
/// lake purpose: pseudonyms, rows, first and last event time.
/// </param>
/// <param name="Erasures">
/// The subject's erasure requests (from the requests topic, within its retention) and their receipts, and the receipts
/// of its erasures as a minor (named by the consent changes that flagged it).
/// </param>
internal sealed record SubjectView(AccessReport Access, IReadOnlyList<ErasureStatusEntry> Erasures);

/// <summary>The file <c>sieve privacy --json</c> writes.</summary>
/// <param name="Purpose">The purpose measured.</param>
/// <param name="GeohashPrecision">Its cell size.</param>
/// <param name="BucketMinutes">Its time bucket.</param>
/// <param name="GroundTruth">True when the run knew the true vehicles (a simulation).</param>
/// <param name="MeasuredRecords">Released records measured.</param>
/// <param name="SkippedRecords">Records skipped.</param>
/// <param name="Report">The attack suite's figures.</param>
internal sealed record PrivacyFigures(string Purpose, int GeohashPrecision, long BucketMinutes, bool GroundTruth, long MeasuredRecords, long SkippedRecords,
    PrivacyReport? Report)
{
    /// <summary>When the file was written.</summary>
    public DateTime? WrittenAt { get; init; }
}
