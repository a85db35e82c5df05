namespace Sieve.Core.Anonymization;

/// <summary>Timing of the release stage (the policy's <c>anonymize</c> block sets everything about what is released).</summary>
public sealed record ReleaseOptions
{
    /// <summary>
    /// A pending partition with no new record for this long is treated as complete, and everything it holds is
    /// decided (with the counts known then). Bounds the delay of the last buckets before a quiet period.
    /// </summary>
    public int IdleFlushMs { get; init; } = 10_000;
}
