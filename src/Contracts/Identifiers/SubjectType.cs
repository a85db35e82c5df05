namespace Sieve.Contracts.Identifiers;

/// <summary>
/// The kinds of direct identifier a data subject is known by. Values match the symbol order of the Avro enum
/// <c>sieve.common.SubjectType</c> and are the domain-separation byte in keyed pseudonyms.
/// </summary>
public enum SubjectType : byte
{
    /// <summary>Vehicle identification number.</summary>
    Vin = 0,
    /// <summary>Phone number, E.164.</summary>
    Phone = 1,
    /// <summary>Wi-Fi client MAC address.</summary>
    Mac = 2,
    /// <summary>Device identifier (IMEI for telematics units).</summary>
    DeviceId = 3,
}
