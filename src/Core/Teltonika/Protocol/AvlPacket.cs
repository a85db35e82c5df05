namespace Sieve.Core.Teltonika.Protocol;

/// <summary>
/// A parsed AVL data packet. Nothing is copied: <see cref="Data"/> is the packet's data field (codec id through
/// the trailing record count) in the caller's buffer, and <see cref="Records"/> and <see cref="IoElements"/> are
/// the filled parts of the caller's record and IO element buffers. Valid only while those buffers are.
/// </summary>
public readonly ref struct AvlPacket
{
    /// <summary>Creates a packet view.</summary>
    public AvlPacket(AvlCodecId codec, ReadOnlySpan<byte> data, ReadOnlySpan<AvlRecord> records, ReadOnlySpan<AvlIoElement> ioElements, int frameLength)
    {
        Codec = codec;
        Data = data;
        Records = records;
        IoElements = ioElements;
        FrameLength = frameLength;
    }

    /// <summary>The codec the packet was encoded with.</summary>
    public AvlCodecId Codec { get; }

    /// <summary>The data field: from the codec id to the trailing record count, inclusive.</summary>
    public ReadOnlySpan<byte> Data { get; }

    /// <summary>The records, in the order the unit sent them.</summary>
    public ReadOnlySpan<AvlRecord> Records { get; }

    /// <summary>Every record's IO elements, record after record.</summary>
    public ReadOnlySpan<AvlIoElement> IoElements { get; }

    /// <summary>Bytes of the whole frame: preamble, length, data field and CRC field.</summary>
    public int FrameLength { get; }

    /// <summary>The IO elements of <paramref name="record"/>.</summary>
    public ReadOnlySpan<AvlIoElement> IoOf(in AvlRecord record) => IoElements.Slice(record.IoIndex, record.IoCount);

    /// <summary>The value bytes of <paramref name="element"/> (big-endian for fixed-size values; raw for NX values).</summary>
    public ReadOnlySpan<byte> ValueBytes(in AvlIoElement element) => Data.Slice(element.ValueOffset, element.Length);

    /// <summary>Finds the first IO element of <paramref name="record"/> with <paramref name="id"/>.</summary>
    public bool TryFindIo(in AvlRecord record, ushort id, out AvlIoElement element)
    {
        foreach (ref readonly AvlIoElement candidate in IoOf(record))
        {
            if (candidate.Id == id)
            {
                element = candidate;
                return true;
            }
        }

        element = default;
        return false;
    }
}
