using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text.Unicode;

namespace Sieve.Contracts.Avro;

/// <summary>
/// Reads Avro binary encoding from a span. <see cref="Position"/> is the index in the span of the next byte to
/// read. Every Try method either reads a whole value, advances <see cref="Position"/> past it and returns
/// <see cref="AvroStatus.Ok"/>, or leaves the reader at an unspecified position and returns the specific problem.
/// Nothing is allocated and nothing is read outside the span; every varint is capped at 10 bytes and every length
/// at the caller's cap and at the bytes that remain.
/// </summary>
public ref struct AvroReader
{
    /// <summary>A long varint is at most 10 bytes (64 bits in 7-bit groups).</summary>
    public const int MaxLongVarintBytes = 10;

    /// <summary>An int varint is at most 5 bytes.</summary>
    public const int MaxIntVarintBytes = 5;

    private readonly ReadOnlySpan<byte> _buffer;

    /// <summary>Creates a reader over <paramref name="buffer"/>, starting at index 0.</summary>
    public AvroReader(ReadOnlySpan<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    /// <summary>Index in the buffer of the next byte to read.</summary>
    public int Position { get; set; }

    /// <summary>Bytes left after <see cref="Position"/>.</summary>
    public readonly int Remaining => _buffer.Length - Position;

    /// <summary>The whole buffer this reader reads (positions and slices index into it).</summary>
    public readonly ReadOnlySpan<byte> Buffer => _buffer;

    /// <summary>Reads a zig-zag varint long.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public AvroStatus TryReadLong(out long value)
    {
        int pos = Position;
        if ((uint)pos < (uint)_buffer.Length)
        {
            byte first = _buffer[pos];
            if (first < 0x80)
            {
                Position = pos + 1;
                value = (long)((ulong)first >> 1) ^ -(long)(first & 1);
                return AvroStatus.Ok;
            }
        }

        return TryReadLongSlow(out value);
    }

    private AvroStatus TryReadLongSlow(out long value)
    {
        ulong raw = 0;
        int shift = 0;
        int pos = Position;
        for (int i = 0; i < MaxLongVarintBytes; i++)
        {
            if ((uint)pos >= (uint)_buffer.Length)
            {
                value = 0;
                return AvroStatus.Truncated;
            }

            byte b = _buffer[pos++];
            if (i == MaxLongVarintBytes - 1 && b > 1)
            {
                // The tenth byte may only carry the 64th bit.
                value = 0;
                return AvroStatus.VarintTooLong;
            }

            raw |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                Position = pos;
                value = (long)(raw >> 1) ^ -(long)(raw & 1);
                return AvroStatus.Ok;
            }

            shift += 7;
        }

        value = 0;
        return AvroStatus.VarintTooLong;
    }

    /// <summary>Reads a zig-zag varint int (at most 5 bytes, value within 32 bits).</summary>
    public AvroStatus TryReadInt(out int value)
    {
        int start = Position;
        AvroStatus status = TryReadLong(out long wide);
        if (status != AvroStatus.Ok)
        {
            value = 0;
            return status;
        }

        if (Position - start > MaxIntVarintBytes)
        {
            value = 0;
            return AvroStatus.VarintTooLong;
        }

        if (wide is < int.MinValue or > int.MaxValue)
        {
            value = 0;
            return AvroStatus.IntOverflow;
        }

        value = (int)wide;
        return AvroStatus.Ok;
    }

    /// <summary>Reads a boolean (a single byte 0 or 1).</summary>
    public AvroStatus TryReadBoolean(out bool value)
    {
        int pos = Position;
        if ((uint)pos >= (uint)_buffer.Length)
        {
            value = false;
            return AvroStatus.Truncated;
        }

        byte b = _buffer[pos];
        if (b > 1)
        {
            value = false;
            return AvroStatus.InvalidBoolean;
        }

        Position = pos + 1;
        value = b == 1;
        return AvroStatus.Ok;
    }

    /// <summary>Reads a little-endian IEEE 754 float.</summary>
    public AvroStatus TryReadFloat(out float value)
    {
        if (Remaining < 4)
        {
            value = 0;
            return AvroStatus.Truncated;
        }

        value = BinaryPrimitives.ReadSingleLittleEndian(_buffer.Slice(Position, 4));
        Position += 4;
        return AvroStatus.Ok;
    }

    /// <summary>Reads a little-endian IEEE 754 double.</summary>
    public AvroStatus TryReadDouble(out double value)
    {
        if (Remaining < 8)
        {
            value = 0;
            return AvroStatus.Truncated;
        }

        value = BinaryPrimitives.ReadDoubleLittleEndian(_buffer.Slice(Position, 8));
        Position += 8;
        return AvroStatus.Ok;
    }

    /// <summary>
    /// Reads a length-prefixed string and returns where it lies in the buffer. The length is checked against
    /// <paramref name="maxLength"/> and the remaining bytes before anything is sliced.
    /// </summary>
    public AvroStatus TryReadString(out Utf8Slice value, int maxLength, bool validateUtf8 = true)
    {
        AvroStatus status = TryReadLength(out int length, maxLength);
        if (status != AvroStatus.Ok)
        {
            value = default;
            return status;
        }

        if (validateUtf8 && !Utf8.IsValid(_buffer.Slice(Position, length)))
        {
            value = default;
            return AvroStatus.InvalidUtf8;
        }

        value = new Utf8Slice(Position, length);
        Position += length;
        return AvroStatus.Ok;
    }

    /// <summary>Reads length-prefixed bytes and returns where they lie in the buffer.</summary>
    public AvroStatus TryReadBytes(out Utf8Slice value, int maxLength) => TryReadString(out value, maxLength, validateUtf8: false);

    /// <summary>Reads a union branch index and checks it against <paramref name="branchCount"/>.</summary>
    public AvroStatus TryReadUnionIndex(int branchCount, out int index)
    {
        AvroStatus status = TryReadLong(out long wide);
        if (status != AvroStatus.Ok)
        {
            index = 0;
            return status;
        }

        if ((ulong)wide >= (ulong)branchCount)
        {
            index = 0;
            return AvroStatus.InvalidUnionIndex;
        }

        index = (int)wide;
        return AvroStatus.Ok;
    }

    /// <summary>Reads an enum symbol index and checks it against <paramref name="symbolCount"/>.</summary>
    public AvroStatus TryReadEnum(int symbolCount, out int index)
    {
        AvroStatus status = TryReadLong(out long wide);
        if (status != AvroStatus.Ok)
        {
            index = 0;
            return status;
        }

        if ((ulong)wide >= (ulong)symbolCount)
        {
            index = 0;
            return AvroStatus.InvalidEnumIndex;
        }

        index = (int)wide;
        return AvroStatus.Ok;
    }

    /// <summary>
    /// Reads and validates a whole array of strings, returning where it lies and how many items it holds. Blocks
    /// with negative counts (which carry a byte size) are accepted, as the specification allows.
    /// </summary>
    public AvroStatus TryReadStringArray(out StringArraySlice value, int maxItems, int maxItemLength)
    {
        int start = Position;
        int total = 0;
        while (true)
        {
            AvroStatus status = TryReadLong(out long count);
            if (status != AvroStatus.Ok)
            {
                value = default;
                return status;
            }

            if (count == 0)
            {
                break;
            }

            if (count < 0)
            {
                if (count == long.MinValue)
                {
                    value = default;
                    return AvroStatus.LengthTooLarge;
                }

                count = -count;
                status = TryReadLong(out long blockBytes);
                if (status != AvroStatus.Ok)
                {
                    value = default;
                    return status;
                }

                if (blockBytes < 0)
                {
                    value = default;
                    return AvroStatus.NegativeLength;
                }
            }

            if (count > maxItems - total)
            {
                value = default;
                return AvroStatus.TooManyItems;
            }

            // Each string needs at least one byte (its length), so a count beyond the bytes left cannot be satisfied.
            if (count > Remaining)
            {
                value = default;
                return AvroStatus.Truncated;
            }

            for (long i = 0; i < count; i++)
            {
                status = TryReadString(out _, maxItemLength);
                if (status != AvroStatus.Ok)
                {
                    value = default;
                    return status;
                }
            }

            total += (int)count;
        }

        value = total == 0 ? StringArraySlice.Empty : new StringArraySlice(start, total);
        return AvroStatus.Ok;
    }

    /// <summary>Returns <see cref="AvroStatus.TrailingBytes"/> unless the whole buffer has been read.</summary>
    public readonly AvroStatus ExpectEnd() => Position == _buffer.Length ? AvroStatus.Ok : AvroStatus.TrailingBytes;

    /// <summary>
    /// Reads a string or bytes length prefix, checked against <paramref name="maxLength"/> and the bytes left; the
    /// position is then at the first content byte.
    /// </summary>
    public AvroStatus TryReadLength(out int length, int maxLength)
    {
        AvroStatus status = TryReadLong(out long wide);
        if (status != AvroStatus.Ok)
        {
            length = 0;
            return status;
        }

        if (wide < 0)
        {
            length = 0;
            return AvroStatus.NegativeLength;
        }

        if (wide > maxLength || wide > Remaining)
        {
            length = 0;
            return wide > Remaining && wide <= maxLength ? AvroStatus.Truncated : AvroStatus.LengthTooLarge;
        }

        length = (int)wide;
        return AvroStatus.Ok;
    }
}
