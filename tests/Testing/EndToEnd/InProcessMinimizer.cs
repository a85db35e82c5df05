using Microsoft.Extensions.Logging;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Logging;

namespace Sieve.Testing.EndToEnd;

/// <summary>
/// The minimizer as the service assembles it (Redis consent store, near-cache, core, engine and consent loader),
/// built in this process so a test can watch its counters and logs. Uses the demo master key.
/// </summary>
internal sealed class InProcessMinimizer : IAsyncDisposable
{
    private static readonly TimeSpan StopGuard = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly PipelineTopics _topics;
    private readonly string _bootstrapServers;
    private readonly LogRecorder _logs;

    private InProcessMinimizer(PipelineTopics topics, string bootstrapServers, LogRecorder logs, RedisConsentStore store,
        ConsentCache cache, PseudonymKeyFactory keys, MinimizerCore core, MinimizerEngine engine, MinimizerOptions options)
    {
        _topics = topics;
        _bootstrapServers = bootstrapServers;
        _logs = logs;
        Store = store;
        Cache = cache;
        Keys = keys;
        Core = core;
        Engine = engine;
        Options = options;
    }

    public RedisConsentStore Store { get; }

    public ConsentCache Cache { get; }

    public PseudonymKeyFactory Keys { get; }

    public MinimizerCore Core { get; }

    public MinimizerEngine Engine { get; }

    public MinimizerOptions Options { get; }

    /// <summary>Extra consumer properties of a <see cref="SharedDeployment"/>, for the loaders too.</summary>
    private IReadOnlyDictionary<string, string> ConsumerProperties { get; init; } = new Dictionary<string, string>();

    /// <summary>The loader started with the minimizer.</summary>
    public ConsentLoader Loader { get; private set; } = null!;

    /// <summary>The engine's loop; faulted if the engine crashed.</summary>
    public Task EngineTask { get; private set; } = Task.CompletedTask;

    /// <summary>
    /// Builds and starts the minimizer. Redis keys and the invalidation channel get a unique prefix, so tests can
    /// share one Redis. With <paramref name="startEngine"/> false only the consent loader runs until <see cref="StartEngine"/>.
    /// <paramref name="delivery"/> picks the engine's delivery mode; a <paramref name="groupId"/> shared by two
    /// minimizers makes the second resume from the first one's committed offsets. Instances of one deployment
    /// (scaled out) pass the same <paramref name="deployment"/>: they then share the consumer group, the consent
    /// loader's group and the Redis key space, as instances of the service do.
    /// </summary>
    public static async Task<InProcessMinimizer> StartAsync(string bootstrapServers, string redisConfiguration, PipelineTopics topics,
        LogRecorder logs, string name, ConsentCacheOptions? cacheOptions = null, bool startEngine = true,
        DeliveryMode delivery = DeliveryMode.ExactlyOnce, string? groupId = null, SharedDeployment? deployment = null)
    {
        string unique = deployment?.Name ?? name + "-" + Guid.NewGuid().ToString("N");
        var options = new MinimizerOptions
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupId ?? "e2e-minimizer-" + unique,
            InstanceId = "e2e-" + name,
            Delivery = delivery,
            Topics = topics.ToOptions(),
        };
        if (deployment is not null)
        {
            foreach (KeyValuePair<string, string> pair in deployment.KafkaProperties)
            {
                options.KafkaProperties[pair.Key] = pair.Value;
            }
        }

        CompiledPolicy policy = topics.Policy();
        RedisConsentStore store = await RedisConsentStore.ConnectAsync(
            new RedisConsentStoreOptions
            {
                Configuration = redisConfiguration,
                KeyPrefix = "e2e:" + unique + ":consent:",
                InvalidationChannel = "e2e:" + unique + ":invalidations",
            },
            logger: logs.For<RedisConsentStore>());
        var cache = new ConsentCache(store, cacheOptions ?? new ConsentCacheOptions());
        var keys = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        var core = new MinimizerCore(policy, keys, cache, options.SubjectCacheCapacity);
        var engine = new MinimizerEngine(options, core, cache, logs.For<MinimizerEngine>());
        var minimizer = new InProcessMinimizer(topics, bootstrapServers, logs, store, cache, keys, core, engine, options)
        {
            ConsumerProperties = deployment?.KafkaProperties ?? [],
        };

        minimizer.Loader = minimizer.StartLoader("e2e-loader-" + unique);
        if (startEngine)
        {
            minimizer.StartEngine();
        }

        return minimizer;
    }

    /// <summary>Starts the engine's loop (once).</summary>
    public void StartEngine()
    {
        Assert.True(EngineTask == Task.CompletedTask, "The engine runs already.");

        // As MinimizerService does: the engine's loop blocks in librdkafka calls, so it gets a thread of its own.
        CancellationToken token = _stop.Token;
        EngineTask = Task.Factory.StartNew(() => Engine.RunAsync(token), token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        _loops.Add(EngineTask);
    }

    /// <summary>Starts another consent loader over the same store, in its own group (it reads the consent topic from the start).</summary>
    public ConsentLoader StartLoader(string groupId)
    {
        var options = new ConsentLoaderOptions { BootstrapServers = _bootstrapServers, Topic = _topics.ConsentChanges, GroupId = groupId };
        foreach (KeyValuePair<string, string> pair in ConsumerProperties)
        {
            options.ConsumerSettings[pair.Key] = pair.Value;
        }

        var loader = new ConsentLoader(options, Store, Keys, _logs.For<ConsentLoader>());
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
            Engine.Dispose();
            Core.Dispose();
            Cache.Dispose();
            await Store.DisposeAsync();
            _stop.Dispose();
        }
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
