using Microsoft.Extensions.Logging;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Anonymization;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Metrics;
using Sieve.Core.Pipeline;

namespace Sieve.Hosting.Minimizer;

/// <summary>How the Minimizer service builds its pipeline from its validated settings.</summary>
internal static class MinimizerServicePipeline
{
    /// <summary>The production-owned pipeline settings <paramref name="settings"/> make (<c>Consent:*</c>, <c>Minimizer:*</c>).</summary>
    public static MinimizerPipelineOptions Options(MinimizerSettings settings) => MinimizerPipelineOptions.Production with
    {
        ConsentCacheCapacity = settings.Cache.Capacity,
        ConsentMaxStaleness = settings.Cache.MaxStaleness,
        ConsentMaxEntryAge = settings.Cache.MaxEntryAge,
        SubjectCacheCapacity = settings.Engine.SubjectCacheCapacity,
        BatchMaxMessages = settings.Engine.BatchMaxMessages,
        BatchMaxWaitMs = settings.Engine.BatchMaxWaitMs,
        BatchPolicy = settings.Engine.BatchPolicy,
        RetryBackoffMs = settings.Engine.RetryBackoffMs,
        KafkaStallLimit = TimeSpan.FromSeconds(settings.Engine.KafkaStallLimitSeconds),
        CommitOffsetsOutsideTransaction = settings.Engine.CommitOffsetsOutsideTransaction,
    };

    /// <summary>The service's pipeline over <paramref name="store"/>: engine, near-cache and, with <c>Consent:LoaderEnabled</c>, the consent loader.</summary>
    public static MinimizerPipelineBuilder Builder(MinimizerSettings settings, IConsentStore store, ILoggerFactory loggers, MinimizerMetrics? metrics,
        Core.Registry.SchemaRegistryBinding? registry = null) =>
        new(store, settings.Policy, new PseudonymKeyFactory(settings.Keys))
        {
            // Several instances count a (cell, bucket)'s vehicles together, in the consent store's Redis.
            Density = store is RedisConsentStore redis ? new RedisDensityCounter(redis.Database) : new InMemoryDensityCounter(),
            BootstrapServers = settings.Engine.BootstrapServers,
            KafkaProperties = settings.Engine.KafkaProperties,
            GroupId = settings.Engine.GroupId,
            InstanceId = settings.Engine.InstanceId,
            Delivery = settings.Engine.Delivery,
            Topics = settings.Engine.Topics,
            LoaderGroupId = settings.LoaderEnabled ? settings.LoaderGroupId : null,
            LoggerFactory = loggers,
            Metrics = metrics,
            Options = Options(settings),
            Registry = registry,
            RecallKey = settings.RecallKey,
            Writers = settings.WriterSchemas.Count == 0 ? null : RawWriterSchemas.Create(registry?.Ids, settings.WriterSchemas),
        };
}
