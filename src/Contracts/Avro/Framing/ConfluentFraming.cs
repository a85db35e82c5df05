using System.Buffers.Binary;

namespace Sieve.Contracts.Avro.Framing;

/// <summary>
/// Confluent Schema Registry's wire format: magic byte <c>0</c>, the writer schema's registry id as a 4-byte
/// big-endian integer, then the Avro binary body. What Kafka Connect, ksqlDB, Flink, Spark and kcat expect.
/// </summary>
public static class ConfluentFraming
{
    /// <summary>Length of the magic byte plus schema id that precede the body.</summary>
    public const int HeaderLength = 5;

    /// <summary>The magic byte.</summary>
    public const byte MagicByte = 0x00;

    /// <summary>
    /// Reads the header of <paramref name="message"/>: <see cref="AvroStatus.Ok"/> with the registry's
    /// <paramref name="schemaId"/> (the body starts at <see cref="HeaderLength"/>), <see cref="AvroStatus.Truncated"/>
    /// when fewer than 5 bytes, <see cref="AvroStatus.BadMarker"/> when the first byte is not 0 or the id is negative.
    /// </summary>
    public static AvroStatus TryReadHeader(ReadOnlySpan<byte> message, out int schemaId)
    {
        schemaId = 0;
        if (message.Length > 0 && message[0] != MagicByte)
        {
            return AvroStatus.BadMarker;
        }

        if (message.Length < HeaderLength)
        {
            return AvroStatus.Truncated;
        }

        schemaId = BinaryPrimitives.ReadInt32BigEndian(message.Slice(1, 4));
        return schemaId >= 0 ? AvroStatus.Ok : AvroStatus.BadMarker;
    }

    /// <summary>Writes the header for <paramref name="schemaId"/> into the first <see cref="HeaderLength"/> bytes of <paramref name="destination"/>.</summary>
    public static void WriteHeader(Span<byte> destination, int schemaId)
    {
        destination[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(destination.Slice(1, 4), schemaId);
    }

    /// <summary>
    /// Writes <paramref name="singleObject"/>'s body (everything after its 10-byte single-object header) behind a
    /// Confluent header for <paramref name="schemaId"/> at the start of <paramref name="destination"/>, which must hold
    /// <see cref="FramedLength"/> bytes. Returns the bytes written.
    /// </summary>
    public static int Reframe(ReadOnlySpan<byte> singleObject, int schemaId, Span<byte> destination)
    {
        ReadOnlySpan<byte> body = singleObject[SingleObjectEncoding.HeaderLength..];
        WriteHeader(destination, schemaId);
        body.CopyTo(destination[HeaderLength..]);
        return HeaderLength + body.Length;
    }

    /// <summary><paramref name="singleObject"/> with a Confluent header for <paramref name="schemaId"/> instead of its own, in a new array.</summary>
    public static byte[] Reframe(ReadOnlySpan<byte> singleObject, int schemaId)
    {
        byte[] framed = new byte[FramedLength(singleObject.Length)];
        Reframe(singleObject, schemaId, framed);
        return framed;
    }

    /// <summary>The length of a single-object message of <paramref name="singleObjectLength"/> bytes once Confluent-framed.</summary>
    public static int FramedLength(int singleObjectLength) => singleObjectLength - SingleObjectEncoding.HeaderLength + HeaderLength;
}
