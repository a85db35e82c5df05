using System.Buffers.Binary;
using System.Buffers;
using Sieve.Core.Teltonika.Protocol;
using Sieve.Simulation;
using Sieve.Testing.Teltonika;

namespace Sieve.Tests.Teltonika;

public sealed class AvlPacketParserTests
{
    private const int MaxFrame = AvlPacketParser.DefaultMaxFrameBytes;

    /// <summary>Plain copies of what a parsed packet holds, so assertions can run outside the ref struct's scope.</summary>
    private sealed record ParsedIo(int Id, int Length, ulong Value, long Signed, bool Variable, byte[] Bytes);

    private sealed record ParsedRecord(
        long Timestamp, int Priority, int Longitude, int Latitude, int Altitude, int Angle, int Satellites, int Speed, int EventIoId, ParsedIo[] Io);

    private sealed record Parsed(AvlCodecId Codec, int FrameLength, ParsedRecord[] Records);

    [Fact]
    public void Crc16Ibm_matches_the_documented_check_value_and_the_test_encoder()
    {
        // The catalogued check value of CRC-16/ARC (= CRC-16/IBM as Teltonika uses it) over ASCII "123456789".
        Assert.Equal(0xBB3D, Crc16Ibm.Compute("123456789"u8));
        byte[] data = Enumerable.Range(0, 1000).Select(i => (byte)(i * 31)).ToArray();
        Assert.Equal(BitwiseCrc16(data), Crc16Ibm.Compute(data));
        Assert.Equal(Crc16Ibm.Compute(data), Crc16Ibm.Append(Crc16Ibm.Compute(data.AsSpan(0, 333)), data.AsSpan(333)));
    }

