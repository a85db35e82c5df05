using Sieve.Contracts.Pseudonymization;

namespace Sieve.Core.Teltonika.Mapping;

/// <summary>
/// The key eventIds are derived under: the master key ring's <see cref="Purpose"/> purpose, stable epoch
/// (HKDF, see <see cref="PseudonymKeyFactory"/>). An eventId is a keyed HMAC of the IMEI and the record's identity,
/// so it repeats exactly when a unit resends a record, yet reveals nothing about the IMEI without the key.
/// </summary>
/// <remarks>
/// The master key is pinned by id when <c>Ingest:Teltonika:EventIdMasterKeyId</c> is set; otherwise the ring's
/// active key is used, and rotating it changes the eventIds of records resent across the rotation.
/// </remarks>
public sealed class TeltonikaEventIds
{
    /// <summary>The key purpose.</summary>
    public const string Purpose = "event-id";

    private readonly PseudonymKeyFactory _factory;
    private readonly MasterKey _masterKey;

    /// <summary>Uses <paramref name="ring"/>; the key named <paramref name="masterKeyId"/>, or the active key when null.</summary>
    /// <exception cref="ArgumentException"><paramref name="masterKeyId"/> is not in the ring.</exception>
    public TeltonikaEventIds(MasterKeyRing ring, string? masterKeyId = null)
    {
        ArgumentNullException.ThrowIfNull(ring);
        _factory = new PseudonymKeyFactory(ring);
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

    /// <summary>Id of the master key eventIds are derived from.</summary>
    public string MasterKeyId => _masterKey.Id;

    /// <summary>A key for one connection (keys are not thread-safe); the caller disposes it.</summary>
    internal PseudonymKey CreateKey() => _factory.Create(Purpose, PseudonymKeyFactory.StableEpoch, _masterKey);
}
