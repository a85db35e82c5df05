using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Embedded.SchemaRegistry;
using Sieve.Testing.Codec;
using Sieve.Testing.Registry;

namespace Sieve.Tests.Registry;

/// <summary>The embedded registry, driven by Confluent's own .NET client and Avro serdes.</summary>
public sealed class EmbeddedSchemaRegistryTests : EmbeddedRegistryTest
{
    private const string Subject = "telematics.raw.v1-value";

    [Fact]
    public async Task Confluents_client_registers_looks_up_and_gets_schemas_by_id_and_version()
    {
        SchemaInfo current = SchemaCatalog.Default.Get("TelematicsEvent");
        int id = await Client.RegisterSchemaAsync(Subject, new Schema(current.Json, SchemaType.Avro));
        Assert.Equal(1, id);
        Assert.Equal(id, await Client.RegisterSchemaAsync(Subject, new Schema(current.Json, SchemaType.Avro)));

        using var fresh = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = Registry.Url });
        Schema byId = await fresh.GetSchemaAsync(id);
        Assert.Equal(current.Json, byId.SchemaString);
        RegisteredSchema latest = await fresh.GetLatestSchemaAsync(Subject);
        Assert.Equal((1, id, Subject), (latest.Version, latest.Id, latest.Subject));
        Assert.Equal([1], await fresh.GetSubjectVersionsAsync(Subject));
        Assert.Equal([Subject], await fresh.GetAllSubjectsAsync());
        RegisteredSchema found = await fresh.LookupSchemaAsync(Subject, new Schema(current.Json, SchemaType.Avro), ignoreDeletedSchemas: true);
        Assert.Equal(id, found.Id);

        SchemaRegistryException missing = await Assert.ThrowsAsync<SchemaRegistryException>(() => fresh.GetSchemaAsync(99));
        Assert.Equal(40403, missing.ErrorCode);
    }

    [Fact]
    public async Task A_compatible_version_registers_and_an_incompatible_one_is_refused_under_the_subjects_level()
    {
        await Client.RegisterSchemaAsync(Subject, new Schema(EvolvedSchemas.Telematics.Json, SchemaType.Avro));
        var compatible = new Schema(EvolvedSchemas.TelematicsWithTripId().Json, SchemaType.Avro);
        var incompatible = new Schema(EvolvedSchemas.TelematicsWithTextTime().Json, SchemaType.Avro);

        Assert.True(await Client.IsCompatibleAsync(Subject, compatible));
        Assert.False(await Client.IsCompatibleAsync(Subject, incompatible));
        Assert.Equal(2, await Client.RegisterSchemaAsync(Subject, compatible));
        SchemaRegistryException refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => Client.RegisterSchemaAsync(Subject, incompatible));
        Assert.Equal(409, refused.ErrorCode);
        Assert.Contains("TelematicsEvent.eventTime", refused.Message, StringComparison.Ordinal);

        Assert.Equal(Compatibility.Backward, await Client.GetCompatibilityAsync());
        Assert.Equal(Compatibility.None, await Client.UpdateCompatibilityAsync(Compatibility.None, Subject));
        Assert.Equal(3, await Client.RegisterSchemaAsync(Subject, incompatible));
        Assert.Equal([1, 2, 3], await Client.GetSubjectVersionsAsync(Subject));
    }

    [Fact]
    public async Task Confluents_Avro_serializer_and_deserializer_round_trip_through_it_in_Confluent_framing()
    {
        SchemaInfo current = SchemaCatalog.Default.Get("TelematicsEvent");
        var serializer = new AvroSerializer<GenericRecord>(Client, new AvroSerializerConfig { AutoRegisterSchemas = true });
        var deserializer = new AvroDeserializer<GenericRecord>(Client);
        var context = new SerializationContext(MessageComponentType.Value, "telematics.raw.v1");
        TelematicsEventData data = new RandomRecords(seed: 4).Telematics();
        GenericRecord record = ApacheAvroBridge.ToGeneric(data);

        byte[] framed = await serializer.SerializeAsync(record, context);
        Assert.Equal(0, framed[0]);
        int id = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(framed.AsSpan(1, 4));
        Assert.Equal(current.Fingerprint, RegistryState.Fingerprint(Avro.Schema.Parse((await Client.GetSchemaAsync(id)).SchemaString)));

        GenericRecord back = await deserializer.DeserializeAsync(framed, isNull: false, context);
        Assert.Equal(data.Vin, back["vin"]);
        Assert.Equal(data.EventId, back["eventId"]);
        // The body after the 5-byte header is the same Avro binary as the single-object body.
        Assert.Equal(data.ToMessage().AsSpan(10).ToArray(), framed.AsSpan(5).ToArray());
    }
}
