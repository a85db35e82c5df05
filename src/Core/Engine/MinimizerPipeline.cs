using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Pipeline;

namespace Sieve.Core.Engine;

/// <summary>
/// A minimizer as <see cref="MinimizerPipelineBuilder.Build"/> assembled it: the consent near-cache, the core, the
/// engine and, when asked for, the consent loader. The caller runs the engine and the loader; disposing disposes
/// the engine, core and near-cache (not the consent store, which stays the caller's).
/// </summary>
public sealed class MinimizerPipeline : IDisposable
{
    private readonly MinimizerPipelineBuilder _builder;

    internal MinimizerPipeline(MinimizerPipelineBuilder builder, MinimizerOptions engineOptions, ConsentCache cache, MinimizerCore core,
        MinimizerEngine engine, Anonymization.ReleaseEngine release, ConsentLoader? loader, StallWatchdog watchdog)
    {
        Watchdog = watchdog;
        _builder = builder;
        EngineOptions = engineOptions;
        Cache = cache;
        Core = core;
        Engine = engine;
        Release = release;
        Loader = loader;
    }

    /// <summary>The production-owned settings the pipeline was built with.</summary>
    public MinimizerPipelineOptions Options => _builder.Options;

    /// <summary>The engine's settings.</summary>
    public MinimizerOptions EngineOptions { get; }

    /// <summary>The consent store behind the near-cache.</summary>
    public IConsentStore Store => _builder.Store;

    /// <summary>Pseudonym key factory over the master key ring.</summary>
    public PseudonymKeyFactory Keys => _builder.Keys;

    /// <summary>The consent near-cache.</summary>
    public ConsentCache Cache { get; }

    /// <summary>The per-event core.</summary>
    public MinimizerCore Core { get; }

    /// <summary>The engine; call <see cref="MinimizerEngine.RunAsync"/> to run it.</summary>
    public MinimizerEngine Engine { get; }

    /// <summary>
    /// The release stage of the anonymized purposes; run it next to <see cref="Engine"/> (its
    /// <see cref="Anonymization.ReleaseEngine.RunAsync"/> returns at once when the policy anonymizes nothing).
    /// </summary>
    public Anonymization.ReleaseEngine Release { get; }

    /// <summary>A release stage for another engine's options (scale-out tests run several in one process).</summary>
    public Anonymization.ReleaseEngine CreateRelease(string groupId, string instanceId, TopicOptions topics) =>
        _builder.NewRelease(_builder.EngineOptions(groupId, instanceId, topics));

    /// <summary>The consent loader, when <see cref="MinimizerPipelineBuilder.LoaderGroupId"/> was set; call <see cref="ConsentLoader.RunAsync"/> to run it.</summary>
    public ConsentLoader? Loader { get; }

    /// <summary>Watches the engine's and the release stage's transactional Kafka calls; the service stops when one stalls.</summary>
    public StallWatchdog Watchdog { get; }

    /// <summary>
    /// Another engine over this pipeline's core and near-cache, with <see cref="MinimizerPipelineBuilder.EngineOptions(string, string, TopicOptions)"/>:
    /// same settings, another group, instance id and topics. The core is not thread-safe, so it must not run while
    /// <see cref="Engine"/> (or another such engine) does. The caller disposes it.
    /// </summary>
    public MinimizerEngine CreateEngine(string groupId, string instanceId, TopicOptions topics) =>
        _builder.NewEngine(_builder.EngineOptions(groupId, instanceId, topics), Core, Cache);

    /// <summary>Another consent loader over the same store, in consumer group <paramref name="groupId"/>; the caller runs it.</summary>
    public ConsentLoader CreateLoader(string groupId) => _builder.NewLoader(groupId);

    /// <inheritdoc />
    public void Dispose()
    {
        Watchdog.Dispose();
        Release.Dispose();
        Engine.Dispose();
        Core.Dispose();
        Cache.Dispose();
    }
}
