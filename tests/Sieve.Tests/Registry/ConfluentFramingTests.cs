using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Core.Registry;
using Sieve.Embedded.SchemaRegistry;
using Sieve.Testing.Codec;
using Sieve.Testing.Registry;
using Sieve.Testing.Pipeline;

namespace Sieve.Tests.Registry;

/// <summary>
/// Confluent framing in and out: the header reader, the framing serializer every output producer uses, the start-up
/// registration and its compatibility check, and a raw input whose schema id is new to the Minimizer.
/// </summary>
public sealed class ConfluentFramingTests : EmbeddedRegistryTest
{
    [Fact]
    public void The_header_reader_tells_the_two_framings_apart_and_a_Confluent_id_it_has_not_fetched_from_one_the_registry_lacks()
    {
        SchemaInfo telematics = SchemaCatalog.Default.Get("TelematicsEvent");
        byte[] singleObject = Sample().ToMessage();
        byte[] confluent = ConfluentFraming.Reframe(singleObject, 7);
        var ids = new SchemaIds();

        Assert.Equal(AvroStatus.Ok, RecordHeader.TryRead(singleObject, ids, out ulong fingerprint, out int bodyStart, out int schemaId));
        Assert.Equal((telematics.Fingerprint, SingleObjectEncoding.HeaderLength, -1), (fingerprint, bodyStart, schemaId));

        // Without a registry a Confluent header is just a wrong marker; with one, an id not fetched yet is a status of
        // its own (fetch, then read again), never a reason to quarantine.
        Assert.Equal(AvroStatus.BadMarker, RecordHeader.TryRead(confluent, null, out _, out _, out _));
        Assert.Equal(AvroStatus.UnknownSchemaId, RecordHeader.TryRead(confluent, ids, out _, out _, out schemaId));
        Assert.Equal(7, schemaId);
        ids.Add(7, telematics);
        Assert.Equal(AvroStatus.Ok, RecordHeader.TryRead(confluent, ids, out fingerprint, out bodyStart, out _));
        Assert.Equal((telematics.Fingerprint, ConfluentFraming.HeaderLength), (fingerprint, bodyStart));
        Assert.True(ids.TryGetId(telematics.Fingerprint, out int id) && id == 7);

        ids.AddMissing(8);
        Assert.Equal(AvroStatus.UnregisteredSchemaId, RecordHeader.TryRead(ConfluentFraming.Reframe(singleObject, 8), ids, out _, out _, out _));

        // Needs more data, or invalid: each prefix of a header says which.
        Assert.Equal(AvroStatus.Truncated, RecordHeader.TryRead(confluent.AsSpan(0, 4), ids, out _, out _, out _));
        Assert.Equal(AvroStatus.BadMarker, RecordHeader.TryRead([0x00, 0xFF, 0xFF, 0xFF, 0xFF], ids, out _, out _, out _));
    }

    [Fact]
    public async Task A_registered_topic_is_written_in_Confluent_framing_that_Confluents_deserializer_reads_and_other_topics_pass_through()
    {
        using var binding = new SchemaRegistryBinding(Client);
        SchemaInfo audit = SchemaCatalog.Default.Get("sieve.ops.AuditRecord");
        await binding.RegisterAsync([("audit.v1", audit)]);
        var serializer = new ConfluentFramingSerializer(binding);
        byte[] record = Sieve.Core.Output.OpsRecordWriter.Quarantine("telematics.raw.v1", 2, 41, new QuarantineReason("avro-truncated", "TelematicsEvent: the value ended inside a field"), 1_764_050_400_000, "m-1");

        // The quarantine topic is not registered: its value is the single-object record, unchanged.
        Assert.Same(record, serializer.Serialize(record, new SerializationContext(MessageComponentType.Value, "quarantine.v1")));

        await binding.RegisterAsync([("quarantine.v1", SchemaCatalog.Default.Get("sieve.ops.QuarantineRecord"))]);
        byte[] framed = serializer.Serialize(record, new SerializationContext(MessageComponentType.Value, "quarantine.v1"));
        Assert.Equal(ConfluentFraming.MagicByte, framed[0]);
        Assert.Equal(record.Length - SingleObjectEncoding.HeaderLength + ConfluentFraming.HeaderLength, framed.Length);

        // Once warm, framing a record allocates nothing: the framed copy lives in a per-thread array of its length.
        var quarantineContext = new SerializationContext(MessageComponentType.Value, "quarantine.v1");
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            serializer.Serialize(record, quarantineContext);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2, await Client.GetSchemaIdAsync("quarantine.v1-value", SchemaCatalog.Default.Get("sieve.ops.QuarantineRecord").Json));

