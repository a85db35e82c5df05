using System.Text;
using Confluent.Kafka;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Recall;

namespace Sieve.Core.Erasure;

/// <summary>Where an erasure request stands.</summary>
public enum ErasureState
{
    /// <summary>Requested; no receipt yet.</summary>
    Pending = 0,
    /// <summary>Its receipt says completed.</summary>
    Completed = 1,
    /// <summary>Its receipt says rejected (the detail says why).</summary>
    Rejected = 2,
}

/// <summary>
/// One erasure request as the receipts and the requests topics show it: never the identifier, only its type.
/// </summary>
/// <param name="RequestId">The request id.</param>
/// <param name="SubjectType">The identifier's type, from the receipt (or the request while it has none); null for a
/// receipt written before receipts recorded it whose request is not read.</param>
/// <param name="Reason">Why.</param>
/// <param name="State">Pending, completed or rejected.</param>
/// <param name="Detail">A reason code when rejected; empty otherwise.</param>
/// <param name="RequestedAt">When the request was made.</param>
/// <param name="MarkedAt">When the consent store held the erased mark; null when pending or rejected.</param>
/// <param name="CompletedAt">When the erasure finished; null when pending.</param>
/// <param name="Purposes">Per purpose, what was removed; empty when pending or rejected.</param>
public sealed record ErasureStatusEntry(string RequestId, SubjectType? SubjectType, ErasureReason Reason, ErasureState State, string Detail,
    DateTimeOffset RequestedAt, DateTimeOffset? MarkedAt, DateTimeOffset? CompletedAt, IReadOnlyList<PurposeErasure> Purposes)
{
    /// <summary>From the request to the receipt; null when pending.</summary>
    public TimeSpan? TimeToCompletion => CompletedAt - RequestedAt;
}

/// <summary>
/// Reads the erasure evidence: every receipt on <c>erasure.receipts.v1</c> (the latest per request id, as compaction
/// keeps it), and optionally the requests on <c>erasure.requests.v1</c>, joined by request id, which show the requests
/// still pending. That topic is in the raw zone: the identifier a request carries is dropped as soon as it is read.
/// </summary>
public static class ErasureLedger
{
    /// <summary>How long reading each topic to its end may take unless told otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Every request, oldest request first, and how many messages could not be read.</summary>
    /// <param name="config">Client settings (bootstrap servers, TLS, SASL); group and offsets are the reader's own.</param>
    /// <param name="receiptsTopic">The receipts topic.</param>
    /// <param name="requestsTopic">The requests topic, for pending requests; null to read receipts only.</param>
    /// <param name="timeout">How long reading each topic to its end may take.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <param name="ofSubject">
    /// Null for every request; else only the requests it accepts and their receipts (it is handed each request, the
    /// identifier included, and nothing of it is kept), which needs <paramref name="requestsTopic"/>: receipts do not
    /// say whose they are.
    /// </param>
    /// <param name="ofSubjectToo">
    /// With <paramref name="ofSubject"/>, request ids whose receipts are the subject's too though no request on the
    /// requests topic names them: its minor erasures (<see cref="MinorErasures.RequestIdsOf"/>).
    /// </param>
    /// <exception cref="TimeoutException">A topic's end was not reached in time.</exception>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    public static (IReadOnlyList<ErasureStatusEntry> Entries, int Undecodable) Read(ConsumerConfig config, string receiptsTopic, string? requestsTopic,
        TimeSpan timeout, CancellationToken cancellationToken, Func<ErasureRequest, bool>? ofSubject = null, IReadOnlySet<string>? ofSubjectToo = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentException.ThrowIfNullOrEmpty(receiptsTopic);
        if (ofSubject is not null && requestsTopic is null)
        {
            throw new ArgumentException("Finding a subject's requests needs the requests topic.", nameof(requestsTopic));
        }

        int undecodable = 0;
        var requests = new Dictionary<string, (SubjectType Type, ErasureReason Reason, DateTimeOffset RequestedAt)>(StringComparer.Ordinal);
        if (requestsTopic is not null)
        {
            TopicSnapshot.Read(config, requestsTopic, result =>
            {
                // A request the worker could not read was quarantined and has no receipt: not an erasure.
                if (ErasureCodec.TryDecodeRequest(result.Message.Value, out ErasureRequest? request, out _) && (ofSubject is null || ofSubject(request)))
                {
                    requests.TryAdd(request.RequestId, (request.SubjectType, request.Reason, request.RequestedAt));
                }
            }, timeout, cancellationToken);
        }

        var receipts = new Dictionary<string, ErasureReceipt>(StringComparer.Ordinal);
        TopicSnapshot.Read(config, receiptsTopic, result =>
        {
            if (result.Message.Value is null && result.Message.Key is { } key)
            {
                receipts.Remove(Encoding.UTF8.GetString(key));
            }
            else if (ErasureCodec.TryDecodeReceipt(result.Message.Value, out ErasureReceipt? receipt, out _))
            {
                if (ofSubject is null || requests.ContainsKey(receipt.RequestId) || ofSubjectToo?.Contains(receipt.RequestId) == true)
                {
                    receipts[receipt.RequestId] = receipt;
                }
            }
            else
            {
                undecodable++;
            }
        }, timeout, cancellationToken);

        var entries = new List<ErasureStatusEntry>(receipts.Count + requests.Count);
        foreach (ErasureReceipt r in receipts.Values)
        {
            SubjectType? type = r.SubjectType ?? (requests.TryGetValue(r.RequestId, out var request) ? request.Type : null);
            entries.Add(new ErasureStatusEntry(r.RequestId, type, r.Reason, r.Status == ErasureStatus.Completed ? ErasureState.Completed : ErasureState.Rejected,
                r.Detail, r.RequestedAt, r.MarkedAt, r.CompletedAt, r.Purposes));
        }

        foreach (KeyValuePair<string, (SubjectType Type, ErasureReason Reason, DateTimeOffset RequestedAt)> pair in requests)
        {
            if (!receipts.ContainsKey(pair.Key))
            {
                entries.Add(new ErasureStatusEntry(pair.Key, pair.Value.Type, pair.Value.Reason, ErasureState.Pending, "", pair.Value.RequestedAt, null, null, []));
            }
        }

        entries.Sort(static (a, b) => a.RequestedAt != b.RequestedAt ? a.RequestedAt.CompareTo(b.RequestedAt) : string.CompareOrdinal(a.RequestId, b.RequestId));
        return (entries, undecodable);
    }
}
