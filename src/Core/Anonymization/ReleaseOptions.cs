namespace Sieve.Core.Anonymization;

/// <summary>Timing of the release stage (the policy's <c>anonymize</c> block sets everything about what is released).</summary>
public sealed record ReleaseOptions
{
    /// <summary>
    /// A pending partition with no new record for this long is treated as complete, and everything it holds is
    /// decided (with the counts known then). Bounds the delay of the last buckets before a quiet period; a pause
    /// upstream longer than this decides (cell, bucket)s before all their vehicles are counted, which withholds more
    /// and lowers published counts (<see cref="ReleaseEngine.IdleFlushes"/> counts such rounds). <see cref="Never"/>
    /// turns it off, for a replay that ends with <see cref="ReleaseEngine.CompleteInput"/>.
    /// </summary>
    public int IdleFlushMs { get; init; } = 10_000;

    /// <summary>An <see cref="IdleFlushMs"/> that never comes.</summary>
    public const int Never = int.MaxValue;
}
