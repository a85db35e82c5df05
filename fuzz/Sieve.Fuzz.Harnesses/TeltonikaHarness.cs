using System.Buffers;
using Sieve.Core.Teltonika.Protocol;
using Sieve.Testing.Teltonika;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// The Teltonika TCP stream: the IMEI handshake (<see cref="ImeiHandshake.TryRead"/>) and AVL frames
/// (<see cref="AvlPacketParser.TryParse"/>, <see cref="AvlPacketParser.TryParseFrame"/>). Neither throws on any input
/// (their only throws are for bad arguments); "need more data" is only ever answered for a prefix of something
/// that can still become valid; whole and segmented input give the same answer; a frame is consumed exactly to its
/// announced length and bytes after it change nothing.
/// </summary>
public static class TeltonikaHarness
{
    /// <summary>Name in the registry and the corpus folder.</summary>
    public const string Name = "teltonika";

    private const int MaxFrame = AvlPacketParser.DefaultMaxFrameBytes;

    private static readonly byte[] Garbage = [0xFF, 0x00, 0x08, 0x8E, 0x01, 0x30];

    /// <summary>Checks both parsers on <paramref name="input"/>.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > Contract.MaxInputBytes)
        {
            return;
        }

        byte[] data = input.ToArray();
        Contract.NoUndocumentedException(Name, "ImeiHandshake.TryRead", () => CheckHandshake(data));

        // The AVL frames are fed both from the start of the input and after a handshake it starts with.
        Contract.NoUndocumentedException(Name, "AvlPacketParser", () => CheckFrames(data));
        if (data.Length > ImeiHandshake.MessageLength)
        {
            Contract.NoUndocumentedException(Name, "AvlPacketParser", () => CheckFrames(data[ImeiHandshake.MessageLength..]));
        }

