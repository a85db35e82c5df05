using Confluent.Kafka;

namespace Sieve.Core.Recall;

/// <summary>
/// Reads every partition of a topic from its beginning to its high watermark as of the start of the read: what the
/// recall resolver and the access report see of the escrow and the recall audit, the erasure status of the receipts,
/// and an export of the purpose topics. A topic that does not exist reads
/// as empty.
/// </summary>
public static class TopicSnapshot
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Hands every record of <paramref name="topic"/> to <paramref name="onRecord"/>, in offset order per partition.</summary>
    /// <exception cref="TimeoutException">The end was not reached within <paramref name="timeout"/>.</exception>
    /// <exception cref="KafkaException">The cluster could not be asked.</exception>
    public static void Read(ConsumerConfig baseConfig, string topic, Action<ConsumeResult<byte[], byte[]>> onRecord, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(baseConfig))
        {
            GroupId = "sieve-recall-" + Guid.NewGuid().ToString("N"),
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = 10,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        };

        int partitions = Partitions(baseConfig, topic);
        if (partitions == 0)
        {
            return;
        }

        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetLogHandler(static (_, _) => { })
            .SetErrorHandler(static (_, _) => { })
            .Build();
        var ends = new Dictionary<int, long>();
        var assignment = new List<TopicPartitionOffset>();
        for (int p = 0; p < partitions; p++)
        {
            WatermarkOffsets marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), MetadataTimeout);
            if (marks.High.Value > marks.Low.Value)
            {
                ends[p] = marks.High.Value;
                assignment.Add(new TopicPartitionOffset(topic, p, Offset.Beginning));
            }
        }

        if (assignment.Count == 0)
        {
            return;
        }

        consumer.Assign(assignment);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (ends.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Reading {topic} did not reach its end within {timeout.TotalSeconds:0} s.");
            }

            ConsumeResult<byte[], byte[]>? result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null)
            {
                continue;
            }

            int partition = result.Partition.Value;
            if (!ends.TryGetValue(partition, out long end))
            {
                continue;
            }

            if (!result.IsPartitionEOF && result.Offset.Value < end)
            {
                onRecord(result);
            }

            if (result.IsPartitionEOF ? result.Offset.Value >= end : result.Offset.Value + 1 >= end)
            {
                ends.Remove(partition);
            }
        }
    }

    /// <summary>The partition count of <paramref name="topic"/>; 0 when it does not exist.</summary>
    /// <exception cref="KafkaException">The cluster could not be asked.</exception>
    public static int Partitions(ClientConfig config, string topic)
    {
        var adminConfig = new AdminClientConfig(new Dictionary<string, string>(config));
        using IAdminClient admin = new AdminClientBuilder(adminConfig)
            .SetLogHandler(static (_, _) => { })
            .SetErrorHandler(static (_, _) => { })
            .Build();
        Metadata metadata = admin.GetMetadata(topic, MetadataTimeout);
        TopicMetadata? found = metadata.Topics.Find(t => t.Topic == topic);
        return found is null || found.Error.IsError ? 0 : found.Partitions.Count;
    }
}
