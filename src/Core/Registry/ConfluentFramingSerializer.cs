using Confluent.Kafka;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;
using Sieve.Core.Engine;

namespace Sieve.Core.Registry;

/// <summary>
/// The value serializer of every producer that writes Sieve's outputs. Records are encoded single-object (the
/// encoders' one format); for a topic the <see cref="SchemaRegistryBinding"/> frames, this swaps the 10-byte
/// single-object header for Confluent's 5-byte one with the schema's registry id. Other topics pass through.
/// </summary>
/// <remarks>
/// The framed copy lives in a per-thread array of its length: the Kafka producer serializes and copies the value
/// on the calling thread before <c>Produce</c> returns, so one array per length and thread is enough.
/// </remarks>
public sealed class ConfluentFramingSerializer : ISerializer<byte[]>
{
    [ThreadStatic]
    private static ScratchArrays? _perThread;

    private readonly SchemaRegistryBinding? _registry;

    /// <summary>Frames the topics <paramref name="registry"/> registered; null passes every value through.</summary>
    public ConfluentFramingSerializer(SchemaRegistryBinding? registry)
    {
        _registry = registry;
    }

    /// <inheritdoc />
    public byte[] Serialize(byte[] data, SerializationContext context)
    {
        if (_registry is null || data is null || context.Component != Confluent.Kafka.MessageComponentType.Value || !_registry.Frames(context.Topic))
        {
            return data!;
        }

        if (SingleObjectEncoding.TryReadHeader(data, out ulong fingerprint) != AvroStatus.Ok)
        {
            ThrowHelper.ThrowNotSingleObject(context.Topic);
        }

        if (!_registry.Ids.TryGetId(fingerprint, out int schemaId))
        {
            ThrowHelper.ThrowUnregisteredOutput(context.Topic);
        }

        byte[] framed = (_perThread ??= new ScratchArrays()).Rent(ConfluentFraming.FramedLength(data.Length));
        ConfluentFraming.Reframe(data, schemaId, framed);
        return framed;
    }
}
