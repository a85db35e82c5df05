using Confluent.SchemaRegistry;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Schemas;

namespace Sieve.Commands.Demo;

/// <summary>
/// The demo's direct feed with <c>--format confluent</c>: a producer that has moved to Confluent framing, next to
/// Ingest, which still writes single-object, as a fleet mid-migration does. Records that are not single-object
/// encoded with a registered raw schema (the deliberately bad ones) go out unchanged.
/// </summary>
internal sealed class RawFraming
{
    private readonly Dictionary<ulong, int> _ids;

    private RawFraming(Dictionary<ulong, int> ids)
    {
        _ids = ids;
    }

    /// <summary>Registers the raw event schemas under their topics' subjects.</summary>
    public static async Task<RawFraming> RegisterAsync(ISchemaRegistryClient client)
    {
        var ids = new Dictionary<ulong, int>();
        foreach ((string topic, string name) in new[] { (Contracts.Topics.TelematicsRaw, "TelematicsEvent"), (Contracts.Topics.WifiRaw, "WifiEvent") })
        {
            SchemaInfo schema = SchemaCatalog.Default.Get(name);
            ids[schema.Fingerprint] = await client.RegisterSchemaAsync(topic + "-value", new Schema(schema.Json, SchemaType.Avro)).ConfigureAwait(false);
        }

        return new RawFraming(ids);
    }

    /// <summary><paramref name="message"/> in Confluent framing, or unchanged when it is not a registered raw event.</summary>
    public byte[] Frame(byte[] message)
    {
        if (SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint) != AvroStatus.Ok || !_ids.TryGetValue(fingerprint, out int id))
        {
            return message;
        }

        return ConfluentFraming.Reframe(message, id);
    }
}
