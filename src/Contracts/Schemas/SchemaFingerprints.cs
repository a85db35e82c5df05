namespace Sieve.Contracts.Schemas;

/// <summary>
/// Fingerprints of the schemas the hand-written span codecs implement. If a .avsc file changes, its fingerprint
/// changes, and <c>SchemaDriftTests</c> fails until the codec and this constant are updated together.
/// </summary>
public static class SchemaFingerprints
{
    /// <summary>CRC-64-AVRO of <c>schemas/telematics-event.avsc</c>'s canonical form.</summary>
    public const ulong TelematicsEvent = 0x5155F261CE0463C8UL;

    /// <summary>CRC-64-AVRO of <c>schemas/wifi-event.avsc</c>'s canonical form.</summary>
    public const ulong WifiEvent = 0x8DA8FB09AA81463FUL;

    /// <summary>CRC-64-AVRO of <c>schemas/consent-change.avsc</c>'s canonical form.</summary>
    public const ulong ConsentChange = 0x14460DA668753E70UL;
}
