using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Avro.Generic;
using Avro.IO;
using Confluent.Kafka;
using Confluent.Kafka.SyncOverAsync;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Schemas;

namespace Sieve.Commands.Demo;

/// <summary>
/// Reads the purpose topics the way a downstream team would (read_committed), measures end-to-end latency from
/// each record's timestamp (the raw event's produce time, which the minimizer carries over), and keeps a few
/// decoded sample records per purpose and source (<see cref="SampleRecords"/>). Confluent-framed records are read
/// with Confluent's own <c>AvroDeserializer</c> through <c>registry</c>, as a Kafka team would.
/// </summary>
public sealed class OutputWatcher(string bootstrapServers, IReadOnlyDictionary<string, int> partitionsByTopic, string? latencyTopic = null,
    ISchemaRegistryClient? registry = null)
{
    private readonly ConcurrentDictionary<string, string> _framing = new(StringComparer.Ordinal);
    private IDeserializer<GenericRecord>? _confluent;

    private readonly ConcurrentDictionary<string, long> _consumed = new(StringComparer.Ordinal);
    private readonly SampleRecords _samples = new();

    // Building an Apache.Avro reader resolves the whole schema: one per writer schema, reused for every sample
    // candidate, keeps the watcher at the pace of the outputs. Only Run's thread uses it.
    private readonly Dictionary<ulong, GenericDatumReader<GenericRecord>> _readers = [];

    /// <summary>End-to-end latencies, milliseconds.</summary>
    public LatencyRecorder Latency { get; } = new();

    /// <summary>Records read per topic.</summary>
    public IReadOnlyDictionary<string, long> Consumed => _consumed;

    /// <summary>How each topic's first record was framed, e.g. <c>Confluent framing, schema id 3</c>.</summary>
    public IReadOnlyDictionary<string, string> Framing => _framing;

    /// <summary>Sample records per topic, as JSON: telematics ones, then Wi-Fi ones.</summary>
    public IReadOnlyDictionary<string, List<string>> Samples => _samples.Snapshot();

    /// <summary>Reads until cancelled.</summary>
    public void Run(CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "sieve-demo-watcher",
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = 5,
            ConsumeResultFields = "topic,timestamp",
        };
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        var assignment = new List<TopicPartitionOffset>();
        foreach ((string topic, int partitions) in partitionsByTopic)
        {
            for (int p = 0; p < partitions; p++)
            {
                assignment.Add(new TopicPartitionOffset(topic, p, Offset.Beginning));
            }
        }

        consumer.Assign(assignment);
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsumeResult<byte[], byte[]>? result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result?.Message?.Value is null)
            {
                continue;
            }

            _consumed.AddOrUpdate(result.Topic, 1, (_, n) => n + 1);
            if (latencyTopic is null || result.Topic == latencyTopic)
            {
                // Purpose records carry their own time as the Kafka timestamp; only a topic whose records keep the
                // precise event time (positioning) measures end-to-end latency, since devices stamp events as they send.
                Latency.Add(Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - result.Message.Timestamp.UnixTimestampMs));
            }

            if (!_framing.ContainsKey(result.Topic))
            {
                _framing.TryAdd(result.Topic, Describe(result.Message.Value));
            }

            if (_samples.Wants(result.Topic) && TryDecodeWithCachedReader(result.Topic, result.Message.Value, out GenericRecord? record))
            {
                _samples.Offer(result.Topic, record);
            }
        }
    }

    /// <summary>Decodes a single-object message with Apache.Avro and renders it as JSON.</summary>
    public static string ToJson(byte[] message) =>
        TryDecode(message, out GenericRecord? record) ? ToJson(record) : "{\"error\":\"unknown writer schema\"}";

    /// <summary>Renders a decoded record as one line of JSON.</summary>
    public static string ToJson(GenericRecord record) => ToNode(record)!.ToJsonString(new JsonSerializerOptions { WriteIndented = false });

    /// <summary>Decodes a single-object message with Apache.Avro by its writer schema's fingerprint.</summary>
    public static bool TryDecode(byte[] message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GenericRecord? record)
    {
        record = null;
        if (SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint) != AvroStatus.Ok
            || !SchemaCatalog.Default.TryGetByFingerprint(fingerprint, out SchemaInfo? info) || info is null)
        {
            return false;
        }

        var stream = new MemoryStream(message, SingleObjectEncoding.HeaderLength, message.Length - SingleObjectEncoding.HeaderLength);
        record = new GenericDatumReader<GenericRecord>(info.Schema, info.Schema).Read(null!, new BinaryDecoder(stream));
        return true;
    }

    private static string Describe(byte[] message)
    {
        if (ConfluentFraming.TryReadHeader(message, out int schemaId) == AvroStatus.Ok)
        {
            return "Confluent framing, schema id " + schemaId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint) == AvroStatus.Ok
            ? "Avro single-object encoding, fingerprint 0x" + fingerprint.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)
                + (SchemaCatalog.Default.TryGetByFingerprint(fingerprint, out SchemaInfo? info) ? " (schemas/" + info!.FileName + ")" : "")
            : "unrecognized framing";
    }

    private bool TryDecodeWithCachedReader(string topic, byte[] message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out GenericRecord? record)
    {
        record = null;
        if (registry is not null && message.Length > 0 && message[0] == ConfluentFraming.MagicByte)
        {
            _confluent ??= new AvroDeserializer<GenericRecord>(registry).AsSyncOverAsync();
            record = _confluent.Deserialize(message, isNull: false, new SerializationContext(MessageComponentType.Value, topic));
            return true;
        }

        if (SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint) != AvroStatus.Ok)
        {
            return false;
        }

        if (!_readers.TryGetValue(fingerprint, out GenericDatumReader<GenericRecord>? reader))
        {
            if (!SchemaCatalog.Default.TryGetByFingerprint(fingerprint, out SchemaInfo? info) || info is null)
            {
                return false;
            }

            reader = new GenericDatumReader<GenericRecord>(info.Schema, info.Schema);
            _readers[fingerprint] = reader;
        }

        var stream = new MemoryStream(message, SingleObjectEncoding.HeaderLength, message.Length - SingleObjectEncoding.HeaderLength);
        record = reader.Read(null!, new BinaryDecoder(stream));
        return true;
    }

    private static JsonNode? ToNode(object? value) => value switch
    {
        null => null,
        GenericRecord r => new JsonObject(r.Schema.Fields.Select(f => KeyValuePair.Create(f.Name, ToNode(r[f.Name])))),
        GenericEnum e => JsonValue.Create(e.Value),
        object[] items => new JsonArray(items.Select(ToNode).ToArray()),
        DateTime t => JsonValue.Create(t.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture)),
        string s => JsonValue.Create(s),
        double d => JsonValue.Create(d),
        float f => JsonValue.Create(f),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        bool b => JsonValue.Create(b),
        _ => JsonValue.Create(value.ToString()),
    };
}
