using System.Globalization;
using Sieve.Contracts;
using Sieve.Core.Policy;
using Sieve.Core.Erasure;
using Sieve.Core.Retention;

namespace Sieve.Commands.TopicProvisioning;

/// <summary>
/// Plans every topic Sieve uses: the raw topics, <c>consent.changes.v1</c>, one topic per policy purpose, the ops
/// topics, the erasure topics, the recall escrow and the recall audit. Purpose topics keep their records as long as the policy's retention for that
/// purpose (<see cref="PurposePlan.RetentionDays"/>), or shorter where <see cref="RetentionPolicy"/> shortens it, so
/// Kafka never holds a minimized record longer than the policy promises.
/// </summary>
internal static class TopicPlanner
{
    /// <summary>Partitions of the raw and purpose topics unless <c>--partitions</c> says otherwise.</summary>
    public const int DefaultPartitions = 12;

    /// <summary>Replication factor unless <c>--replication-factor</c> says otherwise.</summary>
    public const short DefaultReplicationFactor = 3;

    /// <summary>The low-volume topics (consent, quarantine, audit, erasure) get at most this many partitions.</summary>
    public const int MaxControlPartitions = 3;

    /// <summary>Raw topics hold identifiers: kept only long enough to ride out a Minimizer outage over a weekend.</summary>
    public const int RawRetentionDays = 3;

    /// <summary>Quarantine pointers (no payload): a month of history for operations.</summary>
    public const int QuarantineRetentionDays = 30;

    /// <summary>Erasure requests hold the identifier: kept for the one-month deadline to answer a request, then gone.</summary>
    public const int ErasureRequestRetentionDays = 30;

    /// <summary>
    /// The recall audit: ten years, so every resolution stays provable for as long as the recalled vehicles are on
    /// the road and the recall records the regulation requires are kept. It holds no VIN and no pseudonym.
    /// </summary>
    public const int RecallAuditRetentionDays = 3650;

    /// <summary>The note of the escrow topic's plan.</summary>
    public const string EscrowNote = "restricted: readable only by the Minimizer (write) and the recall resolver (read); holds VINs under the recall key";

    /// <summary>Topics kept at most this many days roll a segment daily; longer ones weekly (Kafka's default).</summary>
    public const int DailySegmentsUpToDays = 30;

    private const long DayMs = 86_400_000L;

    /// <summary>Days a pending topic keeps what the consent stage handed to a release stage (its hold is at most hours).</summary>
    public const int PendingRetentionDays = 1;

