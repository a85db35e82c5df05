using Sieve.Contracts;

namespace Sieve.Core.Consent;

/// <summary>Settings of <see cref="ConsentLoader"/> (configuration section <c>Consent:Loader</c>).</summary>
public sealed class ConsentLoaderOptions
{
    /// <summary>Kafka bootstrap servers.</summary>
    public string BootstrapServers { get; set; } = "localhost:9092";

    /// <summary>The consent changes topic.</summary>
    public string Topic { get; set; } = Topics.ConsentChanges;

    /// <summary>Consumer group; every loader instance of one deployment shares it.</summary>
    public string GroupId { get; set; } = "sieve-consent-loader";

    /// <summary>
    /// librdkafka <c>fetch.wait.max.ms</c>: how long the broker may hold a fetch waiting for data. Small, so a
    /// withdrawal reaches the store, and through invalidation the minimizer, well within a second.
    /// </summary>
    public int FetchWaitMaxMs { get; set; } = 10;

    /// <summary>
    /// How often librdkafka commits the offsets of applied changes in the background (<c>auto.commit.interval.ms</c>);
    /// after a crash the next owner re-applies at most this much, idempotently. Default 1000.
    /// </summary>
    public int CommitIntervalMs { get; set; } = 1000;

    /// <summary>Most messages applied between two offset stores.</summary>
    public int MaxBatchSize { get; set; } = 500;

    /// <summary>First wait before retrying a write the store refused as unavailable; doubles up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest wait between retries of a store write.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the loader verifies, for each partition it reads, that a store keeping a view
    /// (<see cref="IConsentView"/>) still holds every change it applied. A store that lost changes is rebuilt from
    /// the topic, and readers of a store are held meanwhile, so this bounds how long a restart or failover of the
    /// store holds the minimizer when nothing was lost.
    /// </summary>
    public TimeSpan ViewCheckInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Extra librdkafka consumer settings (e.g. security); <c>enable.auto.commit</c> is always forced off.</summary>
    public IDictionary<string, string> ConsumerSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
