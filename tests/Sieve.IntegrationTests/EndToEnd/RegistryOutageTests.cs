using System.Text;
using Confluent.SchemaRegistry;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Schemas;
using Sieve.Core.Registry;
using Sieve.Embedded.SchemaRegistry;
using Sieve.Testing.Codec;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// Raw inputs in Confluent framing whose writer schema the Minimizer has not fetched yet, while the registry is down:
/// the batch is held (nothing forwarded, nothing quarantined, nothing skipped) and goes through once it is back.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RegistryOutageTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const int Events = 12;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_new_schema_id_met_while_the_registry_is_down_holds_the_batch_until_it_is_back_and_nothing_is_quarantined()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "registry-outage", rawPartitions: 1);
        int port = Sieve.Embedded.LoopbackPorts.Free();
        string url = "http://127.0.0.1:" + port;
        EmbeddedSchemaRegistry registry = await EmbeddedSchemaRegistry.StartAsync(port);
        using var producerClient = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = url });
        using SchemaRegistryBinding binding = SchemaRegistryBinding.Connect(new SchemaRegistryOptions { Url = url, RequestTimeoutMs = 2000 })!;

        var fleet = new TestFleet(seed: 808);
        TestSubject vehicle = fleet.Vehicle("vehicle consented", withDriver: false, KnownPurposes.Positioning);
        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, r => OutputDecoder.Audit(ApacheAvroBridge.ReadConfluent(producerClient, r), r.Message.Key));
        using var quarantine = TopicTail<byte[]>.Start(kafka.BootstrapServers, topics.Quarantine, r => r.Message.Value);
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs, "registry-outage",
            startEngine: false, registry: binding);
        using var producer = new RawProducer(kafka.BootstrapServers);
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var grants = fleet.All.SelectMany(s => s.InitialChanges(now - 3_600_000)).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, grants);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == grants.Count, Wait, () => "consent loader stored " + minimizer.Loader.Stored + " of " + grants.Count);

        // A unit on a newer schema registers it, then the registry goes down before the Minimizer has asked for it.
        SchemaInfo newer = EvolvedSchemas.TelematicsWithTripId();
        int newerId = await producerClient.RegisterSchemaAsync(SchemaRegistryBinding.Subject(topics.TelematicsRaw), new Schema(newer.Json, SchemaType.Avro));
        List<(string Subject, string Schema)> registered = await RegisteredInIdOrderAsync(producerClient);
        await registry.DisposeAsync();
        for (int i = 0; i < Events; i++)
        {
            byte[] singleObject = EvolvedSchemas.Message(newer, ApacheAvroBridge.ReadSingleObject(vehicle.Event("outage-" + i, now - ((Events - i) * 1000), i), "TelematicsEvent"),
                new Dictionary<string, object?> { ["tripId"] = "trip-outage" });
            byte[] framed = ConfluentFraming.Reframe(singleObject, newerId);
            await producer.SendRawAsync(topics.TelematicsRaw, 0, Encoding.UTF8.GetBytes(vehicle.Id), framed, "outage-" + i, now);
        }

        minimizer.StartEngine();
        await Eventually.UntilAsync(() => minimizer.Engine.Stats.RegistryFailures >= 3, Wait, () => minimizer.Engine.Stats.RegistryFailures + " registry failures", minimizer.ThrowIfStopped);
        Assert.Empty(audit.Values());
        Assert.Empty(quarantine.Values());
        Assert.True(minimizer.Engine.Stats.Paused, "The engine does not report itself paused while the registry is down.");

        // The registry is back with what it held (the stand-in keeps nothing, so it is started holding it).
        await using EmbeddedSchemaRegistry back = await EmbeddedSchemaRegistry.StartAsync(port, registered);
        using (var fresh = new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = url }))
        {
            Assert.Equal(newer.Fingerprint, SchemaInfo.Parse("registry id " + newerId, (await fresh.GetSchemaAsync(newerId)).SchemaString).Fingerprint);
        }

        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= Events, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + Events + " inputs", minimizer.ThrowIfStopped);
        Assert.Equal(Events, AuditLedger.Inputs(entries));
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
        PurposeCounts positioning = AuditLedger.Totals(entries)[KnownPurposes.Positioning];
        Assert.True(positioning.Forwarded == Events, "positioning: " + positioning);
        Assert.Empty(AuditLedger.Quarantined(entries));
        Assert.Empty(quarantine.Values());
        Assert.Contains(logs.Lines, l => l.Contains("Schema registry unavailable", StringComparison.Ordinal));
        output.WriteLine(minimizer.Engine.Stats.RegistryFailures + " batch attempts held while the registry was down; then " + Events + " inputs forwarded");
    }

    private static async Task<List<(string Subject, string Schema)>> RegisteredInIdOrderAsync(CachedSchemaRegistryClient client)
    {
        var byId = new SortedDictionary<int, (string, string)>();
        foreach (string subject in await client.GetAllSubjectsAsync())
        {
            foreach (int version in await client.GetSubjectVersionsAsync(subject))
            {
                RegisteredSchema s = await client.GetRegisteredSchemaAsync(subject, version);
                byId.TryAdd(s.Id, (subject, s.SchemaString));
            }
        }

        return [.. byId.Values];
    }
}
