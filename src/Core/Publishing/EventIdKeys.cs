using Sieve.Contracts.Pseudonymization;

namespace Sieve.Core.Publishing;

/// <summary>
/// The one event-id scheme of every source. A source's event ids are keyed by its own purpose key of the master key
/// ring (HKDF, see <see cref="PseudonymKeyFactory"/>): purpose = the source's label (<see cref="Purpose"/>), stable
/// epoch, under the master key pinned by id or else the ring's active key. An event id is the pseudonym
/// (<see cref="PseudonymKey.Compute"/>: HMAC-SHA256 truncated to 160 bits, 32 characters of base32 <c>a-z2-7</c>) of
/// the record's identity as the source spells it, so it repeats exactly when a record is resent, yet without the key
/// nobody can test a guessed identifier against it.
/// </summary>
/// <remarks>
/// Rotating the active master key changes the event ids of records resent across the rotation, unless the master key
/// is pinned.
/// </remarks>
public abstract class EventIdKeys
{
    private readonly PseudonymKeyFactory _factory;
    private readonly MasterKey _masterKey;

    /// <summary>Uses <paramref name="ring"/>: the key named <paramref name="masterKeyId"/>, or the active key when null or blank.</summary>
    /// <param name="ring">The master key ring.</param>
    /// <param name="purpose">The source's label, e.g. <c>event-id</c>: 1 to 64 of <c>[A-Za-z0-9._-]</c>.</param>
    /// <param name="masterKeyId">The pinned master key, or null for the active key.</param>
    /// <exception cref="ArgumentException"><paramref name="masterKeyId"/> is not in the ring.</exception>
    protected EventIdKeys(MasterKeyRing ring, string purpose, string? masterKeyId)
    {
        ArgumentNullException.ThrowIfNull(ring);
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        _factory = new PseudonymKeyFactory(ring);
        Purpose = purpose;
        if (string.IsNullOrWhiteSpace(masterKeyId))
        {
            _masterKey = ring.Active;
        }
        else if (!ring.TryGetKey(masterKeyId, out MasterKey? key))
        {
            throw new ArgumentException("The master key ring has no key with the configured id.", nameof(masterKeyId));
        }
        else
        {
            _masterKey = key;
        }
    }

    /// <summary>The source's key purpose.</summary>
    public string Purpose { get; }

    /// <summary>Id of the master key event ids are derived from.</summary>
    public string MasterKeyId => _masterKey.Id;

    /// <summary>A new event-id key (keys are not thread-safe); the caller disposes it.</summary>
    internal PseudonymKey CreateKey() => _factory.Create(Purpose, PseudonymKeyFactory.StableEpoch, _masterKey);
}
