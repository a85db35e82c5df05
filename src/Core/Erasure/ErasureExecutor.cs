using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Core.Consent;
using Sieve.Core.Lake;
using Sieve.Core.Metrics;

namespace Sieve.Core.Erasure;

/// <summary>
/// Carries out one erasure request, in this order: (1) mark the subject erased in the consent store, so no
/// minimizer forwards anything of theirs to any purpose from then on (within the near-caches' staleness bound);
/// (2) derive their pseudonyms for every purpose and key epoch within retention; (3) stop the lake from landing
/// them and publish one notice per pseudonym, each linked to nothing but its pseudonym, and a tombstone for each key the
/// subject's consent decisions can have on the consent changes topic; (4) rewrite the lake files that hold their rows without them;
/// (5) publish a receipt. Every step is idempotent, so a request retried after a failure completes the same way.
/// </summary>
public sealed partial class ErasureExecutor(
    IReadOnlyList<LakeTable> tables,
    PseudonymKeyFactory keys,
    IConsentEraser consent,
    ErasedSubjects erased,
    LakeEraser lake,
    IErasurePublisher publisher,
    SinkMetrics metrics,
    ILogger logger,
    TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Carries out <paramref name="request"/> and returns its receipt (also published).</summary>
    /// <exception cref="ConsentUnavailableException">The consent store cannot be written; nothing after the mark was done. Retry.</exception>
    public async Task<ErasureReceipt> ExecuteAsync(ErasureRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        long started = Stopwatch.GetTimestamp();
        DateTimeOffset now = _time.GetUtcNow();
        if (!SubjectPseudonyms.TryDerive(keys, tables, request.SubjectType, request.SubjectId, now, out SubjectPseudonyms.Derived? derived, out NormalizeStatus status))
        {
            string code = IdentifierNormalizer.ToReasonCode(request.SubjectType, status);
            var rejected = new ErasureReceipt(request.RequestId, request.Reason, ErasureStatus.Rejected, code, request.RequestedAt, null, _time.GetUtcNow(), [], request.SubjectType);
            await publisher.PublishReceiptAsync(rejected, cancellationToken).ConfigureAwait(false);
            Count(request.Reason, ErasureStatus.Rejected);
            LogRejected(logger, request.RequestId, code);
            return rejected;
        }

        await consent.MarkErasedAsync(derived!.ConsentKey, cancellationToken).ConfigureAwait(false);
        DateTimeOffset markedAt = _time.GetUtcNow();
        metrics.ErasureMarkDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        var notices = new List<ErasureNotice>();
        foreach (IReadOnlyList<PurposePseudonym> pseudonyms in derived.ByPurpose.Values)
        {
            foreach (PurposePseudonym p in pseudonyms)
            {
                erased.Add(p.Purpose, p.Pseudonym);
                notices.Add(new ErasureNotice(p.Purpose, p.Pseudonym, p.KeyIds, ErasureNoticeId.New()));
            }
        }

        await publisher.PublishNoticesAsync(notices, cancellationToken).ConfigureAwait(false);

        // The erased mark already withholds the subject; the tombstones let compaction drop their decisions, and with
        // them the raw identifier in the keys. A decision replayed later cannot lift the mark.
        await publisher.PublishConsentTombstonesAsync(ConsentTombstoneKeys(request.SubjectType, request.SubjectId), cancellationToken).ConfigureAwait(false);

        var purposes = new List<PurposeErasure>(tables.Count);
        foreach (LakeTable table in tables)
        {
            IReadOnlyList<PurposePseudonym> pseudonyms = derived.ByPurpose[table.Purpose];
            var subjects = new List<string>(pseudonyms.Count);
            foreach (PurposePseudonym p in pseudonyms)
            {
                subjects.Add(p.Pseudonym);
            }

            (long rows, int files) = await lake.EraseAsync(table, subjects, cancellationToken).ConfigureAwait(false);
            purposes.Add(new PurposeErasure(table.Purpose, pseudonyms.Count, rows, files));
            metrics.ErasureRowsRemoved.Add(rows, new KeyValuePair<string, object?>("purpose", table.Purpose));
        }

        var receipt = new ErasureReceipt(request.RequestId, request.Reason, ErasureStatus.Completed, "", request.RequestedAt, markedAt, _time.GetUtcNow(), purposes,
            request.SubjectType);
        await publisher.PublishReceiptAsync(receipt, cancellationToken).ConfigureAwait(false);
        double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.ErasureDuration.Record(elapsed);
        Count(request.Reason, ErasureStatus.Completed);
        LogCompleted(logger, request.RequestId, request.Reason, notices.Count, purposes.Sum(p => p.RowsRemoved), elapsed);
        return receipt;
    }

    /// <summary>
    /// The keys the subject's consent decisions can have on the consent changes topic: one per declared purpose, for the
    /// identifier in its normalized spelling and, when it differs, as the request spelled it.
    /// </summary>
    public static IReadOnlyList<byte[]> ConsentTombstoneKeys(SubjectType type, string subjectId)
    {
        ArgumentNullException.ThrowIfNull(subjectId);
        var spellings = new List<string>(2);
        if (IdentifierNormalizer.TryNormalize(type, subjectId, out string normalized) == NormalizeStatus.Ok)
        {
            spellings.Add(normalized);
        }

        if (!spellings.Contains(subjectId, StringComparer.Ordinal))
        {
            spellings.Add(subjectId);
        }

        var keys = new List<byte[]>(spellings.Count * KnownPurposes.Count);
        foreach (string spelling in spellings)
        {
            foreach (string purpose in KnownPurposes.All)
            {
                keys.Add(ConsentChangeData.MessageKey(type, spelling, purpose));
            }
        }

        return keys;
    }

    private void Count(ErasureReason reason, ErasureStatus status) =>
        metrics.ErasureRequests.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()), new KeyValuePair<string, object?>("status", status.ToString()));

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Erasure {RequestId} ({Reason}) completed: {Notices} notices, {Rows} lake rows removed in {ElapsedMs} ms")]
    private static partial void LogCompleted(ILogger logger, string requestId, ErasureReason reason, int notices, long rows, double elapsedMs);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Erasure {RequestId} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string requestId, string reason);
}
