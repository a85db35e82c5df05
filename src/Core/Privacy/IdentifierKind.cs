namespace Sieve.Core.Privacy;

/// <summary>The kinds of raw identifiers put into raw events, for <see cref="RawIdentifierScanner"/>.</summary>
public enum IdentifierKind
{
    /// <summary>A vehicle identification number.</summary>
    Vin,

    /// <summary>A telematics unit's IMEI.</summary>
    Imei,

    /// <summary>A phone number.</summary>
    Phone,

    /// <summary>A MAC address.</summary>
    Mac,

    /// <summary>Another device id.</summary>
    DeviceId,

    /// <summary>A driver's name.</summary>
    DriverName,

    /// <summary>A driving licence number.</summary>
    LicenceNumber,
}
