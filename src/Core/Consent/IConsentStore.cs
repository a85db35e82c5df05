namespace Sieve.Core.Consent;

/// <summary>
/// The shared store of consent records, keyed by consent key (see <see cref="ConsentKeys"/>). Calls may allocate:
/// the minimizer's hot path reads through <see cref="ConsentCache"/>, which calls the store only on misses.
/// </summary>
/// <remarks>
/// Every change is followed by an invalidation naming the changed consent key, delivered to every store instance
/// over <see cref="Invalidated"/>. Invalidation delivery is in order; <see cref="LastHeartbeatTimestamp"/> tells up
/// to when the stream is proven complete, which bounds how stale a cached record can be.
/// </remarks>
public interface IConsentStore
{
    /// <summary>
    /// Applies one decision. Idempotent and ordered by effective time: a change older than the stored decision for
    /// the purpose is ignored (see <see cref="PurposeConsent.IsSupersededBy"/>), and a minor flag, once set, stays
    /// set. When the stored record changed, an invalidation for the key is published.
    /// </summary>
    /// <returns>True when the stored record changed; false when the change was already there or was older.</returns>
    /// <exception cref="ConsentUnavailableException">The store cannot be written now.</exception>
    /// <exception cref="ArgumentException">The consent key or purpose id is malformed.</exception>
    Task<bool> ApplyAsync(ConsentUpdate update, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the records of <paramref name="consentKeys"/> in one pipelined round trip. Keys the store does not know
    /// map to <see cref="ConsentRecord.Empty"/>; every requested key is in the result.
    /// </summary>
    /// <exception cref="ConsentUnavailableException">The store cannot answer now.</exception>
    /// <exception cref="ArgumentException">A consent key is malformed.</exception>
    Task<IReadOnlyDictionary<string, ConsentRecord>> FetchAsync(IReadOnlyList<string> consentKeys, CancellationToken cancellationToken = default);

    /// <summary>Reads one record; <see cref="ConsentRecord.Empty"/> when the key is unknown.</summary>
    /// <exception cref="ConsentUnavailableException">The store cannot answer now.</exception>
    Task<ConsentRecord> GetAsync(string consentKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Raised with a consent key whose record changed (here or in another instance sharing the store), in the order
    /// the changes were made. Handlers run on the store's delivery thread and must be quick.
    /// </summary>
    event Action<string>? Invalidated;

    /// <summary>
    /// Raised when the invalidation stream was (re)connected: invalidations may have been lost before, so anything
    /// cached from this store must be dropped.
    /// </summary>
    event Action? InvalidationStreamReset;

    /// <summary>
    /// <see cref="TimeProvider.GetTimestamp"/> value (of the time provider the store was given) up to which the
    /// invalidation stream is proven complete: every change made before that moment has been delivered through
    /// <see cref="Invalidated"/>. <see cref="long.MinValue"/> when nothing is proven yet; <see cref="long.MaxValue"/>
    /// for a store that raises invalidations synchronously and is therefore always live.
    /// </summary>
    long LastHeartbeatTimestamp { get; }
}
