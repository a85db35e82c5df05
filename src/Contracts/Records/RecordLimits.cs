namespace Sieve.Contracts.Records;

/// <summary>Caps applied while decoding raw events. Anything larger is invalid input, never a reason to allocate.</summary>
public static class RecordLimits
{
    /// <summary>Longest identifier or id string, in UTF-8 bytes.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Longest free-text string (a name, a domain, a DTC code), in UTF-8 bytes.</summary>
    public const int MaxTextLength = 256;

    /// <summary>Most DTC codes in one status report.</summary>
    public const int MaxDtcCodes = 64;

    /// <summary>Most visited domains in one Wi-Fi session record.</summary>
    public const int MaxVisitedDomains = 512;

    /// <summary>Largest raw message value accepted, in bytes.</summary>
    public const int MaxMessageBytes = 64 * 1024;
}
