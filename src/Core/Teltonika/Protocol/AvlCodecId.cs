namespace Sieve.Core.Teltonika.Protocol;

/// <summary>The codec id byte of an AVL data packet (the first byte of the data field).</summary>
public enum AvlCodecId : byte
{
    /// <summary>Codec 8: 1-byte IO ids and counts, fixed-size IO values only.</summary>
    Codec8 = 0x08,

    /// <summary>Codec 8 Extended: 2-byte IO ids and counts, plus the variable-length (NX) IO section.</summary>
    Codec8Extended = 0x8E,
}
