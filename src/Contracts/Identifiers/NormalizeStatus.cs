namespace Sieve.Contracts.Identifiers;

/// <summary>Why an identifier could not be normalized. Never carries the identifier itself.</summary>
public enum NormalizeStatus : byte
{
    /// <summary>Normalized.</summary>
    Ok = 0,
    /// <summary>Empty or only whitespace.</summary>
    Empty,
    /// <summary>Longer than any valid identifier of its type.</summary>
    TooLong,
    /// <summary>A character that the type does not allow, or a character in a place the format does not allow.</summary>
    InvalidCharacter,
    /// <summary>Wrong number of characters or digits for the type.</summary>
    InvalidLength,
    /// <summary>Check digit (VIN) or Luhn check (IMEI) failed.</summary>
    InvalidChecksum,
    /// <summary>A MAC address with the multicast bit set cannot be a client.</summary>
    NotUnicast,
}
