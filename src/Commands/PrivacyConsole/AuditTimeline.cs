using Confluent.Kafka;
using Sieve.Commands.Audit;
using Sieve.Commands.Bench;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>
/// The audit page's figures: every <c>audit.v1</c> record read once, summed per purpose and outcome in one-minute
/// buckets (the last <see cref="MaxBuckets"/> kept) and in total, with the quarantine reasons. Each
/// <see cref="Refresh"/> reads only what was committed since the last one. The release stage of an anonymized purpose
/// audits the held records it decides on (source: the purpose's pending topic); those are counted under
/// <c>PURPOSE (release stage)</c>, apart from the inputs, which the Minimizer's records account for.
/// </summary>
internal sealed class AuditTimeline(ClientConfig client, string topic, TimeSpan timeout, IReadOnlySet<string> pendingTopics)
{
    /// <summary>What the release stage's rows are called: the purpose, then this.</summary>
    public const string ReleaseStage = " (release stage)";

    /// <summary>One-minute buckets kept: a day.</summary>
    public const int MaxBuckets = 1_440;

    private const long BucketMillis = 60_000;
    private readonly Lock _gate = new();
    private readonly TopicCursor _cursor = new(client, topic, timeout);
    private readonly SortedDictionary<long, Dictionary<string, long[]>> _buckets = [];
    private readonly SortedDictionary<string, long[]> _totals = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _quarantined = new(StringComparer.Ordinal);
    private long _records;
    private long _inputs;
    private long _released;
    private long _unbalanced;
    private long _undecodable;

    /// <summary>Reads what is new on the topic, then returns a copy of the figures.</summary>
    /// <exception cref="KafkaException">The cluster could not be read.</exception>
    /// <exception cref="TimeoutException">The topic's end was not reached in time.</exception>
    public AuditSnapshot Refresh()
    {
        lock (_gate)
        {
            _cursor.CatchUp(Add);

            var buckets = new List<AuditSnapshot.Bucket>(_buckets.Count);
            foreach (KeyValuePair<long, Dictionary<string, long[]>> bucket in _buckets)
            {
                var purposes = new Dictionary<string, long[]>(StringComparer.Ordinal);
                foreach (KeyValuePair<string, long[]> pair in bucket.Value)
                {
                    purposes[pair.Key] = (long[])pair.Value.Clone();
                }

                buckets.Add(new AuditSnapshot.Bucket(DateTimeOffset.FromUnixTimeMilliseconds(bucket.Key * BucketMillis), purposes));
            }

            var totals = new SortedDictionary<string, long[]>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, long[]> pair in _totals)
            {
                totals[pair.Key] = (long[])pair.Value.Clone();
            }

            return new AuditSnapshot(_records, _inputs, _released, _unbalanced, _undecodable, totals, new SortedDictionary<string, long>(_quarantined, StringComparer.Ordinal), buckets);
        }
    }

    private void Add(ConsumeResult<Ignore, byte[]> result)
    {
        _records++;
        if (result.Message.Value is not { } value || !AuditRecordDecoder.TryDecode(value, out DecodedAudit? audit))
        {
            _undecodable++;
            return;
        }

        bool release = pendingTopics.Contains(audit.SourceTopic);
        _inputs += release ? 0 : audit.Inputs;
        _released += release ? audit.Inputs : 0;
        _unbalanced += audit.Balanced ? 0 : 1;
        long minute = audit.CommittedAt.ToUnixTimeMilliseconds() / BucketMillis;
        if (!_buckets.TryGetValue(minute, out Dictionary<string, long[]>? bucket))
        {
            bucket = new Dictionary<string, long[]>(StringComparer.Ordinal);
            _buckets[minute] = bucket;
            while (_buckets.Count > MaxBuckets)
            {
                _buckets.Remove(_buckets.Keys.First());
            }
        }

        // Quarantined inputs count under every purpose: each purpose's outcomes plus them are the inputs.
        long quarantined = audit.QuarantinedTotal;
        int quarantineIndex = AuditRecordDecoder.Outcomes.Count;
        foreach (DecodedAudit.PurposeCounts counts in audit.Purposes)
        {
            string row = release ? counts.Purpose + ReleaseStage : counts.Purpose;
            long[] inBucket = Slot(bucket, row);
            long[] total = Slot(_totals, row);
            for (int i = 0; i < counts.Counts.Length; i++)
            {
                inBucket[i] += counts.Counts[i];
                total[i] += counts.Counts[i];
            }

            inBucket[quarantineIndex] += quarantined;
            total[quarantineIndex] += quarantined;
        }

        foreach (DecodedAudit.ReasonCount reason in audit.Quarantined)
        {
            _quarantined[reason.Reason] = _quarantined.GetValueOrDefault(reason.Reason) + reason.Count;
        }
    }

    private static long[] Slot(IDictionary<string, long[]> counts, string purpose)
    {
        if (!counts.TryGetValue(purpose, out long[]? slot))
        {
            slot = new long[AuditSnapshot.Outcomes.Count];
            counts[purpose] = slot;
        }

        return slot;
    }
}

/// <summary>The audit figures at one moment.</summary>
/// <param name="Records">Audit records read.</param>
/// <param name="Inputs">Inputs of the raw topics they account for.</param>
/// <param name="ReleaseDecided">Held records the release stage of anonymized purposes decided on.</param>
/// <param name="Unbalanced">Records whose counts do not add up to their inputs for some purpose.</param>
/// <param name="Undecodable">Records that could not be read as audit records.</param>
/// <param name="Totals">Per purpose, its count of each of <see cref="Outcomes"/>.</param>
/// <param name="Quarantined">Quarantined inputs per reason code.</param>
/// <param name="Buckets">One-minute buckets, oldest first.</param>
internal sealed record AuditSnapshot(long Records, long Inputs, long ReleaseDecided, long Unbalanced, long Undecodable, IReadOnlyDictionary<string, long[]> Totals,
    IReadOnlyDictionary<string, long> Quarantined, IReadOnlyList<AuditSnapshot.Bucket> Buckets)
{
    /// <summary>The audit record's outcomes, then <c>quarantined</c>: the columns of every count array here.</summary>
    public static IReadOnlyList<string> Outcomes { get; } = [.. AuditRecordDecoder.Outcomes, "quarantined"];

    /// <summary>One minute of committed batches.</summary>
    /// <param name="Start">The minute.</param>
    /// <param name="Purposes">Per purpose, its count of each of <see cref="Outcomes"/>.</param>
    public sealed record Bucket(DateTimeOffset Start, IReadOnlyDictionary<string, long[]> Purposes);
}
