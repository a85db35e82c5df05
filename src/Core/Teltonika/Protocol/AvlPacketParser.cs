using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sieve.Core.Teltonika.Protocol;

/// <summary>
/// Reads Teltonika AVL data packets (Codec 8 and Codec 8 Extended over TCP):
/// <c>00000000 | data field length (4) | codec id | record count | records | record count | CRC (4)</c>, all
/// big-endian, the CRC being CRC-16/IBM of the data field in the low two bytes of its field.
/// </summary>
/// <remarks>
/// <para>"Need more data" and "invalid" are kept apart: <see cref="AvlStatus.NeedMoreData"/> means the bytes seen
/// so far can still become a valid packet; every other non-<see cref="AvlStatus.Done"/> status names what is wrong.
/// The announced length is checked against the maximum frame size before waiting for (and so buffering) the
/// frame, and garbage is rejected from its first non-zero preamble byte.</para>
/// <para>Records are parsed into caller buffers: nothing is allocated per packet or per record, and no byte outside
/// the frame is read.</para>
/// </remarks>
public static class AvlPacketParser
{
    /// <summary>Bytes before the data field: preamble (4) and data field length (4).</summary>
    public const int HeaderLength = 8;

    /// <summary>Bytes of the CRC field after the data field.</summary>
    public const int CrcFieldLength = 4;

    /// <summary>Bytes of a frame that are not the data field.</summary>
    public const int FrameOverhead = HeaderLength + CrcFieldLength;

    /// <summary>
    /// Smallest data field: codec id, count, one Codec 8 record without IO elements (timestamp 8, priority 1, GPS 15,
    /// event id, total and four per-size counts of 1 byte each) and the trailing count.
    /// </summary>
    public const int MinDataFieldLength = 1 + 1 + RecordFixedLength + 6 + 1;

    /// <summary>Smallest whole frame.</summary>
    public const int MinFrameLength = FrameOverhead + MinDataFieldLength;

    /// <summary>The record count is one byte, so no packet holds more records.</summary>
    public const int MaxRecordsPerPacket = 255;

    /// <summary>Frame size limit used when none is configured: 64 KiB.</summary>
    public const int DefaultMaxFrameBytes = 64 * 1024;

    /// <summary>
    /// Largest frame size limit accepted: 512 KiB. A frame must fit in the connection's input buffer, and Kestrel's
    /// socket transport stops reading at 1 MiB unconsumed; real units send a few KiB at most.
    /// </summary>
    public const int MaxFrameBytesLimit = 512 * 1024;

    /// <summary>Timestamp, priority and GPS element.</summary>
    private const int RecordFixedLength = 8 + 1 + 15;

    /// <summary>
    /// Upper bound on the IO elements a frame of <paramref name="frameLength"/> bytes can hold: every element takes at
    /// least two bytes of the data field (a 1-byte id and a 1-byte value in Codec 8).
    /// </summary>
    public static int MaxIoElements(int frameLength) => Math.Max(0, frameLength - FrameOverhead) / 2;

