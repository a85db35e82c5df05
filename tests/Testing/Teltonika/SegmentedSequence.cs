using System.Buffers;

namespace Sieve.Testing.Teltonika;

/// <summary>
/// Builds multi-segment <see cref="ReadOnlySequence{T}"/>s over one array: to run parsers over input split at every
/// byte (the tests), and the shape a pipe reader hands over when a frame arrived in several socket reads (the benchmarks).
/// </summary>
internal static class SegmentedSequence
{
    /// <summary><paramref name="data"/> in segments of <paramref name="segmentSize"/> bytes (the last may be shorter).</summary>
    public static ReadOnlySequence<byte> Create(byte[] data, int segmentSize = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(segmentSize, 1);
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment first = new(data.AsMemory(0, Math.Min(segmentSize, data.Length)), 0);
        Segment last = first;
        for (int offset = segmentSize; offset < data.Length; offset += segmentSize)
        {
            last = last.Append(data.AsMemory(offset, Math.Min(segmentSize, data.Length - offset)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>The input whole (one segment) and split into 1-byte segments.</summary>
    public static IEnumerable<(string Shape, ReadOnlySequence<byte> Sequence)> WholeAndSplit(byte[] data)
    {
        yield return ("whole", new ReadOnlySequence<byte>(data));
        yield return ("1-byte segments", Create(data, 1));
        yield return ("7-byte segments", Create(data, 7));
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
