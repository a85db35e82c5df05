using Microsoft.Extensions.Logging;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Anonymization;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Core.Registry;
using Sieve.Testing.Logging;

namespace Sieve.Testing.EndToEnd;

/// <summary>
/// The minimizer as the service assembles it (Redis consent store, then near-cache, core, engine and consent loader
/// from <see cref="MinimizerPipelineBuilder"/>), built in this process so a test can watch its counters and logs. Uses the demo master key.
/// </summary>
internal sealed class InProcessMinimizer : IAsyncDisposable
{
    private static readonly TimeSpan StopGuard = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    private InProcessMinimizer(RedisConsentStore store, MinimizerPipeline pipeline)
    {
        Store = store;
        Pipeline = pipeline;
        Loader = pipeline.Loader!;
    }

    public RedisConsentStore Store { get; }

    /// <summary>The minimizer as <see cref="MinimizerPipelineBuilder"/> built it.</summary>
    public MinimizerPipeline Pipeline { get; }

    public ConsentCache Cache => Pipeline.Cache;

    public PseudonymKeyFactory Keys => Pipeline.Keys;

    public MinimizerCore Core => Pipeline.Core;

    public MinimizerEngine Engine => Pipeline.Engine;

    public MinimizerOptions Options => Pipeline.EngineOptions;

    /// <summary>The loader started with the minimizer.</summary>
    public ConsentLoader Loader { get; }

