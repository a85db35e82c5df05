namespace Sieve.Core.Teltonika.Protocol;

/// <summary>
/// Outcome of reading an AVL data packet. <see cref="Done"/> and <see cref="NeedMoreData"/> are the two normal
/// outcomes; every other value names one specific way the bytes are not a valid packet, after which the
/// connection is closed (a stream cannot be re-synchronised once a frame boundary is lost).
/// </summary>
public enum AvlStatus : byte
{
    /// <summary>A whole, valid packet was read.</summary>
    Done = 0,

    /// <summary>The input is a prefix of what may still be a valid packet; read more and try again.</summary>
    NeedMoreData,

    /// <summary>The first four bytes were not zero.</summary>
    BadPreamble,

    /// <summary>The data field length announces a frame larger than the configured maximum (checked before any buffering).</summary>
    FrameTooLarge,

    /// <summary>The data field length is smaller than the smallest possible packet.</summary>
    FrameTooSmall,

    /// <summary>The CRC field does not hold the CRC-16/IBM of the data field (or its upper two bytes are not zero).</summary>
    CrcMismatch,

    /// <summary>The codec id is neither 0x08 nor 0x8E.</summary>
    UnknownCodec,

    /// <summary>The record count before the records differs from the count after them.</summary>
    RecordCountMismatch,

    /// <summary>The record count is zero.</summary>
    NoRecords,

    /// <summary>The record count exceeds the caller's record buffer.</summary>
    TooManyRecords,

    /// <summary>A record (or one of its IO elements) runs past the end of the data field.</summary>
    TruncatedRecord,

    /// <summary>A record's total IO count differs from the sum of its per-size IO counts.</summary>
    IoCountMismatch,

    /// <summary>The packet holds more IO elements than the caller's IO element buffer.</summary>
    TooManyIoElements,

    /// <summary>Bytes remain between the last record and the trailing record count.</summary>
    TrailingBytes,
}

/// <summary>Stable, identifier-free reason codes for <see cref="AvlStatus"/> values (logs and metric tags).</summary>
public static class AvlStatusCodes
{
    /// <summary>A short kebab-case code, e.g. <c>avl-crc-mismatch</c>.</summary>
    public static string ToReasonCode(this AvlStatus status) => status switch
    {
        AvlStatus.Done => "ok",
        AvlStatus.NeedMoreData => "avl-need-more-data",
        AvlStatus.BadPreamble => "avl-bad-preamble",
        AvlStatus.FrameTooLarge => "avl-frame-too-large",
        AvlStatus.FrameTooSmall => "avl-frame-too-small",
        AvlStatus.CrcMismatch => "avl-crc-mismatch",
        AvlStatus.UnknownCodec => "avl-unknown-codec",
        AvlStatus.RecordCountMismatch => "avl-record-count-mismatch",
        AvlStatus.NoRecords => "avl-no-records",
        AvlStatus.TooManyRecords => "avl-too-many-records",
        AvlStatus.TruncatedRecord => "avl-truncated-record",
        AvlStatus.IoCountMismatch => "avl-io-count-mismatch",
        AvlStatus.TooManyIoElements => "avl-too-many-io-elements",
        AvlStatus.TrailingBytes => "avl-trailing-bytes",
        _ => "avl-unknown-status",
    };
}
