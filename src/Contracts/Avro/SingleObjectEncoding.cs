using System.Buffers.Binary;

namespace Sieve.Contracts.Avro;

/// <summary>
/// The Avro specification's single-object encoding, used for every Sieve message value: the marker bytes
/// <c>C3 01</c>, the writer schema's CRC-64-AVRO fingerprint as 8 little-endian bytes, then the Avro binary body.
/// </summary>
public static class SingleObjectEncoding
{
    /// <summary>Length of the marker plus fingerprint that precede the body.</summary>
    public const int HeaderLength = 10;

    /// <summary>First marker byte.</summary>
    public const byte Marker0 = 0xC3;

    /// <summary>Second marker byte.</summary>
    public const byte Marker1 = 0x01;

    /// <summary>
    /// Reads the header of <paramref name="message"/>. On success <paramref name="fingerprint"/> is the writer
    /// schema's fingerprint and the body starts at index <see cref="HeaderLength"/>.
    /// </summary>
    public static AvroStatus TryReadHeader(ReadOnlySpan<byte> message, out ulong fingerprint)
    {
        if (message.Length < HeaderLength)
        {
            fingerprint = 0;
            return message.Length >= 2 && (message[0] != Marker0 || message[1] != Marker1) ? AvroStatus.BadMarker : AvroStatus.Truncated;
        }

        if (message[0] != Marker0 || message[1] != Marker1)
        {
            fingerprint = 0;
            return AvroStatus.BadMarker;
        }

        fingerprint = BinaryPrimitives.ReadUInt64LittleEndian(message.Slice(2, 8));
        return AvroStatus.Ok;
    }

    /// <summary>Writes the header for <paramref name="fingerprint"/> into the first <see cref="HeaderLength"/> bytes of <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, ulong fingerprint)
    {
        destination[0] = Marker0;
        destination[1] = Marker1;
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(2, 8), fingerprint);
    }

    /// <summary>Writes the header for <paramref name="fingerprint"/> with <paramref name="writer"/>.</summary>
    public static void WriteHeader(ref AvroWriter writer, ulong fingerprint)
    {
        if (writer.Reserve(HeaderLength, out Span<byte> span))
        {
            WriteHeader(span, fingerprint);
        }
    }
}
