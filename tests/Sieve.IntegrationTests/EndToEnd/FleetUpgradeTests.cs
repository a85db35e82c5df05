using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Avro.Generic;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Microsoft.Extensions.Logging.Abstractions;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Schemas;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Landing;
using Sieve.Core.Metrics;
using Sieve.Core.Pipeline;
using Sieve.Core.Registry;
using Sieve.Embedded.SchemaRegistry;
using Sieve.Testing;
using Sieve.Testing.Codec;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Interop;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Sieve.Testing.Sink;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// A fleet upgrading its firmware while Sieve runs: units on <c>TelematicsEvent</c> v1 (the shipped schema) and v2
/// (adds an optional <c>tripId</c>, drops nothing) publish interleaved, and a unit on an incompatible v3
/// (<c>eventTime</c> as a string) joins them. In each wire format the Minimizer forwards v1 and v2 alike, quarantines
/// v3 with the reason, the Sink lands every forwarded record, and the audit adds up.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class FleetUpgradeTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const int Events = 30;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Theory]
    [InlineData("single-object")]
    [InlineData("confluent")]
    public async Task Units_on_v1_and_v2_are_forwarded_side_by_side_an_incompatible_v3_is_quarantined_the_lake_reads_all_and_the_audit_adds_up(string format)
    {
        bool confluent = format == "confluent";
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "upgrade-" + format, rawPartitions: 1);
        SchemaInfo v1 = SchemaCatalog.Default.Get("TelematicsEvent");
        SchemaInfo v2 = EvolvedSchemas.TelematicsWithTripId();
        SchemaInfo v3 = EvolvedSchemas.TelematicsWithTextTime();

        await using EmbeddedSchemaRegistry? registry = confluent ? await EmbeddedSchemaRegistry.StartAsync() : null;
        using CachedSchemaRegistryClient? client = registry is null ? null : new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registry.Url });
        using SchemaRegistryBinding? minimizerBinding = client is null ? null : new SchemaRegistryBinding(client);
        using SchemaRegistryBinding? sinkBinding = client is null ? null : new SchemaRegistryBinding(client);

        // The units' side. With a registry, v1 and v2 are registered under the raw topic's subject; v3 is refused there
        // (it is not BACKWARD compatible), so its unit registers it under a subject of its own, as a misconfigured
        // producer would, and the Minimizer meets an id whose schema it cannot read.
        var ids = new int[3];
        if (client is not null)
        {
            string subject = SchemaRegistryBinding.Subject(topics.TelematicsRaw);
            ids[0] = await client.RegisterSchemaAsync(subject, new Schema(v1.Json, SchemaType.Avro));
            ids[1] = await client.RegisterSchemaAsync(subject, new Schema(v2.Json, SchemaType.Avro));
            SchemaRegistryException rejected = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, new Schema(v3.Json, SchemaType.Avro)));
            Assert.Equal(409, (int)rejected.Status);
            ids[2] = await client.RegisterSchemaAsync("rogue-firmware-value", new Schema(v3.Json, SchemaType.Avro));
        }

        var fleet = new TestFleet(seed: 707);
        TestSubject[] vehicles =
        [
            fleet.Vehicle("vehicle consented 1", withDriver: true, KnownPurposes.Positioning),
            fleet.Vehicle("vehicle consented 2", withDriver: false, KnownPurposes.Positioning, KnownPurposes.Personalization),
            fleet.Vehicle("vehicle consented 3", withDriver: false, KnownPurposes.Positioning),
            fleet.Vehicle("vehicle without consent", withDriver: false),
        ];

        // Without a registry the Minimizer knows a writer schema by its fingerprint only: the deployment gives it v2 and
        // v3 as known writers (v3 to be refused by its plan, not for being unknown).
        RawWriterSchemas? writers = confluent ? null : RawWriterSchemas.Create(null, v2, v3);
        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, r => OutputDecoder.Audit(Read(client, r, "AuditRecord"), r.Message.Key));
        using var quarantine = TopicTail<QuarantineEntry>.Start(kafka.BootstrapServers, topics.Quarantine, r => OutputDecoder.Quarantine(Read(client, r, "QuarantineRecord")));
        using var positioning = TopicTail<(byte[] Value, PurposeRecord Record)>.Start(kafka.BootstrapServers, topics.Positioning,
            r => (r.Message.Value, OutputDecoder.Purpose(Read(client, r, "PositioningRecord"), r.Message.Key)));
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs, "upgrade-" + format,
            startEngine: false, registry: minimizerBinding, writers: writers);
        using var producer = new RawProducer(kafka.BootstrapServers);

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var grants = fleet.All.SelectMany(s => s.InitialChanges(now - 3_600_000)).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, grants);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == grants.Count, Wait, () => "consent loader stored " + minimizer.Loader.Stored + " of " + grants.Count);

        int expectedForwarded = 0;
        var versions = new int[3];
        for (int i = 0; i < Events; i++)
        {
            TestSubject vehicle = vehicles[i % vehicles.Length];
            int version = i % 5 == 4 ? 3 : i % 2 == 0 ? 1 : 2;
            versions[version - 1]++;
            string eventId = "upgrade-" + i;
            long time = now - ((Events - i) * 1000);
            byte[] current = vehicle.Event(eventId, time, i);
            byte[] singleObject = version switch
            {
                1 => current,
                2 => EvolvedSchemas.Message(v2, ApacheAvroBridge.ReadSingleObject(current, "TelematicsEvent"), new Dictionary<string, object?> { ["tripId"] = "trip-" + (i / 4) }),
                _ => EvolvedSchemas.Message(v3, ApacheAvroBridge.ReadSingleObject(current, "TelematicsEvent"), new Dictionary<string, object?> { ["eventTime"] = "2026-12-06T10:00:00Z" }),
            };
            byte[] value = confluent ? ConfluentFraming.Reframe(singleObject, ids[version - 1]) : singleObject;
            await producer.SendRawAsync(topics.TelematicsRaw, 0, Encoding.UTF8.GetBytes(vehicle.Id), value, eventId, time);
            if (version != 3 && vehicle.Grants.Contains(KnownPurposes.Positioning))
            {
                expectedForwarded++;
            }
        }

        minimizer.StartEngine();
        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= Events, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + Events + " inputs", minimizer.ThrowIfStopped);
        Assert.Equal(Events, AuditLedger.Inputs(entries));
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);

        // v3, and only v3, is quarantined, with a reason that names the field; v1 and v2 are forwarded alike.
        Assert.Equal(new Dictionary<string, long> { ["incompatible-writer-schema"] = versions[2] }, AuditLedger.Quarantined(entries));
        List<QuarantineEntry> refused = await quarantine.WaitForAsync(q => q.Count >= versions[2], Wait, q => q.Count + " quarantine records");
        Assert.All(refused, q =>
        {
            Assert.Equal("incompatible-writer-schema", q.ReasonCode);
            Assert.Contains("eventTime", q.Detail, StringComparison.Ordinal);
        });
        output.WriteLine(format + ": v1 " + versions[0] + ", v2 " + versions[1] + ", v3 " + versions[2] + " inputs; quarantine reason: " + refused[0].Detail);

        List<(byte[] Value, PurposeRecord Record)> forwarded = await positioning.WaitForAsync(r => r.Count >= expectedForwarded, Wait, r => r.Count + " of " + expectedForwarded + " positioning records");
        Assert.Equal(expectedForwarded, forwarded.Count);
        Assert.Equal(expectedForwarded, entries.Sum(e => e.Purposes.TryGetValue(KnownPurposes.Positioning, out PurposeCounts c) ? c.Forwarded : 0));
        Assert.All(forwarded, r => Assert.Equal(confluent ? ConfluentFraming.MagicByte : SingleObjectEncoding.Marker0, r.Value[0]));
        var scanner = fleet.Scanner();
        Assert.All(forwarded, r => scanner.AssertClean(r.Value, "positioning record"));

        // The Sink lands every forwarded record in the lake, reading the same wire format.
        long landed = await LandAsync(topics, sinkBinding, expectedForwarded);
        Assert.Equal(expectedForwarded, landed);

        if (registry is not null)
        {
            // A client that shares no code with Sieve or Confluent's .NET library decodes the same records by their ids.
            await NodeClient.EnsureReadyAsync();
            string file = Path.GetTempFileName();
            try
            {
                await File.WriteAllLinesAsync(file, forwarded.Select(r => Convert.ToHexString(r.Value)));
                ChildProcessResult decoded = await NodeClient.RunRegistryClientAsync(TimeSpan.FromSeconds(60), "decode", registry.Url, file);
                Assert.True(decoded.ExitCode == 0, decoded.Describe());
                string[] lines = decoded.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal(forwarded.Select(r => r.Record.Subject), lines.Select(l => JsonNode.Parse(l)!["subject"]!.GetValue<string>()));
            }
            finally
            {
                File.Delete(file);
            }

            Assert.Contains(SchemaRegistryBinding.Subject(topics.Positioning), await client!.GetAllSubjectsAsync());
        }
    }

    // Confluent's own deserializer through the registry, or the single-object reader; both are independent of Sieve's codec.
    private static GenericRecord Read(CachedSchemaRegistryClient? client, ConsumeResult<byte[], byte[]> result, string schemaName) =>
        client is null
            ? ApacheAvroBridge.ReadSingleObject(result.Message.Value, schemaName)
            : ApacheAvroBridge.ReadConfluent(client, result);

    private async Task<long> LandAsync(PipelineTopics topics, SchemaRegistryBinding? registry, int expected)
    {
        string root = Path.Combine(Path.GetTempPath(), "sieve-lake-upgrade-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            IReadOnlyList<LakeTable> tables = [.. LakeTable.FromPolicy(topics.Policy()).Where(t => t.Topic == topics.Positioning)];
            Assert.Single(tables);
            var options = new SinkOptions
            {
                BootstrapServers = kafka.BootstrapServers,
                GroupId = kafka.UniqueGroup("upgrade.sink"),
                InstanceId = "upgrade-sink",
                Root = root,
                RollRows = 10,
                RollInterval = TimeSpan.FromMilliseconds(200),
                QuarantineTopic = topics.Quarantine,
            };
            using var gate = new LakeGate();
            var erased = new ErasedSubjects();
            erased.MarkReady();
            using var engine = new SinkEngine(options, tables, erased, gate, new SinkMetrics(), NullLogger.Instance) { Registry = registry };
            using var stop = new CancellationTokenSource();
            Task run = Task.Factory.StartNew(() => engine.RunAsync(stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
            await Eventually.UntilAsync(() => run.IsCompleted || engine.RowsLanded >= expected, Wait, () => "sink landed " + engine.RowsLanded + " of " + expected);
            await stop.CancelAsync();
            await run;
            Assert.Equal(0, engine.Quarantined);
            return LakeQuery.Scalar("select count(*) from " + LakeQuery.Purpose(root, KnownPurposes.Positioning));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