    [Fact]
    public void Documentation_codec8_first_example_decodes_to_its_documented_values()
    {
        foreach (Parsed p in ParseAllShapes(DocumentationExamples.Codec8First))
        {
            Assert.Equal(AvlCodecId.Codec8, p.Codec);
            Assert.Equal(66, p.FrameLength);
            ParsedRecord r = Assert.Single(p.Records);
            Assert.Equal(1560161086000, r.Timestamp);
            Assert.Equal(DateTimeOffset.Parse("2019-06-10T10:04:46Z"), DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp));
            Assert.Equal(1, r.Priority);
            Assert.Equal((0, 0, 0, 0, 0, 0), (r.Longitude, r.Latitude, r.Altitude, r.Angle, r.Satellites, r.Speed));
            Assert.Equal(1, r.EventIoId);
            Assert.Equal(
                [(21, 1, 3UL), (1, 1, 1UL), (66, 2, 0x5E0FUL), (241, 4, 0x601AUL), (78, 8, 0UL)],
                r.Io.Select(e => (e.Id, e.Length, e.Value)));
            Assert.Equal(24079UL, r.Io[2].Value);
            Assert.Equal(24602UL, r.Io[3].Value);
        }
    }

    [Fact]
    public void Documentation_codec8_second_example_decodes_to_its_documented_values()
    {
        foreach (Parsed p in ParseAllShapes(DocumentationExamples.Codec8Second))
        {
            ParsedRecord r = Assert.Single(p.Records);
            Assert.Equal(DateTimeOffset.Parse("2019-06-10T10:05:36Z"), DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp));
            Assert.Equal(1, r.EventIoId);
            Assert.Equal([(21, 1, 3UL), (1, 1, 1UL), (66, 2, 24080UL)], r.Io.Select(e => (e.Id, e.Length, e.Value)));
        }
    }

    [Fact]
    public void Documentation_codec8_third_example_decodes_both_records()
    {
        foreach (Parsed p in ParseAllShapes(DocumentationExamples.Codec8Third))
        {
            Assert.Equal(2, p.Records.Length);
            Assert.Equal(DateTimeOffset.Parse("2019-06-10T10:01:01Z"), DateTimeOffset.FromUnixTimeMilliseconds(p.Records[0].Timestamp));
            Assert.Equal(DateTimeOffset.Parse("2019-06-10T10:01:19Z"), DateTimeOffset.FromUnixTimeMilliseconds(p.Records[1].Timestamp));
            Assert.Equal([(1, 1, 0UL)], p.Records[0].Io.Select(e => (e.Id, e.Length, e.Value)));
            Assert.Equal([(1, 1, 1UL)], p.Records[1].Io.Select(e => (e.Id, e.Length, e.Value)));
            Assert.All(p.Records, r => Assert.Equal((1, 1), (r.Priority, r.EventIoId)));
        }
    }

    [Fact]
    public void Documentation_codec8_extended_example_decodes_to_its_documented_values()
    {
        foreach (Parsed p in ParseAllShapes(DocumentationExamples.Codec8Extended))
        {
            Assert.Equal(AvlCodecId.Codec8Extended, p.Codec);
            ParsedRecord r = Assert.Single(p.Records);
            Assert.Equal(DateTimeOffset.Parse("2019-06-10T11:36:32Z"), DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp));
            Assert.Equal(1, r.Priority);
            Assert.Equal(1, r.EventIoId);
            Assert.Equal(
                [(1, 1, 1UL), (17, 2, 29UL), (16, 4, 22949000UL), (11, 8, 893700218UL), (14, 8, 500686954UL)],
                r.Io.Select(e => (e.Id, e.Length, e.Value)));
            Assert.All(r.Io, e => Assert.False(e.Variable));
        }
    }

    [Fact]
    public void Documentation_codec8_extended_nx_example_decodes_the_variable_section_and_the_fix()
    {
        foreach (Parsed p in ParseAllShapes(DocumentationExamples.Codec8ExtendedNx))
        {
            ParsedRecord r = Assert.Single(p.Records);
            Assert.Equal(DateTimeOffset.Parse("2022-09-23T04:22:29.011Z"), DateTimeOffset.FromUnixTimeMilliseconds(r.Timestamp));
            Assert.Equal(0, r.Priority);
            Assert.Equal(252597500, r.Longitude);
            Assert.Equal(547008600, r.Latitude);
            Assert.Equal((179, 180, 14, 0), (r.Altitude, r.Angle, r.Satellites, r.Speed));
            Assert.Equal(10831, r.EventIoId);
            ParsedIo nx = Assert.Single(r.Io);
            Assert.True(nx.Variable);
            Assert.Equal((10831, 30), (nx.Id, nx.Length));
            Assert.Equal(DocumentationExamples.Codec8ExtendedNxValue, nx.Bytes);
        }
    }

    [Fact]
    public void Negative_coordinates_and_signed_values_are_twos_complement()
    {
        // Buenos Aires (south, west), below sea level altitude, and a signed 2-byte axis value of -1200 mg.
        byte[] frame = AvlWriter.Packet(AvlWriter.Codec8, new UnitRecord(
            1700000000000, Longitude: -58.3815591, Latitude: -34.6037232, Altitude: -28, Angle: 359, Satellites: 9, Speed: 41,
            Io: [new AvlIo(17, 2, unchecked((ushort)(short)-1200)), new AvlIo(72, 4, unchecked((uint)-250))]));
        foreach (Parsed p in ParseAllShapes(frame))
        {
            ParsedRecord r = Assert.Single(p.Records);
            Assert.Equal(-583815591, r.Longitude);
            Assert.Equal(-346037232, r.Latitude);
            Assert.Equal((-28, 359, 9, 41), (r.Altitude, r.Angle, r.Satellites, r.Speed));
            Assert.Equal(-1200, r.Io[0].Signed);
            Assert.Equal(0xFB50UL, r.Io[0].Value);
            Assert.Equal(-250, r.Io[1].Signed);
        }
    }

    [Fact]
    public void Codec8_extended_nx_section_with_several_elements_and_wide_ids()
    {
        byte[] vin = "LSVAU2180N2183294"u8.ToArray();
        byte[] empty = [];
        byte[] large = Enumerable.Range(0, 700).Select(i => (byte)i).ToArray();
        byte[] frame = AvlWriter.Packet(AvlWriter.Codec8Extended,
            new UnitRecord(1700000000000, 116.4074, 39.9042, Satellites: 12, EventIoId: 385,
                Io: [new AvlIo(239, 1, 1), new AvlIo(66, 2, 12650), new AvlIo(16, 4, 123456789), new AvlIo(1000, 8, ulong.MaxValue)],
                Nx: [new AvlNx(256, vin), new AvlNx(281, empty), new AvlNx(60000, large)]),
            new UnitRecord(1700000001000, 116.4075, 39.9043, Satellites: 12));
        foreach (Parsed p in ParseAllShapes(frame))
        {
            Assert.Equal(2, p.Records.Length);
            ParsedRecord r = p.Records[0];
            Assert.Equal(385, r.EventIoId);
            Assert.Equal(7, r.Io.Length);
            Assert.Equal((1000, 8, ulong.MaxValue, -1L), (r.Io[3].Id, r.Io[3].Length, r.Io[3].Value, r.Io[3].Signed));
            Assert.Equal((256, true), (r.Io[4].Id, r.Io[4].Variable));
            Assert.Equal(vin, r.Io[4].Bytes);
            Assert.Equal((281, 0), (r.Io[5].Id, r.Io[5].Length));
            Assert.Equal(large, r.Io[6].Bytes);
            Assert.Empty(p.Records[1].Io);
        }
    }

    [Theory]
    [MemberData(nameof(AllExamples))]
    public void Every_strict_prefix_needs_more_data_and_never_consumes(string name, byte[] frame)
    {
        using var buffers = new AvlParseBuffers();
        for (int length = 0; length < frame.Length; length++)
        {
            foreach (ReadOnlySequence<byte> prefix in new[] { new ReadOnlySequence<byte>(frame, 0, length), SegmentedSequence.Create(frame[..length]) })
            {
                AvlStatus status = AvlPacketParser.TryParse(prefix, MaxFrame, buffers, out _, out SequencePosition consumed, out SequencePosition examined);
                Assert.True(status == AvlStatus.NeedMoreData, $"{name}: prefix of {length} bytes gave {status}");
                Assert.Equal(prefix.Start, consumed);
                Assert.Equal(prefix.End, examined);
            }
        }
    }

    public static TheoryData<string, byte[]> AllExamples() => new()
    {
        { "codec8-1", DocumentationExamples.Codec8First },
        { "codec8-2", DocumentationExamples.Codec8Second },
        { "codec8-3", DocumentationExamples.Codec8Third },
        { "codec8e", DocumentationExamples.Codec8Extended },
        { "codec8e-nx", DocumentationExamples.Codec8ExtendedNx },
    };

    [Fact]
    public void Joined_frames_are_read_one_at_a_time_and_consumed_exactly()
    {
        byte[] joined = [.. DocumentationExamples.Codec8First, .. DocumentationExamples.Codec8ExtendedNx, .. DocumentationExamples.Codec8Third[..20]];
        foreach ((string shape, ReadOnlySequence<byte> input) in SegmentedSequence.WholeAndSplit(joined))
        {
            using var buffers = new AvlParseBuffers();
            ReadOnlySequence<byte> rest = input;
            var seen = new List<(AvlCodecId, int)>();
            while (true)
            {
                AvlStatus status = AvlPacketParser.TryParse(rest, MaxFrame, buffers, out AvlPacket packet, out SequencePosition consumed, out _);
                if (status == AvlStatus.NeedMoreData)
                {
                    break;
                }

                Assert.True(status == AvlStatus.Done, shape + ": " + status);
                seen.Add((packet.Codec, packet.Records.Length));
                rest = rest.Slice(consumed);
            }

            Assert.Equal([(AvlCodecId.Codec8, 1), (AvlCodecId.Codec8Extended, 1)], seen);
            Assert.Equal(20, rest.Length);
        }
    }

    [Fact]
    public void Bad_preamble_is_rejected_from_its_first_non_zero_byte()
    {
        byte[] frame = (byte[])DocumentationExamples.Codec8First.Clone();
        frame[2] = 0x47;
        AssertStatusInAllShapes(frame, AvlStatus.BadPreamble);
        AssertStatusInAllShapes(frame[..3], AvlStatus.BadPreamble);
        AssertStatusInAllShapes("GET / HTTP/1.1\r\n"u8.ToArray(), AvlStatus.BadPreamble);
    }

    [Fact]
    public void Length_over_the_maximum_is_rejected_from_the_header_alone()
    {
        byte[] header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 0x7FFF_FFF0);
        AssertStatusInAllShapes(header, AvlStatus.FrameTooLarge);

        // Exactly at the limit is fine (it needs more data); one byte over is not.
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 1000 - AvlPacketParser.FrameOverhead);
        Assert.Equal(AvlStatus.NeedMoreData, AvlPacketParser.TryReadFrame(new ReadOnlySequence<byte>(header), 1000, out _));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), 1001 - AvlPacketParser.FrameOverhead);
        Assert.Equal(AvlStatus.FrameTooLarge, AvlPacketParser.TryReadFrame(new ReadOnlySequence<byte>(header), 1000, out _));
        Assert.Equal(AvlStatus.FrameTooLarge, AvlPacketParser.TryReadFrame(new ReadOnlySequence<byte>(DocumentationExamples.Codec8First), 65, out _));
    }

    [Fact]
    public void Length_below_the_smallest_packet_is_rejected()
    {
        byte[] header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), AvlPacketParser.MinDataFieldLength - 1);
        AssertStatusInAllShapes(header, AvlStatus.FrameTooSmall);
    }

    [Fact]
    public void Crc_mismatch_is_rejected()
    {
        byte[] frame = (byte[])DocumentationExamples.Codec8Extended.Clone();
        frame[^1] ^= 0x01;
        AssertStatusInAllShapes(frame, AvlStatus.CrcMismatch);

        // A flipped data byte, and a non-zero upper half of the CRC field, are mismatches too.
        frame = (byte[])DocumentationExamples.Codec8First.Clone();
        frame[20] ^= 0x80;
        AssertStatusInAllShapes(frame, AvlStatus.CrcMismatch);
        frame = (byte[])DocumentationExamples.Codec8First.Clone();
        frame[^4] = 0x01;
        AssertStatusInAllShapes(frame, AvlStatus.CrcMismatch);
    }

    [Fact]
    public void Unknown_codec_is_rejected_even_with_a_valid_crc()
    {
        foreach (byte codec in new byte[] { 0x00, 0x07, 0x0C, 0x10, 0x8F, 0xFF })
        {
            byte[] data = DocumentationExamples.Codec8First[8..^4];
            data[0] = codec;
            AssertStatusInAllShapes(AvlWriter.Frame(data), AvlStatus.UnknownCodec);
        }
    }

    [Fact]
    public void Record_count_mismatch_is_rejected()
    {
        byte[] data = DocumentationExamples.Codec8Third[8..^4];
        data[^1] = 1;
        AssertStatusInAllShapes(AvlWriter.Frame(data), AvlStatus.RecordCountMismatch);
    }

    [Fact]
    public void Zero_records_is_rejected()
    {
        byte[] data = DocumentationExamples.Codec8First[8..^4];
        data[1] = 0;
        data[^1] = 0;
        AssertStatusInAllShapes(AvlWriter.Frame(data), AvlStatus.NoRecords);
    }

    [Fact]
    public void Truncated_record_is_rejected()
    {
        // Both counts say two records, but the data field holds one and a half.
        byte[] data = DocumentationExamples.Codec8Third[8..^4];
        byte[] cut = [.. data[..^10], data[^1]];
        AssertStatusInAllShapes(AvlWriter.Frame(cut), AvlStatus.TruncatedRecord);

        // Counts say two, only one record is there.
        byte[] one = DocumentationExamples.Codec8First[8..^4];
        one[1] = 2;
        one[^1] = 2;
        AssertStatusInAllShapes(AvlWriter.Frame(one), AvlStatus.TruncatedRecord);

        // An NX element whose length runs past the data field.
        byte[] nx = DocumentationExamples.Codec8ExtendedNx[8..^4];
        nx[^33] = 0x01; // the NX length 0x001E becomes 0x011E
        AssertStatusInAllShapes(AvlWriter.Frame(nx), AvlStatus.TruncatedRecord);
    }

    [Fact]
    public void Io_count_mismatch_is_rejected()
    {
        byte[] codec8 = AvlWriter.Packet(AvlWriter.Codec8,
            new UnitRecord(1700000000000, 1, 1, Io: [new AvlIo(239, 1, 1), new AvlIo(66, 2, 12000)], TotalIoOverride: 3));
        AssertStatusInAllShapes(codec8, AvlStatus.IoCountMismatch);

        byte[] extended = AvlWriter.Packet(AvlWriter.Codec8Extended,
            new UnitRecord(1700000000000, 1, 1, Io: [new AvlIo(239, 1, 1)], Nx: [new AvlNx(256, new byte[17])], TotalIoOverride: 1));
        AssertStatusInAllShapes(extended, AvlStatus.IoCountMismatch);
    }

    [Fact]
    public void Bytes_after_the_last_record_are_rejected()
    {
        byte[] data = DocumentationExamples.Codec8First[8..^4];
        byte[] padded = [.. data[..^1], 0x00, 0x00, data[^1]];
        AssertStatusInAllShapes(AvlWriter.Frame(padded), AvlStatus.TrailingBytes);
    }

    [Fact]
    public void Io_buffer_overflow_is_reported_not_thrown()
    {
        byte[] frame = DocumentationExamples.Codec8First;
        AvlStatus status = AvlPacketParser.TryParseFrame(frame, new AvlRecord[255], new AvlIoElement[4], out _);
        Assert.Equal(AvlStatus.TooManyIoElements, status);
        status = AvlPacketParser.TryParseFrame(DocumentationExamples.Codec8Third, new AvlRecord[1], new AvlIoElement[16], out _);
        Assert.Equal(AvlStatus.TooManyRecords, status);
    }

    // Harness teltonika (fuzz/Sieve.Fuzz.Harnesses/TeltonikaHarness.cs): the first 8 bytes of the first documentation
    // example, header only. TryParseFrame answered TrailingBytes for 8 to 11 bytes (frame.Length - FrameOverhead went
    // negative and was compared as uint) instead of NeedMoreData, which TryParse gives for the same bytes.
    private static readonly byte[] HeaderOnlyPrefix = [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x36];

    [Fact]
    public void Fuzz_regression_a_span_holding_the_header_but_not_the_crc_field_needs_more_data()
    {
        var records = new AvlRecord[AvlPacketParser.MaxRecordsPerPacket];
        var io = new AvlIoElement[64];
        for (int length = HeaderOnlyPrefix.Length; length < AvlPacketParser.FrameOverhead; length++)
        {
            byte[] prefix = [.. HeaderOnlyPrefix, .. DocumentationExamples.Codec8First[HeaderOnlyPrefix.Length..length]];
            Assert.Equal(AvlStatus.NeedMoreData, AvlPacketParser.TryParseFrame(prefix, records, io, out _));
        }

        AssertStatusInAllShapes(HeaderOnlyPrefix, AvlStatus.NeedMoreData);
    }

    /// <summary>Inputs once found by mutating the examples, kept as literals; each must give its status, never throw.</summary>
    [Theory]
    [InlineData("000000000000002100000000000000000000000000000000000000000000000000000000000000000000000000", AvlStatus.UnknownCodec)]
    [InlineData("0000000000000021080100000000000000000000000000000000000000000000000000000000000000000000000100001D5C", AvlStatus.CrcMismatch)]
    [InlineData("00000000000000218E010000016B412CEE0001000000000000000000000000000000000100FF00000000000000000100000000", AvlStatus.CrcMismatch)]
    [InlineData("00000000FFFFFFFF", AvlStatus.FrameTooLarge)]
    [InlineData("0000000080000000", AvlStatus.FrameTooLarge)]
    [InlineData("00000000000000000000", AvlStatus.FrameTooSmall)]
    [InlineData("000001", AvlStatus.BadPreamble)]
    [InlineData("", AvlStatus.NeedMoreData)]
    public void Fuzz_regressions(string hex, AvlStatus expected)
    {
        AssertStatusInAllShapes(Convert.FromHexString(hex), expected);
    }

    [Fact]
    public void Fuzz_regressions_with_valid_crc_over_hostile_counts()
    {
        // Codec 8E record whose N1 claims 0xFFFF elements: must be a truncation, not an overflow or a huge loop.
        byte[] data = DocumentationExamples.Codec8Extended[8..^4];
        data[2 + 24 + 4] = 0xFF;
        data[2 + 24 + 5] = 0xFF;
        AssertStatusInAllShapes(AvlWriter.Frame(data), AvlStatus.TruncatedRecord);

        // NX count 0xFFFF with nothing after it.
        data = DocumentationExamples.Codec8Extended[8..^4];
        data[^3] = 0xFF;
        data[^2] = 0xFF;
        AssertStatusInAllShapes(AvlWriter.Frame(data), AvlStatus.TruncatedRecord);

        // Every single-byte mutation of every example gives some status and never throws.
        foreach (byte[] example in new[] { DocumentationExamples.Codec8First, DocumentationExamples.Codec8Third, DocumentationExamples.Codec8ExtendedNx })
        {
            using var buffers = new AvlParseBuffers();
            for (int i = 8; i < example.Length - 4; i++)
            {
                foreach (byte value in new byte[] { 0x00, 0x01, 0x7F, 0x80, 0xFF })
                {
                    byte[] mutatedData = example[8..^4];
                    mutatedData[i - 8] = value;
                    byte[] mutated = AvlWriter.Frame(mutatedData);
                    AvlStatus status = AvlPacketParser.TryParse(new ReadOnlySequence<byte>(mutated), MaxFrame, buffers, out AvlPacket packet, out _, out _);
                    if (status == AvlStatus.Done)
                    {
                        Assert.Equal(mutated.Length, packet.FrameLength);
                    }
                }
            }
        }
    }

    [Fact]
    public void Parsing_allocates_nothing_per_packet_or_record()
    {
        byte[] frame = AvlWriter.Packet(AvlWriter.Codec8Extended, Enumerable.Range(0, 50).Select(i =>
            new UnitRecord(1700000000000 + i, 116.4 + (i * 1e-4), 39.9, Satellites: 10,
                Io: [new AvlIo(239, 1, 1), new AvlIo(66, 2, 12600), new AvlIo(16, 4, 1000 + (ulong)i), new AvlIo(11, 8, 7)],
                Nx: [new AvlNx(256, "LSVAU2180N2183294"u8.ToArray())])).ToArray());
        ReadOnlySequence<byte> whole = new(frame);
        ReadOnlySequence<byte> split = SegmentedSequence.Create(frame, 512);
        using var buffers = new AvlParseBuffers();
        long checksum = 0;
        for (int i = 0; i < 10; i++)
        {
            checksum += ParseOnce(whole, buffers) + ParseOnce(split, buffers);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            checksum += ParseOnce(whole, buffers) + ParseOnce(split, buffers);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(1010L * 2 * 50 * 5, checksum);

        static long ParseOnce(in ReadOnlySequence<byte> input, AvlParseBuffers buffers)
        {
            AvlStatus status = AvlPacketParser.TryParse(input, MaxFrame, buffers, out AvlPacket packet, out _, out _);
            return status == AvlStatus.Done ? packet.IoElements.Length : -1_000_000;
        }
    }

    private static void AssertStatusInAllShapes(byte[] input, AvlStatus expected)
    {
        foreach ((string shape, ReadOnlySequence<byte> sequence) in SegmentedSequence.WholeAndSplit(input))
        {
            using var buffers = new AvlParseBuffers();
            AvlStatus status = AvlPacketParser.TryParse(sequence, MaxFrame, buffers, out _, out SequencePosition consumed, out _);
            Assert.True(status == expected, $"{shape}: expected {expected}, got {status}");
            Assert.Equal(sequence.Start, consumed);
        }
    }

    private static List<Parsed> ParseAllShapes(byte[] frame)
    {
        var results = new List<Parsed>();
        foreach ((string shape, ReadOnlySequence<byte> sequence) in SegmentedSequence.WholeAndSplit(frame))
        {
            using var buffers = new AvlParseBuffers();
            AvlStatus status = AvlPacketParser.TryParse(sequence, MaxFrame, buffers, out AvlPacket packet, out SequencePosition consumed, out SequencePosition examined);
            Assert.True(status == AvlStatus.Done, shape + ": " + status);
            Assert.Equal(sequence.End, consumed);
            Assert.Equal(sequence.End, examined);
            results.Add(Copy(packet));

            // The span-level entry point agrees.
            Assert.Equal(AvlStatus.Done, AvlPacketParser.TryParseFrame(frame, new AvlRecord[255], new AvlIoElement[AvlPacketParser.MaxIoElements(frame.Length)], out AvlPacket direct));
            Assert.Equal(results[^1], Copy(direct), ParsedComparer.Instance);
        }

        return results;
    }

    private static Parsed Copy(AvlPacket packet)
    {
        var records = new ParsedRecord[packet.Records.Length];
        for (int i = 0; i < records.Length; i++)
        {
            AvlRecord r = packet.Records[i];
            ReadOnlySpan<AvlIoElement> io = packet.IoOf(r);
            var ios = new ParsedIo[io.Length];
            for (int k = 0; k < io.Length; k++)
            {
                AvlIoElement e = io[k];
                ios[k] = new ParsedIo(e.Id, e.Length, e.UnsignedValue, e.SignedValue, e.IsVariable, packet.ValueBytes(e).ToArray());
            }

            records[i] = new ParsedRecord(r.Timestamp, r.Priority, r.Longitude, r.Latitude, r.Altitude, r.Angle, r.Satellites, r.Speed, r.EventIoId, ios);
        }

        return new Parsed(packet.Codec, packet.FrameLength, records);
    }

    // The reference the table-driven CRC is checked against: CRC-16/IBM (poly 0x8005 reflected, init 0), bit by bit.
    private static ushort BitwiseCrc16(ReadOnlySpan<byte> data)
    {
        int crc = 0;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1;
            }
        }

        return (ushort)crc;
    }

    private sealed class ParsedComparer : IEqualityComparer<Parsed>
    {
        public static readonly ParsedComparer Instance = new();

        public bool Equals(Parsed? x, Parsed? y) =>
            x is not null && y is not null && x.Codec == y.Codec && x.FrameLength == y.FrameLength && x.Records.Length == y.Records.Length
            && x.Records.Zip(y.Records).All(p => p.First with { Io = [] } == p.Second with { Io = [] }
                && p.First.Io.Zip(p.Second.Io).All(q => q.First with { Bytes = [] } == q.Second with { Bytes = [] } && q.First.Bytes.SequenceEqual(q.Second.Bytes)));

        public int GetHashCode(Parsed obj) => obj.Records.Length;
    }
}
