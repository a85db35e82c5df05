using System.Buffers;
using BenchmarkDotNet.Attributes;
using Sieve.Core.Teltonika.Protocol;
using Sieve.Testing.Teltonika;

namespace Sieve.Benchmarks.Ingest;

/// <summary>
/// Parsing Teltonika AVL packets as the TCP endpoint does: the documented Codec 8 example (one record), and a Codec 8
/// Extended packet of <see cref="RecordsPerPacket"/> records (four fixed-size IO elements and the VIN as an NX
/// element each) parsed from one span, from a single-segment sequence, and from a sequence of
/// <see cref="SegmentBytes"/>-byte segments (which <see cref="AvlPacketParser.TryParse"/> first copies into its
/// scratch buffer). Every benchmark runs its whole packet once per invocation; <c>OperationsPerInvoke</c> is the
/// packet's record count, so the mean is per record and <c>Op/s</c> is records per second (multiply the mean by
/// the record count for time per packet). Buffers are reused, as a connection reuses its <see cref="AvlParseBuffers"/>.
/// </summary>
[Config(typeof(SieveBenchmarkConfig))]
public class TeltonikaParseBenchmarks
{
    /// <summary>Records in the Codec 8 Extended packet.</summary>
    public const int RecordsPerPacket = 50;

    /// <summary>Segment size of the segmented input, about what one socket read hands over on a busy connection.</summary>
    public const int SegmentBytes = 512;

    private const string BenchmarkVin = "LSVAU218XN2183294";

    private byte[] _codec8Example = [];
    private byte[] _codec8Extended = [];
    private ReadOnlySequence<byte> _extendedWhole;
    private ReadOnlySequence<byte> _extendedSegmented;
    private AvlRecord[] _records = [];
    private AvlIoElement[] _ioElements = [];
    private AvlParseBuffers _buffers = null!;

    [GlobalSetup]
    public void Setup()
    {
        _codec8Example = DocumentationExamples.Codec8First;
        _codec8Extended = TripFrames.Codec8ExtendedTrip(RecordsPerPacket, BenchmarkVin);
        _extendedWhole = new ReadOnlySequence<byte>(_codec8Extended);
        _extendedSegmented = SegmentedSequence.Create(_codec8Extended, SegmentBytes);
        _records = new AvlRecord[AvlPacketParser.MaxRecordsPerPacket];
        _ioElements = new AvlIoElement[AvlPacketParser.MaxIoElements(_codec8Extended.Length)];
        _buffers = new AvlParseBuffers();

        // Refuse to measure anything that does not parse to what was built.
        Verify(AvlPacketParser.TryParseFrame(_codec8Example, _records, _ioElements, out AvlPacket example), example, 1, 5);
        Verify(AvlPacketParser.TryParseFrame(_codec8Extended, _records, _ioElements, out AvlPacket span), span, RecordsPerPacket, RecordsPerPacket * 5);
        Verify(
            AvlPacketParser.TryParse(_extendedWhole, AvlPacketParser.DefaultMaxFrameBytes, _buffers, out AvlPacket whole, out _, out _),
            whole, RecordsPerPacket, RecordsPerPacket * 5);
        if (_extendedSegmented.IsSingleSegment)
        {
            throw new InvalidOperationException("The segmented input is a single segment.");
        }

        Verify(
            AvlPacketParser.TryParse(_extendedSegmented, AvlPacketParser.DefaultMaxFrameBytes, _buffers, out AvlPacket segmented, out _, out _),
            segmented, RecordsPerPacket, RecordsPerPacket * 5);
    }

    [GlobalCleanup]
    public void Cleanup() => _buffers.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = 1, Description = "Codec 8 documented example (1 record), span")]
    public long Codec8Example()
    {
        AvlStatus status = AvlPacketParser.TryParseFrame(_codec8Example, _records, _ioElements, out AvlPacket packet);
        return Summarize(status, packet);
    }

    [Benchmark(OperationsPerInvoke = RecordsPerPacket, Description = "Codec 8E 50 records, TryParseFrame span")]
    public long Codec8ExtendedSpan()
    {
        AvlStatus status = AvlPacketParser.TryParseFrame(_codec8Extended, _records, _ioElements, out AvlPacket packet);
        return Summarize(status, packet);
    }

    [Benchmark(OperationsPerInvoke = RecordsPerPacket, Description = "Codec 8E 50 records, TryParse whole")]
    public long Codec8ExtendedWhole()
    {
        AvlStatus status = AvlPacketParser.TryParse(
            _extendedWhole, AvlPacketParser.DefaultMaxFrameBytes, _buffers, out AvlPacket packet, out _, out _);
        return Summarize(status, packet);
    }

    [Benchmark(OperationsPerInvoke = RecordsPerPacket, Description = "Codec 8E 50 records, TryParse 512-byte segments")]
    public long Codec8ExtendedSegmented()
    {
        AvlStatus status = AvlPacketParser.TryParse(
            _extendedSegmented, AvlPacketParser.DefaultMaxFrameBytes, _buffers, out AvlPacket packet, out _, out _);
        return Summarize(status, packet);
    }

    /// <summary>Folds the status and a few parsed values into one number, so the parse cannot be optimized away.</summary>
    private static long Summarize(AvlStatus status, AvlPacket packet)
    {
        ReadOnlySpan<AvlRecord> records = packet.Records;
        long last = records.IsEmpty ? 0 : records[^1].Timestamp;
        return ((long)status << 56) + (records.Length << 16) + packet.IoElements.Length + last;
    }

    private static void Verify(AvlStatus status, AvlPacket packet, int expectedRecords, int expectedIoElements)
    {
        if (status != AvlStatus.Done || packet.Records.Length != expectedRecords || packet.IoElements.Length != expectedIoElements)
        {
            throw new InvalidOperationException(
                $"The benchmark packet parsed to {status}, {packet.Records.Length} records, {packet.IoElements.Length} IO elements.");
        }
    }
}
