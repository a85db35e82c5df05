namespace Sieve.Core.Consent;

/// <summary>Settings of <see cref="ConsentCache"/> (configuration section <c>Consent:Cache</c>).</summary>
public sealed class ConsentCacheOptions
{
    /// <summary>Most subjects held; at least 2. Default 1,000,000. See <see cref="ConsentCache"/> for how entries are evicted.</summary>
    public int Capacity { get; set; } = 1_000_000;

    /// <summary>
    /// Bound on how stale a record the cache vouches for may be: an entry is served only while it was fetched, or
    /// the store's invalidation stream was proven complete, within this long. Positive; default 1 second.
    /// </summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>An entry older than this is refetched even when the invalidation stream is live (catches expiries and missed messages). Positive; default 5 minutes.</summary>
    public TimeSpan MaxEntryAge { get; set; } = TimeSpan.FromMinutes(5);
}
