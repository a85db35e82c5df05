using Confluent.SchemaRegistry;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Schemas;
using Sieve.Core.Registry;
using Sieve.Embedded.SchemaRegistry;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Sink;

namespace Sieve.IntegrationTests.Sink;

/// <summary>
/// The Sink reading Confluent-framed purpose records whose schema id it has not fetched, while the registry is down:
/// it waits (nothing landed, nothing quarantined, nothing after the record read) and lands everything once it is back.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class SinkRegistryTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_new_schema_id_met_while_the_registry_is_down_holds_the_sink_until_it_is_back_and_nothing_is_quarantined()
    {
        using var records = new MinimizedRecords();
        await records.DriveAsync(await records.ConsentingVehicleAsync(), 10);
        using SinkTestBed bed = await SinkTestBed.CreateAsync(kafka, "lake.registry", partitions: 1);
        string topic = bed.TopicByPurpose["positioning"];

        int port = Sieve.Embedded.LoopbackPorts.Free();
        string url = "http://127.0.0.1:" + port;
        SchemaInfo positioning = SchemaCatalog.Default.Get("PositioningRecord");
        var held = new List<(string Subject, string Schema)>
        {
            (SchemaRegistryBinding.Subject(topic), positioning.Json),
            (SchemaRegistryBinding.Subject(bed.QuarantineTopic), SchemaCatalog.Default.Get("QuarantineRecord").Json),
        };

        // The Sink starts against a running registry (it registers its quarantine schema), which then goes down before
        // the first positioning record, written by a Minimizer in Confluent framing, arrives.
        EmbeddedSchemaRegistry registry = await EmbeddedSchemaRegistry.StartAsync(port, held);
        using SchemaRegistryBinding binding = SchemaRegistryBinding.Connect(new SchemaRegistryOptions { Url = url, RequestTimeoutMs = 2000 })!;
        await using RunningSink sink = bed.Start(registry: binding);
        await Eventually.UntilAsync(() => binding.Frames(bed.QuarantineTopic), Limit, () => "the sink has not registered its quarantine schema");
        await registry.DisposeAsync();

        var positioningRecords = records.Records.Where(r => r.Purpose == "positioning")
            .Select(r => (r.Purpose, r.Topic, r.Key, ConfluentFraming.Reframe(r.Value, 1))).ToList();
        Assert.NotEmpty(positioningRecords);
        var delivered = await bed.ProduceAsync(positioningRecords);

        await Eventually.UntilAsync(() => sink.Engine.RegistryWaits >= 2, Limit, () => sink.Engine.RegistryWaits + " waits for the registry");
        Assert.Equal(0, sink.Engine.RowsLanded);
        Assert.Equal(0, sink.Engine.Quarantined);

        await using EmbeddedSchemaRegistry back = await EmbeddedSchemaRegistry.StartAsync(port, held);
        await sink.WaitUntilLandedAsync(Limit);
        Assert.Equal(delivered.Count, sink.Engine.RowsLanded);
        Assert.Equal(0, sink.Engine.Quarantined);
        Assert.Equal(delivered.Count, LakeQuery.Scalar("select count(*) from " + LakeQuery.Purpose(bed.Root, "positioning")));
    }
}
