using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;

namespace Sieve.Contracts.Avro;

/// <summary>
/// Writes Avro binary encoding into a caller-supplied span. <see cref="Position"/> is the number of bytes written
/// so far (the index of the next byte). When a value does not fit, the writer stops writing and sets
/// <see cref="Overflowed"/>; check it once at the end instead of after every call. Allocates nothing.
/// </summary>
public ref struct AvroWriter
{
    private readonly Span<byte> _destination;

    /// <summary>Creates a writer that fills <paramref name="destination"/> from index 0.</summary>
    public AvroWriter(Span<byte> destination)
    {
        _destination = destination;
        Position = 0;
        Overflowed = false;
    }

    /// <summary>Bytes written so far.</summary>
    public int Position { get; private set; }

    /// <summary>True once any value did not fit; the bytes written are then incomplete.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>The bytes written so far.</summary>
    public readonly ReadOnlySpan<byte> Written => _destination[..Position];

    /// <summary>Writes a zig-zag varint long (1 to 10 bytes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteLong(long value)
    {
        ulong zigzag = (ulong)((value << 1) ^ (value >> 63));
        int pos = Position;
        if (zigzag < 0x80 && (uint)pos < (uint)_destination.Length)
        {
            _destination[pos] = (byte)zigzag;
            Position = pos + 1;
            return;
        }

        WriteVarintSlow(zigzag);
    }

    private void WriteVarintSlow(ulong zigzag)
    {
        int pos = Position;
        Span<byte> dest = _destination;
        while (true)
        {
            if ((uint)pos >= (uint)dest.Length)
            {
                Overflowed = true;
                Position = dest.Length;
                return;
            }

            if (zigzag < 0x80)
            {
                dest[pos++] = (byte)zigzag;
                Position = pos;
                return;
            }

            dest[pos++] = (byte)(zigzag | 0x80);
            zigzag >>= 7;
        }
    }

    /// <summary>Writes a zig-zag varint int.</summary>
    public void WriteInt(int value) => WriteLong(value);

    /// <summary>Writes a boolean as one byte.</summary>
    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a little-endian float.</summary>
    public void WriteFloat(float value)
    {
        if (Reserve(4, out Span<byte> span))
        {
            BinaryPrimitives.WriteSingleLittleEndian(span, value);
        }
    }

    /// <summary>Writes a little-endian double.</summary>
    public void WriteDouble(double value)
    {
        if (Reserve(8, out Span<byte> span))
        {
            BinaryPrimitives.WriteDoubleLittleEndian(span, value);
        }
    }

    /// <summary>Writes a string from UTF-8 bytes (length prefix, then the bytes).</summary>
    public void WriteString(scoped ReadOnlySpan<byte> utf8)
    {
        WriteLong(utf8.Length);
        WriteRaw(utf8);
    }

    /// <summary>Writes a string from UTF-16 text, transcoding to UTF-8 in place (no allocation).</summary>
    public void WriteString(string value)
    {
        int byteCount = Encoding.UTF8.GetByteCount(value);
        WriteLong(byteCount);
        if (Reserve(byteCount, out Span<byte> span))
        {
            Encoding.UTF8.GetBytes(value, span);
        }
    }

    /// <summary>Writes a union branch index.</summary>
    public void WriteUnionIndex(int index) => WriteLong(index);

    /// <summary>Writes bytes as they are, with no length prefix.</summary>
    public void WriteRaw(scoped ReadOnlySpan<byte> bytes)
    {
        if (Reserve(bytes.Length, out Span<byte> span))
        {
            bytes.CopyTo(span);
        }
    }

    /// <summary>Writes one byte as it is.</summary>
    public void WriteByte(byte value)
    {
        int pos = Position;
        if ((uint)pos < (uint)_destination.Length)
        {
            _destination[pos] = value;
            Position = pos + 1;
        }
        else
        {
            Overflowed = true;
        }
    }

    /// <summary>Claims <paramref name="count"/> bytes at the current position; false (and overflowed) when they do not fit.</summary>
    public bool Reserve(int count, out Span<byte> span)
    {
        int pos = Position;
        if (Overflowed || count > _destination.Length - pos)
        {
            Overflowed = true;
            span = default;
            return false;
        }

        span = _destination.Slice(pos, count);
        Position = pos + count;
        return true;
    }
}

/// <summary>Helpers for writing encoded records into an <see cref="IBufferWriter{T}"/>.</summary>
public static class AvroBufferWriter
{
    /// <summary>
    /// Asks <paramref name="output"/> for at least <paramref name="sizeHint"/> bytes, lets <paramref name="encode"/>
    /// fill them, and advances by what it wrote. Returns false, advancing nothing, when the encoder overflowed.
    /// </summary>
    public static bool TryWrite<TState>(IBufferWriter<byte> output, int sizeHint, in TState state, EncodeInto<TState> encode)
        where TState : allows ref struct
    {
        Span<byte> span = output.GetSpan(sizeHint);
        var writer = new AvroWriter(span);
        encode(ref writer, state);
        if (writer.Overflowed)
        {
            return false;
        }

        output.Advance(writer.Position);
        return true;
    }

    /// <summary>Encodes <paramref name="state"/> with <paramref name="writer"/>.</summary>
    public delegate void EncodeInto<TState>(ref AvroWriter writer, in TState state)
        where TState : allows ref struct;
}
