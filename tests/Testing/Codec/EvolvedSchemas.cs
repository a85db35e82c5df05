using System.Text.Json.Nodes;
using Avro.Generic;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;

namespace Sieve.Testing.Codec;

/// <summary>
/// Writer schemas a fleet could send next to the current <c>TelematicsEvent</c>, derived from it by the usual
/// changes, and messages written with them (through Apache.Avro, so the bytes are not the span codec's own).
/// </summary>
internal static class EvolvedSchemas
{
    /// <summary>The current schema.</summary>
    public static SchemaInfo Telematics => SchemaCatalog.Default.Get("TelematicsEvent");

    /// <summary>An earlier writer: no <c>driver</c> field yet (the reader takes its default, null).</summary>
    public static SchemaInfo TelematicsWithoutDriver() =>
        Derive(Telematics, "telematics-without-driver.avsc", fields => fields.RemoveAt(fields.FindIndex(f => Name(f) == "driver")));

    /// <summary>A newer writer: an optional <c>tripId</c> after <c>eventTime</c> (the reader skips it).</summary>
    public static SchemaInfo TelematicsWithTripId() =>
        Derive(Telematics, "telematics-with-trip-id.avsc", fields => fields.Insert(fields.FindIndex(f => Name(f) == "eventTime") + 1,
            new JsonObject { ["name"] = "tripId", ["type"] = new JsonArray("null", "string"), ["default"] = null, ["classification"] = "quasi" }));

    /// <summary>An incompatible writer: <c>eventTime</c> as a string.</summary>
    public static SchemaInfo TelematicsWithTextTime() =>
        Derive(Telematics, "telematics-with-text-time.avsc", fields => fields.Find(f => Name(f) == "eventTime")!["type"] = "string");

    /// <summary><paramref name="current"/> with its top-level fields changed by <paramref name="change"/>.</summary>
    public static SchemaInfo Derive(SchemaInfo current, string fileName, Action<List<JsonNode>> change)
    {
        JsonObject json = JsonNode.Parse(current.Json)!.AsObject();
        List<JsonNode> fields = [.. json["fields"]!.AsArray().Select(f => f!.DeepClone())];
        change(fields);
        json["fields"] = new JsonArray([.. fields]);
        return SchemaInfo.Parse(fileName, json.ToJsonString());
    }

    /// <summary>
    /// <paramref name="data"/> as a single-object message written with <paramref name="writer"/>: fields the writer
    /// lacks are left out, and a field in <paramref name="extra"/> takes its value from there (null for any other
    /// field only the writer has).
    /// </summary>
    public static byte[] Message(SchemaInfo writer, TelematicsEventData data, IReadOnlyDictionary<string, object?>? extra = null) =>
        Message(writer, ApacheAvroBridge.ToGeneric(data), extra);

    /// <summary><paramref name="full"/>, a record of the current schema, as a single-object message written with <paramref name="writer"/> (as above).</summary>
    public static byte[] Message(SchemaInfo writer, GenericRecord full, IReadOnlyDictionary<string, object?>? extra = null)
    {
        var record = new GenericRecord(writer.Schema);
        foreach (Avro.Field field in writer.Schema.Fields)
        {
            record.Add(field.Name, extra is not null && extra.TryGetValue(field.Name, out object? given) ? given
                : full.TryGetValue(field.Name, out object? value) ? value : null);
        }

        byte[] body = RandomSchemaPairs.Encode(writer.Schema, record);
        byte[] message = new byte[SingleObjectEncoding.HeaderLength + body.Length];
        SingleObjectEncoding.WriteHeader(message, writer.Fingerprint);
        body.CopyTo(message, SingleObjectEncoding.HeaderLength);
        return message;
    }

    private static string Name(JsonNode field) => field["name"]!.GetValue<string>();
}
