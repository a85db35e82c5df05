namespace Sieve.Contracts.Avro.Framing;

/// <summary>
/// Reads a message's framing, whichever of the two Sieve accepts: Avro single-object encoding
/// (<see cref="SingleObjectEncoding"/>, <c>C3 01</c> and a fingerprint) or, when the process has a Schema Registry,
/// Confluent's (<see cref="ConfluentFraming"/>, <c>00</c> and a registry id). Both end in the writer schema's
/// fingerprint and where the Avro body starts, so readers past this point do not care which it was.
/// </summary>
public static class RecordHeader
{
    /// <summary>
    /// Reads the header of <paramref name="message"/>. On <see cref="AvroStatus.Ok"/>, <paramref name="fingerprint"/>
    /// is the writer schema's and the body starts at index <paramref name="bodyStart"/>. A Confluent header needs
    /// <paramref name="ids"/> (else it is <see cref="AvroStatus.BadMarker"/>); an id not in it is
    /// <see cref="AvroStatus.UnknownSchemaId"/> (ask the registry, then read again), or
    /// <see cref="AvroStatus.UnregisteredSchemaId"/> when the registry already said it has no such schema.
    /// <paramref name="schemaId"/> is the Confluent id, or -1 for a single-object message.
    /// </summary>
    public static AvroStatus TryRead(ReadOnlySpan<byte> message, SchemaIds? ids, out ulong fingerprint, out int bodyStart, out int schemaId)
    {
        schemaId = -1;
        if (ids is null || message.IsEmpty || message[0] != ConfluentFraming.MagicByte)
        {
            bodyStart = SingleObjectEncoding.HeaderLength;
            return SingleObjectEncoding.TryReadHeader(message, out fingerprint);
        }

        bodyStart = ConfluentFraming.HeaderLength;
        fingerprint = 0;
        AvroStatus status = ConfluentFraming.TryReadHeader(message, out schemaId);
        if (status != AvroStatus.Ok)
        {
            return status;
        }

        if (ids.TryGetFingerprint(schemaId, out fingerprint))
        {
            return AvroStatus.Ok;
        }

        return ids.IsMissing(schemaId) ? AvroStatus.UnregisteredSchemaId : AvroStatus.UnknownSchemaId;
    }
}
