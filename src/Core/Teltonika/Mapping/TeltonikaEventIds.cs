using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Publishing;

namespace Sieve.Core.Teltonika.Mapping;

/// <summary>
/// The key Teltonika eventIds are derived under (the <see cref="EventIdKeys"/> scheme): the master key ring's
/// <see cref="PurposeName"/> purpose, stable epoch. An eventId is a keyed HMAC of the IMEI and the record's identity
/// (see <see cref="TelematicsEventMapper"/>), so it repeats exactly when a unit resends a record, yet reveals nothing
/// about the IMEI without the key.
/// </summary>
/// <remarks>
/// The master key is pinned by id when <c>Ingest:Teltonika:EventIdMasterKeyId</c> is set; otherwise the ring's
/// active key is used, and rotating it changes the eventIds of records resent across the rotation.
/// </remarks>
public sealed class TeltonikaEventIds : EventIdKeys
{
    /// <summary>The key purpose.</summary>
    public const string PurposeName = "event-id";

    /// <summary>Uses <paramref name="ring"/>; the key named <paramref name="masterKeyId"/>, or the active key when null.</summary>
    /// <exception cref="ArgumentException"><paramref name="masterKeyId"/> is not in the ring.</exception>
    public TeltonikaEventIds(MasterKeyRing ring, string? masterKeyId = null)
        : base(ring, PurposeName, masterKeyId)
    {
    }
}
