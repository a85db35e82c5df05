namespace Sieve.Commands.TopicProvisioning;

/// <summary>The Kafka topic configs Sieve sets, and their values.</summary>
internal static class TopicConfigNames
{
    /// <summary><c>cleanup.policy</c>: <c>delete</c>, <c>compact</c> or <c>compact,delete</c>.</summary>
    public const string CleanupPolicy = "cleanup.policy";

    /// <summary><c>retention.ms</c>: how long a segment is kept after its newest record's timestamp.</summary>
    public const string RetentionMs = "retention.ms";

    /// <summary><c>segment.ms</c>: how long before the active segment is rolled (only closed segments are deleted).</summary>
    public const string SegmentMs = "segment.ms";

    /// <summary><c>message.timestamp.type</c>: <c>CreateTime</c> keeps the producer's timestamp.</summary>
    public const string TimestampType = "message.timestamp.type";

    /// <summary><c>min.insync.replicas</c>: replicas that must have a write before an acks=all producer is answered.</summary>
    public const string MinInSyncReplicas = "min.insync.replicas";

    /// <summary>Delete old segments past retention.</summary>
    public const string Delete = "delete";

    /// <summary>Keep the newest record per key.</summary>
    public const string Compact = "compact";

    /// <summary>Keep the newest record per key, and only within retention.</summary>
    public const string CompactDelete = "compact,delete";

    /// <summary>The producer's timestamp.</summary>
    public const string CreateTime = "CreateTime";
}
