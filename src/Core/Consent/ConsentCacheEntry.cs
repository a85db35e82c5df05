namespace Sieve.Core.Consent;

/// <summary>
/// One record held by the <see cref="ConsentCache"/>, with the timestamp taken just before the fetch that read it
/// was sent. A caller may keep the reference and re-validate it with <see cref="ConsentCache.IsCurrent(ConsentCacheEntry)"/> instead of
/// looking its key up again: the entry is current only while it sits in the cache's young generation, and the cache
/// moves <see cref="Generation"/> away from that (or the young generation away from the entry) whenever the entry is
/// invalidated, replaced, aged into the old generation, evicted or reset.
/// </summary>
internal sealed class ConsentCacheEntry
{
    /// <summary>The <see cref="Generation"/> of an entry the cache no longer holds.</summary>
    public const int Dropped = -1;

    /// <summary>The young generation this entry was last placed in, or <see cref="Dropped"/>. Written under the cache's lock.</summary>
    public int Generation;

    public ConsentCacheEntry(ConsentRecord record, long fetchedAt)
    {
        Record = record;
        FetchedAt = fetchedAt;
        Generation = Dropped;
    }

    /// <summary>The subject's record as fetched.</summary>
    public ConsentRecord Record { get; }

    /// <summary>Timestamp (the cache's clock) taken before the fetch that read <see cref="Record"/> was sent.</summary>
    public long FetchedAt { get; }
}
