using Sieve.Core.Consent;

namespace Sieve.Core.Engine;

/// <summary>
/// The settings of a minimizer pipeline that production owns: the consent near-cache, the subject cache, the
/// engine's batching and retries, and the consent loader's fetching. Every minimizer (the service, <c>sieve demo</c>,
/// <c>sieve bench</c>, the tests' in-process minimizer) is built by <see cref="MinimizerPipelineBuilder"/> from one of
/// these; <see cref="Production"/> holds the values the Minimizer service runs with when its configuration sets none,
/// and anything else is an explicit <c>with</c> on it, visible where the pipeline is built.
/// </summary>
/// <remarks>
/// What legitimately differs between minimizers (Kafka servers and properties, consent store, keys, policy, group
/// and instance ids, delivery mode, topics, loggers, metrics, clock) is an input of
/// <see cref="MinimizerPipelineBuilder"/>, not part of this record.
/// </remarks>
public sealed record MinimizerPipelineOptions
{
    /// <summary>The Minimizer service's values when its configuration sets none.</summary>
    public static MinimizerPipelineOptions Production { get; } = new();

    /// <summary>Subjects the consent near-cache holds (<c>Consent:CacheCapacity</c>); see <see cref="ConsentCacheOptions.Capacity"/>.</summary>
    public int ConsentCacheCapacity { get; init; } = 1_000_000;

    /// <summary>Staleness bound of the consent near-cache (<c>Consent:MaxStalenessMs</c>); see <see cref="ConsentCacheOptions.MaxStaleness"/>.</summary>
    public TimeSpan ConsentMaxStaleness { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Oldest entry the consent near-cache serves (<c>Consent:MaxEntryAgeSeconds</c>); see <see cref="ConsentCacheOptions.MaxEntryAge"/>.</summary>
    public TimeSpan ConsentMaxEntryAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Subjects whose pseudonyms are kept per generation (<c>Minimizer:SubjectCacheCapacity</c>).</summary>
    public int SubjectCacheCapacity { get; init; } = 200_000;

    /// <summary>Most inputs per batch (<c>Minimizer:BatchMaxMessages</c>).</summary>
    public int BatchMaxMessages { get; init; } = 5000;

    /// <summary>Longest a batch stays open once its first input has arrived (<c>Minimizer:BatchMaxWaitMs</c>).</summary>
    public int BatchMaxWaitMs { get; init; } = 50;

    /// <summary>When a batch closes (<c>Minimizer:BatchPolicy</c>).</summary>
    public BatchPolicy BatchPolicy { get; init; } = BatchPolicy.Adaptive;

    /// <summary>First wait after a failed batch (<c>Minimizer:RetryBackoffMs</c>).</summary>
    public int RetryBackoffMs { get; init; } = 100;

    /// <summary>How long a transactional Kafka call may block before the pipeline's <see cref="StallWatchdog"/> reports it (<c>Minimizer:KafkaStallLimitSeconds</c>).</summary>
    public TimeSpan KafkaStallLimit { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Also commit offsets with the consumer after a transaction (<c>Minimizer:CommitOffsetsOutsideTransaction</c>).</summary>
    public bool CommitOffsetsOutsideTransaction { get; init; } = true;

    /// <summary>The consent loader's <see cref="ConsentLoaderOptions.FetchWaitMaxMs"/>.</summary>
    public int LoaderFetchWaitMaxMs { get; init; } = 10;

    /// <summary>The consent loader's <see cref="ConsentLoaderOptions.MaxBatchSize"/>.</summary>
    public int LoaderMaxBatchSize { get; init; } = 500;

    /// <summary>The consent loader's <see cref="ConsentLoaderOptions.RetryInitialDelay"/>.</summary>
    public TimeSpan LoaderRetryInitialDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The consent loader's <see cref="ConsentLoaderOptions.RetryMaxDelay"/>.</summary>
    public TimeSpan LoaderRetryMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The near-cache settings these options make.</summary>
    public ConsentCacheOptions ConsentCacheOptions() => new()
    {
        Capacity = ConsentCacheCapacity,
        MaxStaleness = ConsentMaxStaleness,
        MaxEntryAge = ConsentMaxEntryAge,
    };
}
