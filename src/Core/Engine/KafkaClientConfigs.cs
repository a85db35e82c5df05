using Confluent.Kafka;

namespace Sieve.Core.Engine;

/// <summary>librdkafka settings the minimizer uses, tuned for throughput with low latency.</summary>
public static class KafkaClientConfigs
{
    /// <summary>Consumer for the raw topics: manual commits, read_committed, small fetch wait.</summary>
    public static ConsumerConfig RawConsumer(MinimizerOptions options)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            GroupId = options.GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = 10,
            FetchMaxBytes = 52_428_800,
            MaxPartitionFetchBytes = 4_000_000,
            ClientId = "sieve-minimizer-" + options.InstanceId,
            // Key and value are always set; topic and timestamp are what the minimizer needs of the rest.
            ConsumeResultFields = "topic,timestamp",
        };
        Apply(config, options);
        return config;
    }

    /// <summary>Producer for outputs: idempotent, acks=all; transactional in <see cref="DeliveryMode.ExactlyOnce"/>.</summary>
    public static ProducerConfig OutputProducer(MinimizerOptions options)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            BatchSize = 1_000_000,
            QueueBufferingMaxMessages = 1_000_000,
            ClientId = "sieve-minimizer-" + options.InstanceId,
            EnableDeliveryReports = options.Delivery == DeliveryMode.AtLeastOnce,
            DeliveryReportFields = "none",
        };
        if (options.Delivery == DeliveryMode.ExactlyOnce)
        {
            config.TransactionalId = options.GroupId + "-" + options.InstanceId;
            config.TransactionTimeoutMs = 60_000;
        }

        Apply(config, options);
        return config;
    }

    private static void Apply(ClientConfig config, MinimizerOptions options)
    {
        foreach (KeyValuePair<string, string> pair in options.KafkaProperties)
        {
            config.Set(pair.Key, pair.Value);
        }
    }
}