    /// <summary>Plans the topics for <paramref name="policy"/>.</summary>
    /// <param name="policy">The policy whose purposes get topics.</param>
    /// <param name="retention">Days kept per purpose: the policy's retention, possibly shortened.</param>
    /// <param name="partitions">Partitions of the raw and purpose topics; the others get at most <see cref="MaxControlPartitions"/>.</param>
    /// <param name="replicationFactor">Replicas per partition.</param>
    public static IReadOnlyList<TopicPlan> Plan(CompiledPolicy policy, RetentionPolicy retention, int partitions, short replicationFactor)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(retention);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, (short)1);
        int control = Math.Min(partitions, MaxControlPartitions);
        int longestPurposeDays = 1;
        foreach (PurposePlan purpose in policy.Purposes)
        {
            longestPurposeDays = Math.Max(longestPurposeDays, retention.DaysFor(purpose.Name));
        }

        var plans = new List<TopicPlan>
        {
            Deleted(Topics.TelematicsRaw, partitions, replicationFactor, RawRetentionDays,
                "identifiers: kept only to ride out a Minimizer outage"),
            Deleted(Topics.WifiRaw, partitions, replicationFactor, RawRetentionDays,
                "identifiers: kept only to ride out a Minimizer outage"),
            Compacted(Topics.ConsentChanges, control, replicationFactor, TopicConfigNames.Compact, null,
                "latest decision per subject and purpose, kept so Redis can be rebuilt"),
        };

        foreach (PurposePlan purpose in policy.Purposes)
        {
            int days = retention.DaysFor(purpose.Name);
            plans.Add(Deleted(purpose.Topic, partitions, replicationFactor, days,
                string.Create(CultureInfo.InvariantCulture, $"{purpose.Name}: kept {days} days, the policy's retention or shorter")));
            if (purpose.Anonymization is { } anonymization)
            {
                plans.Add(Deleted(anonymization.PendingTopic, partitions, replicationFactor, PendingRetentionDays,
                    $"{purpose.Name} held for its release stage: precise place and time, Minimizer only"));
            }

            if (purpose.EscrowTopic is { } escrow)
            {
                // Latest entry per pseudonym; an entry older than the purpose's retention goes with the last records it
                // could explain (the Minimizer seals a reporting vehicle again well within that).
                plans.Add(Compacted(escrow, control, replicationFactor, TopicConfigNames.CompactDelete, days, EscrowNote));
            }
        }

        plans.Add(Deleted(Topics.Quarantine, control, replicationFactor, QuarantineRetentionDays,
            "pointers and reason codes, no payload"));
        plans.Add(Deleted(Topics.Audit, control, replicationFactor, longestPurposeDays,
            "accounting for every record any purpose still holds"));
        plans.Add(Deleted(Topics.ErasureRequests, control, replicationFactor, ErasureRequestRetentionDays,
            "identifiers: kept for the one-month answer deadline"));
        plans.Add(Compacted(Topics.ErasureNotices, control, replicationFactor, TopicConfigNames.CompactDelete, longestPurposeDays,
            "one per pseudonym, while any purpose topic may still hold its records"));
        plans.Add(Compacted(Topics.ErasureReceipts, control, replicationFactor, TopicConfigNames.Compact, null,
            "latest receipt per request, kept as proof; no identifier"));
        plans.Add(Deleted(Topics.RecallAudit, control, replicationFactor, RecallAuditRetentionDays,
            "one record per recall resolution, kept ten years as proof; no VIN, no pseudonym"));
        return plans;
    }

    /// <summary><c>min.insync.replicas</c> for <paramref name="replicationFactor"/>: 2 when there are 3 or more replicas, so one broker may be down.</summary>
    public static int MinInSyncReplicas(short replicationFactor) => replicationFactor >= 3 ? 2 : 1;

    /// <summary>Milliseconds in <paramref name="days"/> days.</summary>
    public static long DaysToMs(int days) => days * DayMs;

    private static TopicPlan Deleted(string name, int partitions, short replicationFactor, int days, string why)
    {
        SortedDictionary<string, string> configs = Common(replicationFactor);
        configs[TopicConfigNames.CleanupPolicy] = TopicConfigNames.Delete;
        AddRetention(configs, days);
        return new TopicPlan(name, partitions, replicationFactor, configs, why);
    }

    private static TopicPlan Compacted(string name, int partitions, short replicationFactor, string cleanup, int? days, string why)
    {
        SortedDictionary<string, string> configs = Common(replicationFactor);
        configs[TopicConfigNames.CleanupPolicy] = cleanup;
        if (days is { } kept)
        {
            AddRetention(configs, kept);
        }

        return new TopicPlan(name, partitions, replicationFactor, configs, why);
    }

    private static SortedDictionary<string, string> Common(short replicationFactor) => new(StringComparer.Ordinal)
    {
        // Purpose records carry their own (bucketed) time as the timestamp; a broker default of LogAppendTime would
        // add a precise one, and the Minimizer copies input timestamps into the records it produces.
        [TopicConfigNames.TimestampType] = TopicConfigNames.CreateTime,
        [TopicConfigNames.MinInSyncReplicas] = MinInSyncReplicas(replicationFactor).ToString(CultureInfo.InvariantCulture),
    };

    private static void AddRetention(SortedDictionary<string, string> configs, int days)
    {
        // Kafka deletes only closed segments, so a record can outlive retention by up to one segment's age.
        long segmentMs = days <= DailySegmentsUpToDays ? DayMs : 7 * DayMs;
        configs[TopicConfigNames.RetentionMs] = DaysToMs(days).ToString(CultureInfo.InvariantCulture);
        configs[TopicConfigNames.SegmentMs] = segmentMs.ToString(CultureInfo.InvariantCulture);
    }
}