    /// <summary>The engine's loop; faulted if the engine crashed.</summary>
    public Task EngineTask { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Builds and starts the minimizer. Redis keys and the invalidation channel get a unique prefix, so tests can
    /// share one Redis. With <paramref name="startEngine"/> false only the consent loader runs until <see cref="StartEngine"/>.
    /// <paramref name="delivery"/> picks the engine's delivery mode; a <paramref name="groupId"/> shared by two
    /// minimizers makes the second resume from the first one's committed offsets. Instances of one deployment
    /// (scaled out) pass the same <paramref name="deployment"/>: they then share the consumer group, the consent
    /// loader's group and the Redis key space, as instances of the service do. <paramref name="options"/> replaces
    /// the production batch, cache and loader settings.
    /// </summary>
    public static async Task<InProcessMinimizer> StartAsync(string bootstrapServers, string redisConfiguration, PipelineTopics topics,
        LogRecorder logs, string name, bool startEngine = true,
        DeliveryMode delivery = DeliveryMode.ExactlyOnce, string? groupId = null, SharedDeployment? deployment = null,
        MinimizerPipelineOptions? options = null, SchemaRegistryBinding? registry = null, RawWriterSchemas? writers = null)
    {
        string unique = deployment?.Name ?? name + "-" + Guid.NewGuid().ToString("N");
        CompiledPolicy policy = topics.Policy();
        RedisConsentStore store = await RedisConsentStore.ConnectAsync(
            new RedisConsentStoreOptions
            {
                Configuration = redisConfiguration,
                KeyPrefix = "e2e:" + unique + ":consent:",
                InvalidationChannel = "e2e:" + unique + ":invalidations",
                ConsentTopic = topics.ConsentChanges,
            },
            logger: logs.For<RedisConsentStore>());
        MinimizerPipeline pipeline;
        try
        {
            MinimizerPipelineBuilder builder = PipelineBuilder(bootstrapServers, topics.ToOptions(), policy, store, logs, name, unique, delivery, groupId, deployment, options, registry, writers);
            await builder.RegisterSchemasAsync();
            pipeline = builder.Build();
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }

        var minimizer = new InProcessMinimizer(store, pipeline);
        minimizer._loops.Add(minimizer.Loader.RunAsync(minimizer._stop.Token));
        if (startEngine)
        {
            minimizer.StartEngine();
        }

        return minimizer;
    }

    /// <summary>
    /// The pipeline <see cref="StartAsync"/> builds: the production pipeline (demo master key) on the test's topics,
    /// groups and instance id, with the deployment's Kafka properties for the engine and the loaders.
    /// </summary>
    internal static MinimizerPipelineBuilder PipelineBuilder(string bootstrapServers, TopicOptions topics, CompiledPolicy policy, IConsentStore store,
        LogRecorder logs, string name, string unique, DeliveryMode delivery = DeliveryMode.ExactlyOnce, string? groupId = null,
        SharedDeployment? deployment = null, MinimizerPipelineOptions? options = null, SchemaRegistryBinding? registry = null, RawWriterSchemas? writers = null) =>
        new(store, policy, new PseudonymKeyFactory(MasterKeyRing.CreateDemo()))
        {
            RecallKey = Recall.TestRecallKey.Key,
            Registry = registry,
            Writers = writers,
            BootstrapServers = bootstrapServers,
            KafkaProperties = deployment?.KafkaProperties ?? [],
            GroupId = groupId ?? "e2e-minimizer-" + unique,
            InstanceId = "e2e-" + name,
            Delivery = delivery,
            Topics = topics,
            LoaderGroupId = "e2e-loader-" + unique,
            LoggerFactory = new RecordingLoggerFactory(logs),
            // As the service does: instances of a deployment count density together in the consent store's Redis.
            Density = store is RedisConsentStore redis ? new RedisDensityCounter(redis.Database, "e2e:" + unique + ":density:") : new InMemoryDensityCounter(),
            Release = new ReleaseOptions { IdleFlushMs = 1_000 },
            Options = options ?? MinimizerPipelineOptions.Production,
        };

    /// <summary>Starts the engine's loop (once).</summary>
    public void StartEngine()
    {
        Assert.True(EngineTask == Task.CompletedTask, "The engine runs already.");

        // As MinimizerService does: the engine's loop blocks in librdkafka calls, so it gets a thread of its own.
        CancellationToken token = _stop.Token;
        EngineTask = Task.Factory.StartNew(() => Engine.RunAsync(token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        _loops.Add(EngineTask);
        _loops.Add(Task.Factory.StartNew(() => Pipeline.Release.RunAsync(token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());
    }

    /// <summary>Starts another consent loader over the same store, in its own group (it reads the consent topic from the start).</summary>
    public ConsentLoader StartLoader(string groupId)
    {
        ConsentLoader loader = Pipeline.CreateLoader(groupId);
        _loops.Add(loader.RunAsync(_stop.Token));
        return loader;
    }

    /// <summary>Throws the engine's exception if its loop has ended; a test awaiting outputs calls this so a crash is reported as such.</summary>
    public void ThrowIfStopped()
    {
        foreach (Task loop in _loops)
        {
            if (loop.IsCompleted)
            {
                loop.GetAwaiter().GetResult();
                throw new InvalidOperationException("A minimizer loop ended although it was not stopped.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(StopGuard);
        }
        finally
        {
            Pipeline.Dispose();
            await Store.DisposeAsync();
            _stop.Dispose();
        }
    }
}

/// <summary>Hands the pipeline's loggers to a <see cref="LogRecorder"/>.</summary>
internal sealed class RecordingLoggerFactory(LogRecorder logs) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logs.CreateLogger(categoryName);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("Every logger goes to the recorder.");

    public void Dispose()
    {
    }
}

/// <summary>
/// What the instances of one scaled-out minimizer deployment share: the name behind their consumer group, consent
/// loader group and Redis key prefix, and extra librdkafka properties for every instance's clients.
/// </summary>
internal sealed class SharedDeployment(string name)
{
    /// <summary>Unique per deployment.</summary>
    public string Name { get; } = name + "-" + Guid.NewGuid().ToString("N");

    /// <summary>librdkafka consumer properties applied to each instance's clients (engine and consent loader).</summary>
    public Dictionary<string, string> KafkaProperties { get; } = new(StringComparer.Ordinal);
}