    /// <summary>
    /// Finds one whole frame at the start of <paramref name="input"/> and checks its preamble and announced length;
    /// neither the CRC nor the records are looked at.
    /// </summary>
    /// <param name="input">Bytes received so far; the frame must start at its first byte.</param>
    /// <param name="maxFrameBytes">Largest acceptable frame, overhead included.</param>
    /// <param name="frame">On <see cref="AvlStatus.Done"/>, the frame's bytes (a slice of <paramref name="input"/>).</param>
    /// <returns><see cref="AvlStatus.Done"/>, <see cref="AvlStatus.NeedMoreData"/>, <see cref="AvlStatus.BadPreamble"/>,
    /// <see cref="AvlStatus.FrameTooLarge"/> or <see cref="AvlStatus.FrameTooSmall"/>.</returns>
    public static AvlStatus TryReadFrame(in ReadOnlySequence<byte> input, int maxFrameBytes, out ReadOnlySequence<byte> frame)
    {
        ValidateMaxFrameBytes(maxFrameBytes);
        frame = default;
        Span<byte> header = stackalloc byte[HeaderLength];
        if (input.Length < HeaderLength)
        {
            // Reject garbage from its first non-zero preamble byte instead of waiting for a header.
            int available = (int)input.Length;
            input.CopyTo(header);
            return header[..Math.Min(available, 4)].ContainsAnyExcept((byte)0) ? AvlStatus.BadPreamble : AvlStatus.NeedMoreData;
        }

        input.Slice(0, HeaderLength).CopyTo(header);
        if (BinaryPrimitives.ReadUInt32BigEndian(header) != 0)
        {
            return AvlStatus.BadPreamble;
        }

        uint dataLength = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (dataLength > (uint)(maxFrameBytes - FrameOverhead))
        {
            return AvlStatus.FrameTooLarge;
        }

        if (dataLength < MinDataFieldLength)
        {
            return AvlStatus.FrameTooSmall;
        }

        long frameLength = FrameOverhead + dataLength;
        if (input.Length < frameLength)
        {
            return AvlStatus.NeedMoreData;
        }

        frame = input.Slice(0, frameLength);
        return AvlStatus.Done;
    }

    /// <summary>
    /// Reads one packet from the start of <paramref name="input"/>, in the contract of a pipe reader's message
    /// parser: on <see cref="AvlStatus.Done"/>, <paramref name="consumed"/> and <paramref name="examined"/> are the end
    /// of the frame; on <see cref="AvlStatus.NeedMoreData"/> (and on errors) nothing is consumed and everything was
    /// examined.
    /// </summary>
    /// <param name="input">Bytes received so far.</param>
    /// <param name="maxFrameBytes">Largest acceptable frame, overhead included.</param>
    /// <param name="buffers">
    /// Where records and IO elements are written; a frame that spans several segments is first copied into its
    /// scratch buffer. <paramref name="packet"/> points into these buffers (and into <paramref name="input"/>).
    /// </param>
    /// <param name="packet">The packet, on <see cref="AvlStatus.Done"/>.</param>
    /// <param name="consumed">Where the caller may release the input up to.</param>
    /// <param name="examined">How far the input was looked at.</param>
    public static AvlStatus TryParse(
        in ReadOnlySequence<byte> input, int maxFrameBytes, AvlParseBuffers buffers, out AvlPacket packet, out SequencePosition consumed, out SequencePosition examined)
    {
        ArgumentNullException.ThrowIfNull(buffers);
        packet = default;
        consumed = input.Start;
        examined = input.End;
        AvlStatus status = TryReadFrame(input, maxFrameBytes, out ReadOnlySequence<byte> frame);
        if (status != AvlStatus.Done)
        {
            return status;
        }

        ReadOnlySpan<byte> bytes = frame.IsSingleSegment ? frame.FirstSpan : buffers.CopyToScratch(frame);
        status = TryParseFrame(bytes, buffers.RecordBuffer(), buffers.IoBuffer(MaxIoElements(bytes.Length)), out packet);
        if (status == AvlStatus.Done)
        {
            consumed = frame.End;
            examined = frame.End;
        }

        return status;
    }

