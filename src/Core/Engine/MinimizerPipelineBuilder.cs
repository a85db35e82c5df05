using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Metrics;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Core.Engine;

/// <summary>
/// The one place a minimizer is assembled: consent near-cache, core, engine and consent loader. The inputs that
/// legitimately differ between the service, <c>sieve demo</c>, <c>sieve bench</c> and the tests (consent store,
/// policy, keys, Kafka servers and properties, group and instance ids, delivery mode, topics, loggers, metrics,
/// clock) are set here; everything else comes from <see cref="Options"/>, <see cref="MinimizerPipelineOptions.Production"/>
/// unless a caller overrides it with an explicit <c>with</c>.
/// </summary>
/// <remarks>
/// Building connects to nothing: the engine and the loader reach Kafka when they run. The consent store stays the
/// caller's (it is not disposed with the pipeline).
/// </remarks>
public sealed class MinimizerPipelineBuilder
{
    private static readonly Dictionary<string, string> NoProperties = new(StringComparer.Ordinal);

    /// <summary>Starts a pipeline over <paramref name="store"/> for <paramref name="policy"/> with <paramref name="keys"/>.</summary>
    public MinimizerPipelineBuilder(IConsentStore store, CompiledPolicy policy, PseudonymKeyFactory keys)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(keys);
        Store = store;
        Policy = policy;
        Keys = keys;
    }

    /// <summary>The consent store behind the near-cache; the loader writes to it.</summary>
    public IConsentStore Store { get; }

    /// <summary>The compiled policy.</summary>
    public CompiledPolicy Policy { get; }

    /// <summary>Pseudonym key factory over the master key ring.</summary>
    public PseudonymKeyFactory Keys { get; }

    /// <summary>Kafka bootstrap servers; required by <see cref="Build"/>, not by <see cref="BuildOffline"/>.</summary>
    public string? BootstrapServers { get; init; }

    /// <summary>Extra librdkafka properties (TLS, SASL, tuning) for every client: the engine's and the loaders'.</summary>
    public IReadOnlyDictionary<string, string> KafkaProperties { get; init; } = NoProperties;

    /// <summary>The engine's consumer group.</summary>
    public string GroupId { get; init; } = "sieve-minimizer";

    /// <summary>Names the engine in audit records and its transactional id.</summary>
    public string InstanceId { get; init; } = Environment.MachineName;

    /// <summary>How outputs and offsets commit together.</summary>
    public DeliveryMode Delivery { get; init; } = DeliveryMode.ExactlyOnce;

    /// <summary>Input and output topic names (purpose topics come from the policy); the loader reads <see cref="TopicOptions.ConsentChanges"/>.</summary>
    public TopicOptions Topics { get; init; } = new();

    /// <summary>The consent loader's consumer group; null builds no loader.</summary>
    public string? LoaderGroupId { get; init; }

    /// <summary>Loggers of the engine and the loaders; none when not set.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Metrics to attach to the engine, near-cache and core; none when null.</summary>
    public MinimizerMetrics? Metrics { get; init; }

    /// <summary>Clock of the near-cache, engine and loaders; must be the one the store stamps heartbeats with.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The production-owned settings; <see cref="MinimizerPipelineOptions.Production"/> unless overridden.</summary>
    public MinimizerPipelineOptions Options { get; init; } = MinimizerPipelineOptions.Production;

    /// <summary>
    /// The fleet-wide density count of anonymized purposes. The default counts in this process, which is global only
    /// when this is the only instance; production passes a <see cref="Anonymization.RedisDensityCounter"/>.
    /// </summary>
    public Anonymization.IDensityCounter Density { get; init; } = new Anonymization.InMemoryDensityCounter();

    /// <summary>Ground-truth hook of the release stage, for measurement only (see <see cref="Anonymization.ISegmentObserver"/>).</summary>
    public Anonymization.ISegmentObserver? SegmentObserver { get; init; }

    /// <summary>Timing of the release stage.</summary>
    public Anonymization.ReleaseOptions Release { get; init; } = new();

    /// <summary>The engine settings <see cref="Build"/> gives the pipeline's engine.</summary>
    public MinimizerOptions EngineOptions() => EngineOptions(GroupId, InstanceId, Topics);

    /// <summary>
    /// The Schema Registry binding (<c>SchemaRegistry:*</c>); null writes and reads single-object encoding only.
    /// Call <see cref="RegisterSchemasAsync"/> before <see cref="Build"/>.
    /// </summary>
    public Registry.SchemaRegistryBinding? Registry { get; init; }

    /// <summary>
    /// The raw-event writer schemas the core reads besides the current ones; null takes the shipped history (and, with
    /// a <see cref="Registry"/>, whatever it is asked for by id). Sets made with <see cref="RawWriterSchemas.Create"/> and ids
    /// read Confluent framing too.
    /// </summary>
    public RawWriterSchemas? Writers { get; init; }

    /// <summary>
    /// The recall key that seals each vehicle's VIN to the escrow topic of a policy purpose with a
    /// <see cref="PurposePlan.EscrowTopic"/>; null writes no escrow (the Minimizer service requires it when the policy
    /// keeps one).
    /// </summary>
    public Recall.RecallKey? RecallKey { get; init; }

    /// <summary>What the pipeline writes in Confluent framing when it has a registry: each purpose's topic with its output schema, quarantine and audit.</summary>
    public IReadOnlyList<(string Topic, Contracts.Schemas.SchemaInfo Schema)> Outputs()
    {
        var outputs = new List<(string, Contracts.Schemas.SchemaInfo)>();
        foreach (PurposePlan plan in Policy.Purposes)
        {
            outputs.Add((plan.Topic, plan.OutputSchema));
        }

        outputs.Add((Topics.Quarantine, Contracts.Schemas.SchemaCatalog.Default.Get("sieve.ops.QuarantineRecord")));
        outputs.Add((Topics.Audit, Contracts.Schemas.SchemaCatalog.Default.Get("sieve.ops.AuditRecord")));
        return outputs;
    }

    /// <summary>
    /// With a <see cref="Registry"/>, checks and registers every schema in <see cref="Outputs"/> under its topic's
    /// subject; without one, does nothing.
    /// </summary>
    /// <exception cref="Registry.SchemaRegistryMismatchException">An output schema is not compatible with its subject.</exception>
    /// <exception cref="Registry.SchemaRegistryUnavailableException">The registry could not be reached.</exception>
    public Task RegisterSchemasAsync(CancellationToken cancellationToken = default) =>
        Registry is null ? Task.CompletedTask : Registry.RegisterAsync(Outputs(), cancellationToken);

    /// <summary>
    /// Engine settings for another engine (or a loop that mirrors it) beside this pipeline's: the same Kafka
    /// servers, properties, delivery mode, batching and retries, under another group, instance id and topics.
    /// </summary>
    public MinimizerOptions EngineOptions(string groupId, string instanceId, TopicOptions topics)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        ArgumentNullException.ThrowIfNull(topics);
        var options = new MinimizerOptions
        {
            BootstrapServers = RequiredBootstrapServers(),
            GroupId = groupId,
            InstanceId = instanceId,
            Delivery = Delivery,
            CommitOffsetsOutsideTransaction = Options.CommitOffsetsOutsideTransaction,
            BatchMaxMessages = Options.BatchMaxMessages,
            BatchMaxWaitMs = Options.BatchMaxWaitMs,
            BatchPolicy = Options.BatchPolicy,
            SubjectCacheCapacity = Options.SubjectCacheCapacity,
            RetryBackoffMs = Options.RetryBackoffMs,
            KafkaStallLimitSeconds = (int)Options.KafkaStallLimit.TotalSeconds,
            Topics = new TopicOptions
            {
                TelematicsRaw = topics.TelematicsRaw,
                WifiRaw = topics.WifiRaw,
                ConsentChanges = topics.ConsentChanges,
                Quarantine = topics.Quarantine,
                Audit = topics.Audit,
            },
        };
        foreach (KeyValuePair<string, string> pair in KafkaProperties)
        {
            options.KafkaProperties[pair.Key] = pair.Value;
        }

        return options;
    }

    /// <summary>Settings of a consent loader in consumer group <paramref name="groupId"/>, reading <see cref="Topics"/>' consent changes.</summary>
    public ConsentLoaderOptions LoaderOptions(string groupId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        var options = new ConsentLoaderOptions
        {
            BootstrapServers = RequiredBootstrapServers(),
            Topic = Topics.ConsentChanges,
            GroupId = groupId,
            FetchWaitMaxMs = Options.LoaderFetchWaitMaxMs,
            MaxBatchSize = Options.LoaderMaxBatchSize,
            RetryInitialDelay = Options.LoaderRetryInitialDelay,
            RetryMaxDelay = Options.LoaderRetryMaxDelay,
        };
        foreach (KeyValuePair<string, string> pair in KafkaProperties)
        {
            options.ConsumerSettings[pair.Key] = pair.Value;
        }

        return options;
    }

    /// <summary>
    /// Builds the near-cache, core, engine and (with <see cref="LoaderGroupId"/>) the consent loader, and attaches
    /// <see cref="Metrics"/>. Nothing runs until the caller runs the engine and the loader.
    /// </summary>
    /// <exception cref="InvalidOperationException"><see cref="BootstrapServers"/> is not set.</exception>
    public MinimizerPipeline Build()
    {
        MinimizerOptions engineOptions = EngineOptions();
        var cache = new ConsentCache(Store, Options.ConsentCacheOptions(), TimeProvider);
        var watchdog = new StallWatchdog(Options.KafkaStallLimit, TimeProvider, LoggerFactory.CreateLogger<StallWatchdog>());
        MinimizerCore? core = null;
        MinimizerEngine? engine = null;
        Anonymization.ReleaseEngine? release = null;
        try
        {
            core = NewCore(cache);
            engine = NewEngine(engineOptions, core, cache, watchdog);
            release = NewRelease(engineOptions, watchdog);
            ConsentLoader? loader = LoaderGroupId is null ? null : NewLoader(LoaderGroupId);
            Metrics?.Attach(engine, cache, core, engineOptions.Topics, loader);
            return new MinimizerPipeline(this, engineOptions, cache, core, engine, release, loader, watchdog);
        }
        catch
        {
            watchdog.Dispose();
            release?.Dispose();
            engine?.Dispose();
            core?.Dispose();
            cache.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Builds only the near-cache and core, for working out what the minimizer decides without Kafka (the bench's
    /// expected fan-out, <c>sieve policy explain</c>).
    /// </summary>
    public OfflineMinimizer BuildOffline()
    {
        var cache = new ConsentCache(Store, Options.ConsentCacheOptions(), TimeProvider);
        try
        {
            return new OfflineMinimizer(cache, NewCore(cache));
        }
        catch
        {
            cache.Dispose();
            throw;
        }
    }

    internal MinimizerCore NewCore(ConsentCache cache) =>
        new(Policy, Keys, cache, Options.SubjectCacheCapacity, Writers ?? (Registry is null ? null : RawWriterSchemas.Create(Registry.Ids)),
            RecallKey is null || !KeepsEscrow(Policy) ? null : new Recall.EscrowSealer(RecallKey, TimeProvider));

    private static bool KeepsEscrow(CompiledPolicy policy)
    {
        foreach (PurposePlan plan in policy.Purposes)
        {
            if (plan.EscrowTopic is not null)
            {
                return true;
            }
        }

        return false;
    }

    internal MinimizerEngine NewEngine(MinimizerOptions options, MinimizerCore core, ConsentCache cache, StallWatchdog? watchdog = null) =>
        new(options, core, cache, LoggerFactory.CreateLogger<MinimizerEngine>(), TimeProvider) { Watchdog = watchdog, Registry = Registry };

    internal Anonymization.ReleaseEngine NewRelease(MinimizerOptions options, StallWatchdog? watchdog = null) =>
        new(options, Policy, Density, Release, LoggerFactory.CreateLogger<Anonymization.ReleaseEngine>(), TimeProvider) { Observer = SegmentObserver, Watchdog = watchdog, Registry = Registry };

    internal ConsentLoader NewLoader(string groupId) =>
        new(LoaderOptions(groupId), Store, Keys, LoggerFactory.CreateLogger<ConsentLoader>(), TimeProvider);

    private string RequiredBootstrapServers() =>
        string.IsNullOrWhiteSpace(BootstrapServers)
            ? throw new InvalidOperationException("A minimizer pipeline with Kafka needs BootstrapServers.")
            : BootstrapServers;
}
