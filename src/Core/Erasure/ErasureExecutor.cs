using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Lake;
using Sieve.Core.Metrics;

namespace Sieve.Core.Erasure;

/// <summary>
/// Carries out one erasure request, in this order: (1) mark the subject erased in the consent store, so no
/// minimizer forwards anything of theirs to any purpose from then on (within the near-caches' staleness bound);
/// (2) derive their pseudonyms for every purpose and key epoch within retention; (3) stop the lake from landing
/// them and publish one notice per pseudonym, each linked to nothing but its pseudonym; (4) rewrite the lake files that hold their rows without them;
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
            var rejected = new ErasureReceipt(request.RequestId, request.Reason, ErasureStatus.Rejected, code, request.RequestedAt, null, _time.GetUtcNow(), []);
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

        var receipt = new ErasureReceipt(request.RequestId, request.Reason, ErasureStatus.Completed, "", request.RequestedAt, markedAt, _time.GetUtcNow(), purposes);
        await publisher.PublishReceiptAsync(receipt, cancellationToken).ConfigureAwait(false);
        double elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.ErasureDuration.Record(elapsed);
        Count(request.Reason, ErasureStatus.Completed);
        LogCompleted(logger, request.RequestId, request.Reason, notices.Count, purposes.Sum(p => p.RowsRemoved), elapsed);
        return receipt;
    }

    private void Count(ErasureReason reason, ErasureStatus status) =>
        metrics.ErasureRequests.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()), new KeyValuePair<string, object?>("status", status.ToString()));

    [LoggerMessage(EventId = 5201, Level = LogLevel.Information, Message = "Erasure {RequestId} ({Reason}) completed: {Notices} notices, {Rows} lake rows removed in {ElapsedMs} ms")]
    private static partial void LogCompleted(ILogger logger, string requestId, ErasureReason reason, int notices, long rows, double elapsedMs);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "Erasure {RequestId} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string requestId, string reason);
}