    /// <summary>
    /// Parses one whole frame held in one span: checks preamble, length, CRC, codec and both record counts, then
    /// reads every record into <paramref name="records"/> and their IO elements into <paramref name="ioElements"/>.
    /// </summary>
    /// <param name="frame">Exactly one frame: preamble through CRC field.</param>
    /// <param name="records">Receives the records; <see cref="MaxRecordsPerPacket"/> entries always suffice.</param>
    /// <param name="ioElements">Receives every record's IO elements; <see cref="MaxIoElements"/> of the frame length always suffices.</param>
    /// <param name="packet">The packet, on <see cref="AvlStatus.Done"/>; it points into the three spans.</param>
    public static AvlStatus TryParseFrame(ReadOnlySpan<byte> frame, Span<AvlRecord> records, Span<AvlIoElement> ioElements, out AvlPacket packet)
    {
        packet = default;
        if (frame.Length < HeaderLength)
        {
            return frame[..Math.Min(frame.Length, 4)].ContainsAnyExcept((byte)0) ? AvlStatus.BadPreamble : AvlStatus.NeedMoreData;
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(frame) != 0)
        {
            return AvlStatus.BadPreamble;
        }

        uint announced = BinaryPrimitives.ReadUInt32BigEndian(frame[4..]);
        if (announced < MinDataFieldLength)
        {
            return AvlStatus.FrameTooSmall;
        }

        // In long arithmetic: a span of 8 to 11 bytes holds the header but not yet the CRC field, and still needs more data.
        long frameLength = FrameOverhead + (long)announced;
        if (frameLength > frame.Length)
        {
            return AvlStatus.NeedMoreData;
        }

        if (frameLength != frame.Length)
        {
            return AvlStatus.TrailingBytes;
        }

        int dataLength = (int)announced;
        ReadOnlySpan<byte> data = frame.Slice(HeaderLength, dataLength);
        uint crcField = BinaryPrimitives.ReadUInt32BigEndian(frame[(HeaderLength + dataLength)..]);
        if (crcField != Crc16Ibm.Compute(data))
        {
            return AvlStatus.CrcMismatch;
        }

        bool extended;
        switch (data[0])
        {
            case (byte)AvlCodecId.Codec8:
                extended = false;
                break;
            case (byte)AvlCodecId.Codec8Extended:
                extended = true;
                break;
            default:
                return AvlStatus.UnknownCodec;
        }

        int recordCount = data[1];
        if (recordCount != data[dataLength - 1])
        {
            return AvlStatus.RecordCountMismatch;
        }

        if (recordCount == 0)
        {
            return AvlStatus.NoRecords;
        }

        if (recordCount > records.Length)
        {
            return AvlStatus.TooManyRecords;
        }

        // Records occupy data[2 .. dataLength - 1): the trailing count is the last byte.
        int end = dataLength - 1;
        int position = 2;
        int ioUsed = 0;
        for (int r = 0; r < recordCount; r++)
        {
            AvlStatus recordStatus = extended
                ? TryReadRecord<ExtendedLayout>(data, end, ref position, ioElements, ref ioUsed, out records[r])
                : TryReadRecord<Codec8Layout>(data, end, ref position, ioElements, ref ioUsed, out records[r]);
            if (recordStatus != AvlStatus.Done)
            {
                return recordStatus;
            }
        }

        if (position != end)
        {
            return AvlStatus.TrailingBytes;
        }

        packet = new AvlPacket((AvlCodecId)data[0], data, records[..recordCount], ioElements[..ioUsed], frame.Length);
        return AvlStatus.Done;
    }

