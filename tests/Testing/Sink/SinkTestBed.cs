using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Sieve.Core.Policy;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Landing;
using Sieve.Core.Metrics;
using Sieve.Testing.Harness;

namespace Sieve.Testing.Sink;

/// <summary>
/// One sink's world for a test: its own purpose topics, quarantine topic, consumer group and lake folder on the
/// shared Kafka fixture, and helpers to produce minimized records and run engines against them.
/// </summary>
internal sealed class SinkTestBed : IDisposable
{
    private SinkTestBed(KafkaFixture kafka, string name, int partitions)
    {
        Kafka = kafka;
        Partitions = partitions;
        Root = Path.Combine(Path.GetTempPath(), "sieve-lake-" + name + "-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        var topics = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["positioning"] = kafka.UniqueTopic(name + ".positioning"),
            ["personalization"] = kafka.UniqueTopic(name + ".personalization"),
            ["analytics"] = kafka.UniqueTopic(name + ".analytics"),
            ["quality"] = kafka.UniqueTopic(name + ".quality"),
            ["marketing"] = kafka.UniqueTopic(name + ".marketing"),
        };
        TopicByPurpose = topics;
        Tables = LakeTable.FromPolicy(PolicyLoader.LoadDefault(), topicOverrides: topics);
        QuarantineTopic = kafka.UniqueTopic(name + ".quarantine");
        Options = new SinkOptions
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = kafka.UniqueGroup(name + ".sink"),
            InstanceId = "test-sink",
            Root = Root,
            RollRows = 100,
            RollInterval = TimeSpan.FromMilliseconds(200),
            QuarantineTopic = QuarantineTopic,
        };
        // A stopped engine stays in the group until its session times out, and the next one's join waits for that.
        // The mock accepts short sessions; real brokers refuse anything under group.min.session.timeout.ms (6 s).
        Options.KafkaProperties["session.timeout.ms"] = kafka.IsMock ? "2000" : "6000";
        Options.KafkaProperties["heartbeat.interval.ms"] = "500";
        Options.KafkaProperties["reconnect.backoff.ms"] = "50";
    }

    public KafkaFixture Kafka { get; }

    public int Partitions { get; }

    public string Root { get; }

    public IReadOnlyDictionary<string, string> TopicByPurpose { get; }

    public IReadOnlyList<LakeTable> Tables { get; }

    public string QuarantineTopic { get; }

    public SinkOptions Options { get; }

    public ErasedSubjects Erased { get; } = new();

    public LakeGate Gate { get; } = new();

    public SinkMetrics Metrics { get; } = new();

    /// <summary>Next offset to produce per partition, i.e. where a sink that landed everything has its positions.</summary>
    public Dictionary<TopicPartition, long> Ends { get; } = [];

    public static async Task<SinkTestBed> CreateAsync(KafkaFixture kafka, string name, int partitions = 2)
    {
        var bed = new SinkTestBed(kafka, name, partitions);
        foreach (string topic in bed.TopicByPurpose.Values)
        {
            await kafka.CreateTopicAsync(topic, partitions);
        }

        await kafka.CreateTopicAsync(bed.QuarantineTopic, 1);
        bed.Erased.MarkReady();
        return bed;
    }

    /// <summary>Produces <paramref name="records"/> (minimized values keyed by pseudonym) to their purposes' topics.</summary>
    private readonly Pipeline.StandInRelease _release = new();

    /// <summary>Produces each record to its purpose's topic; records held for a release stage as it would release them (<see cref="Pipeline.StandInRelease"/>).</summary>
    public async Task<List<(string Purpose, DeliveryResult<byte[], byte[]> Delivery, byte[] Value)>> ProduceAsync(
        IEnumerable<(string Purpose, string Topic, byte[] Key, byte[] Value)> records)
    {
        using IProducer<byte[], byte[]> producer = KafkaTestClient.CreateProducer(Kafka.BootstrapServers);
        var pending = new List<(string Purpose, Task<DeliveryResult<byte[], byte[]>> Delivery, byte[] Value)>();
        foreach ((string purpose, _, byte[] key, byte[] value) in _release.Apply(records))
        {
            pending.Add((purpose, producer.ProduceAsync(TopicByPurpose[purpose], new Message<byte[], byte[]> { Key = key, Value = value }), value));
        }

        var delivered = new List<(string, DeliveryResult<byte[], byte[]>, byte[])>(pending.Count);
        foreach ((string purpose, Task<DeliveryResult<byte[], byte[]>> task, byte[] value) in pending)
        {
            DeliveryResult<byte[], byte[]> result = await task;
            Assert.Equal(PersistenceStatus.Persisted, result.Status);
            Ends[result.TopicPartition] = Math.Max(Ends.GetValueOrDefault(result.TopicPartition), result.Offset.Value + 1);
            delivered.Add((purpose, result, value));
        }

        return delivered;
    }

    /// <summary>Produces raw bytes (e.g. a bad record) to a purpose's topic.</summary>
    public async Task<DeliveryResult<byte[], byte[]>> ProduceRawAsync(string purpose, byte[] value)
    {
        using IProducer<byte[], byte[]> producer = KafkaTestClient.CreateProducer(Kafka.BootstrapServers);
        DeliveryResult<byte[], byte[]> result = await producer.ProduceAsync(TopicByPurpose[purpose], new Message<byte[], byte[]> { Key = null!, Value = value });
        Ends[result.TopicPartition] = Math.Max(Ends.GetValueOrDefault(result.TopicPartition), result.Offset.Value + 1);
        return result;
    }

    public RunningSink Start(Action<SinkFaultPoint>? faults = null, Core.Registry.SchemaRegistryBinding? registry = null) => new(this, faults, registry);

    public void Dispose()
    {
        Gate.Dispose();
        Metrics.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>A sink engine running on its own thread, with the positions it has landed through.</summary>
internal sealed class RunningSink : IAsyncDisposable
{
    private readonly SinkTestBed _bed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<TopicPartition, long> _landedThrough = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource? _waiter;
    private Dictionary<TopicPartition, long>? _target;

    public RunningSink(SinkTestBed bed, Action<SinkFaultPoint>? faults, Core.Registry.SchemaRegistryBinding? registry = null)
    {
        _bed = bed;
        Engine = new SinkEngine(bed.Options, bed.Tables, bed.Erased, bed.Gate, bed.Metrics, NullLogger.Instance) { Faults = faults, Registry = registry };
        Engine.Resumed += Advance;
        Engine.Committed += Advance;
        Run = Task.Factory.StartNew(() => Engine.RunAsync(_stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public SinkEngine Engine { get; }

    public Task Run { get; }

    /// <summary>Completes once every partition in <see cref="SinkTestBed.Ends"/> is landed through its end; fails after <paramref name="limit"/>.</summary>
    public async Task WaitUntilLandedAsync(TimeSpan limit)
    {
        Task waiting;
        lock (_gate)
        {
            _target = new Dictionary<TopicPartition, long>(_bed.Ends);
            _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting = _waiter.Task;
            Check();
        }

        Task finished = await Task.WhenAny(waiting, Run, Task.Delay(limit));
        if (finished == Run)
        {
            await Run;
            Assert.Fail("The sink stopped before landing everything.");
        }

        if (finished != waiting)
        {
            Assert.Fail("The sink did not land everything within " + limit.TotalSeconds + " s: landed through "
                + string.Join(", ", Snapshot().Select(p => p.Key.Topic[..12] + "[" + p.Key.Partition.Value + "]=" + p.Value))
                + " of " + string.Join(", ", _target!.Select(p => p.Key.Topic[..12] + "[" + p.Key.Partition.Value + "]=" + p.Value)));
        }
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Run;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Run;
        }
        catch (Exception)
        {
            // A crashed engine's exception was observed by the test already. Like a killed process it leaves the
            // group only when its session times out.
        }

        Engine.Dispose();
        _stop.Dispose();
    }

    private Dictionary<TopicPartition, long> Snapshot()
    {
        lock (_gate)
        {
            return new Dictionary<TopicPartition, long>(_landedThrough);
        }
    }

    private void Advance(IReadOnlyList<TopicPartitionOffset> offsets)
    {
        lock (_gate)
        {
            foreach (TopicPartitionOffset o in offsets)
            {
                _landedThrough[o.TopicPartition] = Math.Max(_landedThrough.GetValueOrDefault(o.TopicPartition), o.Offset.Value);
            }

            Check();
        }
    }

    // Caller holds _gate.
    private void Check()
    {
        if (_waiter is null || _target is null)
        {
            return;
        }

        foreach (KeyValuePair<TopicPartition, long> end in _target)
        {
            if (_landedThrough.GetValueOrDefault(end.Key) < end.Value)
            {
                return;
            }
        }

        _waiter.TrySetResult();
    }
}
