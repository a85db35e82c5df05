namespace Sieve.Core.Consent;

/// <summary>
/// Marks subjects erased in the consent store. An erased subject's record reads with
/// <see cref="ConsentRecord.Erased"/> set, and <see cref="ConsentRules"/> withholds every event of theirs from every
/// purpose. Kept apart from <see cref="IConsentStore"/> so that stores which only serve reads need not offer it.
/// </summary>
public interface IConsentEraser
{
    /// <summary>
    /// Sets the sticky erased mark on <paramref name="consentKey"/>'s record (creating it if the subject is unknown)
    /// and publishes an invalidation for it, so near-caches drop the subject at once.
    /// </summary>
    /// <returns>True when the mark is new; false when the subject was already erased.</returns>
    /// <exception cref="ConsentUnavailableException">The store cannot be written now.</exception>
    /// <exception cref="ArgumentException">The consent key is malformed.</exception>
    Task<bool> MarkErasedAsync(string consentKey, CancellationToken cancellationToken = default);
}