    private static AvlStatus TryReadRecord<TLayout>(
        ReadOnlySpan<byte> data, int end, ref int position, Span<AvlIoElement> io, ref int ioUsed, out AvlRecord record)
        where TLayout : struct, IIoLayout
    {
        record = default;
        int pos = position;
        if (end - pos < RecordFixedLength + (2 * TLayout.Width))
        {
            return AvlStatus.TruncatedRecord;
        }

        int recordOffset = pos;
        long timestamp = BinaryPrimitives.ReadInt64BigEndian(data[pos..]);
        byte priority = data[pos + 8];
        int longitude = BinaryPrimitives.ReadInt32BigEndian(data[(pos + 9)..]);
        int latitude = BinaryPrimitives.ReadInt32BigEndian(data[(pos + 13)..]);
        short altitude = BinaryPrimitives.ReadInt16BigEndian(data[(pos + 17)..]);
        ushort angle = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 19)..]);
        byte satellites = data[pos + 21];
        ushort speed = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 22)..]);
        pos += RecordFixedLength;

        ushort eventIoId = TLayout.Read(data, pos);
        int declaredTotal = TLayout.Read(data, pos + TLayout.Width);
        pos += 2 * TLayout.Width;

        int firstIo = ioUsed;
        int sum = 0;
        for (int size = 1; size <= 8; size <<= 1)
        {
            if (end - pos < TLayout.Width)
            {
                return AvlStatus.TruncatedRecord;
            }

            int count = TLayout.Read(data, pos);
            pos += TLayout.Width;
            sum += count;
            int elementLength = TLayout.Width + size;
            if ((long)count * elementLength > end - pos)
            {
                return AvlStatus.TruncatedRecord;
            }

            if (count > io.Length - ioUsed)
            {
                return AvlStatus.TooManyIoElements;
            }

            for (int i = 0; i < count; i++)
            {
                ushort id = TLayout.Read(data, pos);
                int valueOffset = pos + TLayout.Width;
                io[ioUsed++] = new AvlIoElement(id, (ushort)size, ReadFixed(data, valueOffset, size), valueOffset, isVariable: false);
                pos += elementLength;
            }
        }

        if (TLayout.HasVariableSection)
        {
            if (end - pos < 2)
            {
                return AvlStatus.TruncatedRecord;
            }

            int count = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
            pos += 2;
            sum += count;
            for (int i = 0; i < count; i++)
            {
                if (end - pos < 4)
                {
                    return AvlStatus.TruncatedRecord;
                }

                ushort id = BinaryPrimitives.ReadUInt16BigEndian(data[pos..]);
                ushort length = BinaryPrimitives.ReadUInt16BigEndian(data[(pos + 2)..]);
                pos += 4;
                if (length > end - pos)
                {
                    return AvlStatus.TruncatedRecord;
                }

                if (ioUsed == io.Length)
                {
                    return AvlStatus.TooManyIoElements;
                }

                io[ioUsed++] = new AvlIoElement(id, length, 0, pos, isVariable: true);
                pos += length;
            }
        }

        if (sum != declaredTotal)
        {
            return AvlStatus.IoCountMismatch;
        }

        record = new AvlRecord(timestamp, priority, longitude, latitude, altitude, angle, satellites, speed, eventIoId, firstIo, ioUsed - firstIo, recordOffset);
        position = pos;
        return AvlStatus.Done;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadFixed(ReadOnlySpan<byte> data, int offset, int size) => size switch
    {
        1 => data[offset],
        2 => BinaryPrimitives.ReadUInt16BigEndian(data[offset..]),
        4 => BinaryPrimitives.ReadUInt32BigEndian(data[offset..]),
        _ => BinaryPrimitives.ReadUInt64BigEndian(data[offset..]),
    };

    private static void ValidateMaxFrameBytes(int maxFrameBytes)
    {
        if (maxFrameBytes < MinFrameLength || maxFrameBytes > MaxFrameBytesLimit)
        {
            ThrowHelper.ThrowMaxFrameBytesOutOfRange(nameof(maxFrameBytes), MinFrameLength, MaxFrameBytesLimit);
        }
    }

    /// <summary>The widths that differ between Codec 8 and Codec 8 Extended; a struct type argument so each layout gets its own compiled loop.</summary>
    private interface IIoLayout
    {
        /// <summary>Bytes of an IO id, of the event IO id and of every IO count.</summary>
        static abstract int Width { get; }

        /// <summary>Whether the record has the NX (variable-size) section after the 8-byte elements.</summary>
        static abstract bool HasVariableSection { get; }

        /// <summary>Reads one id or count of <see cref="Width"/> bytes at <paramref name="offset"/>.</summary>
        static abstract ushort Read(ReadOnlySpan<byte> data, int offset);
    }

    private struct Codec8Layout : IIoLayout
    {
        public static int Width => 1;

        public static bool HasVariableSection => false;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ushort Read(ReadOnlySpan<byte> data, int offset) => data[offset];
    }

    private struct ExtendedLayout : IIoLayout
    {
        public static int Width => 2;

        public static bool HasVariableSection => true;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ushort Read(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
    }
}
