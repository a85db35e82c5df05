namespace Sieve.Core.Teltonika.Protocol;

/// <summary>Outcome of reading the unit's opening message (2-byte length, then the IMEI in ASCII).</summary>
public enum ImeiHandshakeStatus : byte
{
    /// <summary>A 15-digit IMEI was read.</summary>
    Done = 0,

    /// <summary>The input is a prefix of what may still be a valid handshake.</summary>
    NeedMoreData,

    /// <summary>The announced length is not 15 (an IMEI has 15 digits).</summary>
    BadLength,

    /// <summary>The IMEI bytes are not all ASCII digits.</summary>
    NotDigits,
}

/// <summary>Stable, identifier-free reason codes for <see cref="ImeiHandshakeStatus"/> values.</summary>
public static class ImeiHandshakeStatusCodes
{
    /// <summary>A short kebab-case code, e.g. <c>handshake-bad-length</c>.</summary>
    public static string ToReasonCode(this ImeiHandshakeStatus status) => status switch
    {
        ImeiHandshakeStatus.Done => "ok",
        ImeiHandshakeStatus.NeedMoreData => "handshake-need-more-data",
        ImeiHandshakeStatus.BadLength => "handshake-bad-length",
        ImeiHandshakeStatus.NotDigits => "handshake-not-digits",
        _ => "handshake-unknown-status",
    };
}