        using var reader = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = Registry.Url });
        GenericRecord read = await new AvroDeserializer<GenericRecord>(reader).DeserializeAsync(framed, isNull: false, new SerializationContext(MessageComponentType.Value, "quarantine.v1"));
        Assert.Equal(("telematics.raw.v1", 2, 41L, "avro-truncated"), ((string)read["sourceTopic"], (int)read["partition"], (long)read["offset"], (string)read["reasonCode"]));
    }

    [Fact]
    public async Task An_output_schema_its_subject_would_not_accept_stops_registration_with_one_line_naming_the_subject_and_level()
    {
        // A positioning.v1 subject that already holds another record shape: the policy's schema cannot read its data.
        const string Other = """{"type":"record","name":"PositioningRecord","namespace":"sieve.minimized","fields":[{"name":"legacy","type":"string"}]}""";
        await Client.RegisterSchemaAsync("positioning.v1-value", new Schema(Other, SchemaType.Avro));
        using var binding = new SchemaRegistryBinding(Client);
        SchemaInfo positioning = SchemaCatalog.Default.Get("PositioningRecord");

        SchemaRegistryMismatchException e = await Assert.ThrowsAsync<SchemaRegistryMismatchException>(() => binding.RegisterAsync([("positioning.v1", positioning)]));
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith("Schema registry subject 'positioning.v1-value' (BACKWARD): sieve.minimized.PositioningRecord", e.Message, StringComparison.Ordinal);
        Assert.False(binding.Frames("positioning.v1"));
        Assert.Equal([1], await Client.GetSubjectVersionsAsync("positioning.v1-value"));
    }

    [Fact]
    public async Task A_registry_that_cannot_be_reached_is_unavailable_and_an_id_it_lacks_is_missing_only_after_the_grace()
    {
        int port = Sieve.Embedded.LoopbackPorts.Free();
        using var binding = SchemaRegistryBinding.Connect(new SchemaRegistryOptions { Url = "http://127.0.0.1:" + port, RequestTimeoutMs = 2000 })!;

        SchemaRegistryUnavailableException e = await Assert.ThrowsAsync<SchemaRegistryUnavailableException>(() => binding.FetchAsync(5));
        Assert.StartsWith("Schema registry: get registry id 5 failed", e.Message, StringComparison.Ordinal);
        Assert.False(binding.Ids.IsMissing(5));

        // "Not found" from a registry that answers: asked again for the grace (a follower may lag behind the producer
        // that registered it), then missing, and records naming it are quarantined.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var reachable = new SchemaRegistryBinding(Client, time: time) { MissingGrace = TimeSpan.FromSeconds(30) };
        e = await Assert.ThrowsAsync<SchemaRegistryUnavailableException>(() => reachable.FetchAsync(5));
        Assert.Equal("Schema registry: registry id 5 is not (yet) known to it; asking again.", e.Message);
        time.Advance(TimeSpan.FromSeconds(29));
        await Assert.ThrowsAsync<SchemaRegistryUnavailableException>(() => reachable.FetchAsync(5));
        Assert.False(reachable.Ids.IsMissing(5));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await reachable.FetchAsync(5));
        Assert.True(reachable.Ids.IsMissing(5));
    }

    [Fact]
    public async Task The_Minimizer_asks_for_a_new_schema_id_then_reads_the_record_and_quarantines_one_the_registry_lacks()
    {
        using var binding = new SchemaRegistryBinding(Client) { MissingGrace = TimeSpan.Zero };
        SchemaInfo newer = EvolvedSchemas.TelematicsWithTripId();
        int id = await Client.RegisterSchemaAsync("telematics.raw.v1-value", new Schema(newer.Json, SchemaType.Avro));
        using var harness = new CoreHarness(RawWriterSchemas.Create(binding.Ids));
        TelematicsEventData data = Sample();
        await harness.GrantAsync(Sieve.Contracts.Identifiers.SubjectType.Vin, data.Vin, Sieve.Contracts.Purposes.KnownPurposes.Positioning, data.EventTime - 1000);
        byte[] message = ConfluentFraming.Reframe(EvolvedSchemas.Message(newer, data, new Dictionary<string, object?> { ["tripId"] = "trip-1" }), id);

        (ProcessStatus status, _, _) = await harness.ProcessAsync(InputKind.Telematics, message);
        Assert.Equal(ProcessStatus.NeedsSchema, status);
        Assert.Equal(id, harness.Core.PendingSchemaId);
        Assert.Empty(harness.Sink.Records);

        Assert.Equal(newer.Fingerprint, (await binding.FetchAsync(id))!.Fingerprint);
        (status, Outcome[] outcomes, _) = await harness.ProcessAsync(InputKind.Telematics, message);
        Assert.Equal(ProcessStatus.Processed, status);
        Assert.Equal(Outcome.Forwarded, outcomes[harness.PlanIndex(Sieve.Contracts.Purposes.KnownPurposes.Positioning)]);

        Assert.Null(await binding.FetchAsync(id + 100));
        (status, _, QuarantineReason reason) = await harness.ProcessAsync(InputKind.Telematics, WithId(message, id + 100));
        Assert.Equal(ProcessStatus.Quarantined, status);
        Assert.Equal("unregistered-schema-id", reason.Code);
    }

    private static TelematicsEventData Sample()
    {
        var ids = new Sieve.Simulation.SyntheticIdentities(3);
        return new TelematicsEventData
        {
            EventId = "e-1", Vin = ids.Vin(), DeviceId = ids.Imei(), EventTime = 1_764_050_400_000,
            Location = new GeoLocationData(31.2304, 121.4737, 42.5f, 90f, 4.2f),
        };
    }

    private static byte[] WithId(byte[] framed, int schemaId)
    {
        byte[] copy = (byte[])framed.Clone();
        ConfluentFraming.WriteHeader(copy, schemaId);
        return copy;
    }
}
