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
    /// <summary>A character that the type does not allow.</summary>
    InvalidCharacter,
    /// <summary>Wrong number of characters or digits for the type.</summary>
    InvalidLength,
    /// <summary>Check digit (VIN) or Luhn check (IMEI) failed.</summary>
    InvalidChecksum,
    /// <summary>A MAC address with the multicast bit set cannot be a client.</summary>
    NotUnicast,
}

/// <summary>Facts learned while normalizing.</summary>
[Flags]
public enum IdentifierFlags : byte
{
    /// <summary>Nothing notable.</summary>
    None = 0,
    /// <summary>A locally administered (typically randomized, privacy) MAC address.</summary>
    LocallyAdministeredMac = 1,
}

/// <summary>Brings identifiers to one canonical form so that spellings of one identifier key alike. (Stub.)</summary>
public static class IdentifierNormalizer
{
    /// <summary>Longest normalized identifier, in bytes.</summary>
    public const int MaxNormalizedLength = 64;

    /// <summary>Normalizes <paramref name="raw"/> (UTF-8) into <paramref name="destination"/> (ASCII).</summary>
    public static NormalizeStatus TryNormalize(SubjectType type, ReadOnlySpan<byte> raw, Span<byte> destination, out int written, out IdentifierFlags flags)
    {
        _ = type;
        _ = raw;
        _ = destination;
        written = 0;
        flags = IdentifierFlags.None;
        throw new NotImplementedException();
    }

    /// <summary>A stable reason code such as <c>invalid-vin-checksum</c>; contains no identifier.</summary>
    public static string ToReasonCode(SubjectType type, NormalizeStatus status) => throw new NotImplementedException();
}