        // A mutated frame almost never has a matching length and CRC, which would keep the fuzzer out of the record
        // parser; so the input is also read as one frame whose header and CRC are made to fit its data field.
        if (data.Length >= AvlPacketParser.FrameOverhead)
        {
            Contract.NoUndocumentedException(Name, "AvlPacketParser", () => CheckFrames(Repaired(data)));
        }
    }

    /// <summary><paramref name="data"/> with a zero preamble, the data field length it has and that data field's CRC.</summary>
    private static byte[] Repaired(byte[] data)
    {
        byte[] frame = (byte[])data.Clone();
        int dataLength = frame.Length - AvlPacketParser.FrameOverhead;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, 0);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)dataLength);
        ushort crc = Crc16Ibm.Compute(frame.AsSpan(AvlPacketParser.HeaderLength, dataLength));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(AvlPacketParser.HeaderLength + dataLength), crc);
        return frame;
    }

    private static void CheckHandshake(byte[] data)
    {
        (ImeiHandshakeStatus status, long consumed, string imei) = Handshake(new ReadOnlySequence<byte>(data));
        Contract.Require(Name, Enum.IsDefined(status), $"handshake status {(int)status} is not a defined value");
        foreach ((string shape, ReadOnlySequence<byte> sequence) in SegmentedSequence.WholeAndSplit(data))
        {
            var other = Handshake(sequence);
            Contract.Require(Name, other == (status, consumed, imei), $"handshake {shape} gave {other.Status}, whole gave {status}");
        }

        if (status != ImeiHandshakeStatus.Done)
        {
            Contract.Require(Name, consumed == 0, $"handshake {status} consumed {consumed} bytes");
            return;
        }

        Contract.Require(Name, consumed == ImeiHandshake.MessageLength, $"handshake consumed {consumed} bytes, not {ImeiHandshake.MessageLength}");
        Contract.Require(Name, imei.All(char.IsAsciiDigit), "handshake Done with a non-digit IMEI");

        // Every strict prefix of an accepted handshake needs more data; bytes after it change nothing.
        for (int length = 0; length < ImeiHandshake.MessageLength; length++)
        {
            var prefix = Handshake(SegmentedSequence.Create(data[..length], 1));
            Contract.Require(Name, prefix.Status == ImeiHandshakeStatus.NeedMoreData && prefix.Consumed == 0,
                $"handshake prefix of {length} bytes gave {prefix.Status}");
        }

        var extended = Handshake(new ReadOnlySequence<byte>([.. data[..ImeiHandshake.MessageLength], .. Garbage]));
        Contract.Require(Name, extended == (status, consumed, imei), "handshake followed by other bytes gave another result");
    }

    private static (ImeiHandshakeStatus Status, long Consumed, string Imei) Handshake(ReadOnlySequence<byte> sequence)
    {
        byte[] imei = new byte[ImeiHandshake.ImeiLength];
        ImeiHandshakeStatus status = ImeiHandshake.TryRead(sequence, imei, out SequencePosition consumed);
        return (status, sequence.Slice(0, consumed).Length, status == ImeiHandshakeStatus.Done ? System.Text.Encoding.ASCII.GetString(imei) : "");
    }

    private static void CheckFrames(byte[] data)
    {
        // Read frame after frame, as a connection does, in every shape; all shapes must agree.
        List<Frame> whole = ReadAll(new ReadOnlySequence<byte>(data));
        foreach ((string shape, ReadOnlySequence<byte> sequence) in SegmentedSequence.WholeAndSplit(data))
        {
            List<Frame> other = ReadAll(sequence);
            Contract.Require(Name, other.SequenceEqual(whole),
                $"AVL {shape} gave [{string.Join(", ", other)}], whole gave [{string.Join(", ", whole)}]");
        }

        int offset = 0;
        foreach (Frame frame in whole)
        {
            if (frame.Status == AvlStatus.Done)
            {
                CheckDoneFrame(data.AsSpan(offset, frame.Consumed).ToArray(), frame);
                offset += frame.Consumed;
            }
            else
            {
                CheckNotDone(data[offset..], frame.Status);
            }
        }
    }

    private static void CheckDoneFrame(byte[] frameBytes, Frame frame)
    {
        uint announced = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(frameBytes.AsSpan(4));
        Contract.Require(Name, frame.Consumed == AvlPacketParser.FrameOverhead + announced,
            $"consumed {frame.Consumed} bytes of a frame announcing {announced} data bytes");

        // The span parser agrees on the exact frame.
        AvlStatus spanStatus = ParseFrame(frameBytes, out string spanSummary);
        Contract.Require(Name, spanStatus == AvlStatus.Done && spanSummary == frame.Summary,
            $"TryParseFrame on the exact frame gave {spanStatus}, TryParse gave Done");

        // Every strict prefix needs more data, in every shape and through both entry points.
        using var buffers = new AvlParseBuffers();
        foreach (int length in Contract.PrefixLengths(frameBytes.Length))
        {
            byte[] prefix = frameBytes[..length];
            foreach ((string shape, ReadOnlySequence<byte> sequence) in SegmentedSequence.WholeAndSplit(prefix))
            {
                AvlStatus status = AvlPacketParser.TryParse(sequence, MaxFrame, buffers, out _, out SequencePosition consumed, out SequencePosition examined);
                Contract.Require(Name, status == AvlStatus.NeedMoreData, $"AVL prefix of {length} of {frameBytes.Length} bytes ({shape}) gave {status}");
                Contract.Require(Name, consumed.Equals(sequence.Start) && examined.Equals(sequence.End), $"AVL prefix of {length} bytes moved consumed/examined");
            }

            AvlStatus direct = ParseFrame(prefix, out _);
            Contract.Require(Name, direct == AvlStatus.NeedMoreData, $"TryParseFrame on a prefix of {length} of {frameBytes.Length} bytes gave {direct}");
        }

        // Bytes after the frame are neither read nor consumed.
        byte[] extended = [.. frameBytes, .. Garbage];
        foreach ((string shape, ReadOnlySequence<byte> sequence) in SegmentedSequence.WholeAndSplit(extended))
        {
            Frame again = ReadOne(sequence, buffers);
            Contract.Require(Name, again == frame, $"AVL frame followed by other bytes ({shape}) gave {again}, alone {frame}");
        }
    }

    private static void CheckNotDone(byte[] rest, AvlStatus status)
    {
        Contract.Require(Name, Enum.IsDefined(status) && !status.ToReasonCode().EndsWith("unknown-status", StringComparison.Ordinal),
            $"AVL status {(int)status} is not a defined value");
        if (status != AvlStatus.NeedMoreData)
        {
            // An error is final: more bytes after the bad ones cannot turn it into need-more-data or into a packet.
            using var buffers = new AvlParseBuffers();
            Frame extended = ReadOne(new ReadOnlySequence<byte>([.. rest, .. Garbage]), buffers);
            Contract.Require(Name, extended.Status == status, $"AVL {status} became {extended.Status} with more bytes");
        }
    }

    private static List<Frame> ReadAll(ReadOnlySequence<byte> input)
    {
        using var buffers = new AvlParseBuffers();
        var frames = new List<Frame>();
        ReadOnlySequence<byte> rest = input;
        while (frames.Count < 64)
        {
            Frame frame = ReadOne(rest, buffers);
            frames.Add(frame);
            if (frame.Status != AvlStatus.Done)
            {
                break;
            }

            rest = rest.Slice(frame.Consumed);
        }

        return frames;
    }

    private static Frame ReadOne(ReadOnlySequence<byte> input, AvlParseBuffers buffers)
    {
        AvlStatus status = AvlPacketParser.TryParse(input, MaxFrame, buffers, out AvlPacket packet, out SequencePosition consumed, out SequencePosition examined);
        long consumedBytes = input.Slice(0, consumed).Length;
        if (status != AvlStatus.Done)
        {
            Contract.Require(Name, consumedBytes == 0 && examined.Equals(input.End), $"AVL {status} consumed {consumedBytes} bytes or examined less than all");
            return new Frame(status, 0, "");
        }

        long examinedBytes = input.Slice(0, examined).Length;
        Contract.Require(Name, examinedBytes == consumedBytes && consumedBytes == packet.FrameLength && consumedBytes <= input.Length,
            $"AVL Done consumed {consumedBytes}, examined {examinedBytes}, frame length {packet.FrameLength}");
        return new Frame(status, (int)consumedBytes, Summarize(packet));
    }

    private static AvlStatus ParseFrame(byte[] frame, out string summary)
    {
        var records = new AvlRecord[AvlPacketParser.MaxRecordsPerPacket];
        var io = new AvlIoElement[AvlPacketParser.MaxIoElements(frame.Length)];
        AvlStatus status = AvlPacketParser.TryParseFrame(frame, records, io, out AvlPacket packet);
        summary = status == AvlStatus.Done ? Summarize(packet) : "";
        return status;
    }

    /// <summary>Everything the packet says, including every value byte, so two parses can be compared.</summary>
    private static string Summarize(AvlPacket packet)
    {
        var text = new System.Text.StringBuilder();
        text.Append(packet.Codec).Append('/').Append(packet.FrameLength).Append('/').Append(packet.Data.Length);
        foreach (AvlRecord record in packet.Records)
        {
            text.Append(";r").Append(record.Timestamp).Append(',').Append(record.Priority).Append(',').Append(record.Longitude)
                .Append(',').Append(record.Latitude).Append(',').Append(record.Altitude).Append(',').Append(record.Angle)
                .Append(',').Append(record.Satellites).Append(',').Append(record.Speed).Append(',').Append(record.EventIoId)
                .Append(',').Append(record.IoCount);
            foreach (AvlIoElement element in packet.IoOf(record))
            {
                // Reading the value bytes checks they lie inside the data field.
                ReadOnlySpan<byte> value = packet.ValueBytes(element);
                text.Append(",io").Append(element.Id).Append(element.IsVariable ? 'v' : 'f').Append(element.RawValue).Append(':').Append(Convert.ToHexString(value));
            }
        }

        return text.ToString();
    }

    private readonly record struct Frame(AvlStatus Status, int Consumed, string Summary);
}
