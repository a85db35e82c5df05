using System.Buffers;

namespace Sieve.Core.Teltonika.Protocol;

/// <summary>
/// The buffers <see cref="AvlPacketParser.TryParse"/> writes into: records, IO elements and, for frames that arrive
/// in several segments, a contiguous copy of the frame. Arrays come from <see cref="ArrayPool{T}.Shared"/>, grow
/// to what the largest frame needs and are kept until <see cref="Release"/>, so parsing one packet after another
/// allocates nothing. One instance per connection; not thread-safe.
/// </summary>
public sealed class AvlParseBuffers : IDisposable
{
    private AvlRecord[]? _records;
    private AvlIoElement[]? _ioElements;
    private byte[]? _scratch;

    /// <summary>
    /// Returns the arrays to the pool. Any <see cref="AvlPacket"/> parsed before is invalid afterwards; the buffers
    /// can be used again (they are rented anew).
    /// </summary>
    public void Release()
    {
        Return(ref _records);
        Return(ref _ioElements);
        Return(ref _scratch);
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    internal Span<AvlRecord> RecordBuffer() =>
        _records ??= ArrayPool<AvlRecord>.Shared.Rent(AvlPacketParser.MaxRecordsPerPacket);

    internal Span<AvlIoElement> IoBuffer(int minimumLength)
    {
        if (_ioElements is null || _ioElements.Length < minimumLength)
        {
            Return(ref _ioElements);
            _ioElements = ArrayPool<AvlIoElement>.Shared.Rent(Math.Max(minimumLength, 64));
        }

        return _ioElements;
    }

    internal ReadOnlySpan<byte> CopyToScratch(scoped in ReadOnlySequence<byte> frame)
    {
        int length = checked((int)frame.Length);
        if (_scratch is null || _scratch.Length < length)
        {
            Return(ref _scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1024));
        }

        frame.CopyTo(_scratch);
        return _scratch.AsSpan(0, length);
    }

    private static void Return<T>(ref T[]? array)
    {
        if (array is not null)
        {
            ArrayPool<T>.Shared.Return(array);
            array = null;
        }
    }
}
