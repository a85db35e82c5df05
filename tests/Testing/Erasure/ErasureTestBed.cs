using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Sieve.Embedded;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Erasure;
using Sieve.Testing.Harness;
using Sieve.Testing.Sink;
using Sieve.Testing.Consent;

namespace Sieve.Testing.Erasure;

/// <summary>A sink test bed plus the erasure side: its own redis-server and consent store, erasure topics and a running worker.</summary>
internal sealed class ErasureTestBed : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ErasureReceipt> _receipts = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource<ErasureReceipt>? _next;
    private Task? _worker;

    private ErasureTestBed(SinkTestBed sink, RedisServerProcess redis, RedisConsentStore store, FakeTimeProvider clock, bool systemClock)
    {
        Sink = sink;
        Redis = redis;
        Store = store;
        Clock = clock;
        KafkaFixture kafka = sink.Kafka;
        Options = new ErasureOptions
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = kafka.UniqueGroup("erasure"),
            InstanceId = "test-erasure",
            RequestsTopic = kafka.UniqueTopic("erasure.requests"),
            NoticesTopic = kafka.UniqueTopic("erasure.notices"),
            ReceiptsTopic = kafka.UniqueTopic("erasure.receipts"),
            ConsentChangesTopic = kafka.UniqueTopic("consent.changes"),
            QuarantineTopic = sink.QuarantineTopic,
        };
        foreach (KeyValuePair<string, string> pair in sink.Options.KafkaProperties)
        {
            Options.KafkaProperties[pair.Key] = pair.Value;
        }

        Keys = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        Publisher = new KafkaErasurePublisher(Options);
        TimeProvider time = systemClock ? TimeProvider.System : clock;
        Executor = new ErasureExecutor(sink.Tables, Keys, store, sink.Erased, new LakeEraser(sink.Root, sink.Gate, time),
            Publisher, sink.Metrics, NullLogger.Instance, time);
    }

    public SinkTestBed Sink { get; }

    public RedisServerProcess Redis { get; }

    public RedisConsentStore Store { get; }

    /// <summary>
    /// The executor's and the eraser's clock: its date is fixed (so key epochs are known) until a test advances it;
    /// unused when the bed was made with the system clock.
    /// </summary>
    public FakeTimeProvider Clock { get; }

    public ErasureOptions Options { get; }

    public PseudonymKeyFactory Keys { get; }

    public KafkaErasurePublisher Publisher { get; }

    public ErasureExecutor Executor { get; }

    /// <summary>Makes a bed; with <paramref name="systemClock"/> the executor and eraser run on the system clock (records of today).</summary>
    public static async Task<ErasureTestBed> CreateAsync(KafkaFixture kafka, string name, bool systemClock = false)
    {
        SinkTestBed sink = await SinkTestBed.CreateAsync(kafka, name);
        RedisServerProcess redis = await RedisServerProcess.StartNewAsync();
        RedisConsentStore store = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(redis.Configuration));
        var bed = new ErasureTestBed(sink, redis, store, new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(MinimizedRecords.Start).AddDays(2)), systemClock);
        foreach (string topic in new[] { bed.Options.RequestsTopic, bed.Options.NoticesTopic, bed.Options.ReceiptsTopic, bed.Options.ConsentChangesTopic })
        {
            await kafka.CreateTopicAsync(topic, 1);
        }

        return bed;
    }

    /// <summary>
    /// Starts the erasure worker (requests and consent changes). It runs on the system clock, so that its retry
    /// back-off elapses without a test advancing <see cref="Clock"/>; the executor it drives keeps the fixed date.
    /// </summary>
    public void StartWorker()
    {
        var worker = new ErasureWorker(Options, Executor, Publisher, NullLogger.Instance, TimeProvider.System);
        worker.Completed += receipt =>
        {
            lock (_gate)
            {
                _receipts.Add(receipt);
                _next?.TrySetResult(receipt);
            }
        };
        _worker = worker.RunAsync(_stop.Token);
    }

    /// <summary>Waits for the worker's next receipt (fails after a minute).</summary>
    public async Task<ErasureReceipt> NextReceiptAsync(int alreadySeen)
    {
        Task<ErasureReceipt> waiting;
        lock (_gate)
        {
            if (_receipts.Count > alreadySeen)
            {
                return _receipts[alreadySeen];
            }

            _next = new TaskCompletionSource<ErasureReceipt>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting = _next.Task;
        }

        Task finished = await Task.WhenAny(waiting, _worker!, Task.Delay(TimeSpan.FromSeconds(60)));
        if (finished != waiting)
        {
            if (_worker!.IsFaulted)
            {
                await _worker;
            }

            Assert.Fail("No erasure receipt within 60 s.");
        }

        return await waiting;
    }

    /// <summary>The subject's pseudonyms per purpose, derived as the executor does.</summary>
    public SubjectPseudonyms.Derived Derive(SubjectType type, string id)
    {
        Assert.True(SubjectPseudonyms.TryDerive(Keys, Sink.Tables, type, id, Clock.GetUtcNow(), out SubjectPseudonyms.Derived? derived, out _));
        return derived!;
    }

    public async Task<DeliveryResult<byte[], byte[]>> ProduceAsync(string topic, byte[] key, byte[] value)
    {
        using IProducer<byte[], byte[]> producer = KafkaTestClient.CreateProducer(Sink.Kafka.BootstrapServers);
        DeliveryResult<byte[], byte[]> result = await producer.ProduceAsync(topic, new Message<byte[], byte[]> { Key = key, Value = value });
        Assert.Equal(PersistenceStatus.Persisted, result.Status);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_worker is not null)
        {
            try
            {
                await _worker;
            }
            catch (OperationCanceledException)
            {
            }
        }

        Publisher.Dispose();
        await Store.DisposeAsync();
        Redis.Dispose();
        Sink.Dispose();
        _stop.Dispose();
    }
}
