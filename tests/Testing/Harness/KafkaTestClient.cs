using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Sieve.Testing.Harness;

/// <summary>
/// Client settings and produce/consume helpers for integration tests, tuned so round trips on the mock cluster or
/// a local broker take milliseconds (short linger, short fetch wait, fast reconnect).
/// </summary>
public static class KafkaTestClient
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DefaultConsumeAllLimit = TimeSpan.FromSeconds(60);

    /// <summary>Producer settings: 5 ms linger, large batches, acks=all, delivery reports on, 30 s message timeout.</summary>
    public static ProducerConfig ProducerConfig(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        LingerMs = 5,
        BatchSize = 1_000_000,
        Acks = Acks.All,
        MessageTimeoutMs = 30_000,
        ReconnectBackoffMs = 50,
        ReconnectBackoffMaxMs = 1_000,
    };

    /// <summary>
    /// Consumer settings: earliest reset, no auto commit, 10 ms fetch wait, large fetches, read_committed unless
    /// <paramref name="isolation"/> says otherwise.
    /// </summary>
    public static ConsumerConfig ConsumerConfig(string bootstrapServers, string groupId, IsolationLevel isolation = IsolationLevel.ReadCommitted) => new()
    {
        BootstrapServers = bootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        IsolationLevel = isolation,
        FetchWaitMaxMs = 10,
        FetchMaxBytes = 52_428_800,
        MaxPartitionFetchBytes = 4_000_000,
        ReconnectBackoffMs = 50,
        ReconnectBackoffMaxMs = 1_000,
        SessionTimeoutMs = 10_000,
        HeartbeatIntervalMs = 1_000,
    };

    /// <summary>A byte-array producer with <see cref="ProducerConfig"/>.</summary>
    public static IProducer<byte[], byte[]> CreateProducer(string bootstrapServers) =>
        new ProducerBuilder<byte[], byte[]>(ProducerConfig(bootstrapServers)).Build();

    /// <summary>Produces <paramref name="messages"/> in order and returns their delivery results once all are persisted.</summary>
    public static async Task<IReadOnlyList<DeliveryResult<byte[], byte[]>>> ProduceAsync(
        string bootstrapServers, string topic, IEnumerable<Message<byte[], byte[]>> messages)
    {
        using IProducer<byte[], byte[]> producer = CreateProducer(bootstrapServers);
        return await ProduceAsync(producer, topic, messages);
    }

    /// <summary>Produces <paramref name="messages"/> through <paramref name="producer"/> and waits for every delivery.</summary>
    public static async Task<IReadOnlyList<DeliveryResult<byte[], byte[]>>> ProduceAsync(
        IProducer<byte[], byte[]> producer, string topic, IEnumerable<Message<byte[], byte[]>> messages)
    {
        var pending = new List<Task<DeliveryResult<byte[], byte[]>>>();
        foreach (Message<byte[], byte[]> message in messages)
        {
            pending.Add(producer.ProduceAsync(topic, message));
        }

        DeliveryResult<byte[], byte[]>[] results = await Task.WhenAll(pending);
        foreach (DeliveryResult<byte[], byte[]> result in results)
        {
            Assert.Equal(PersistenceStatus.Persisted, result.Status);
        }

        return results;
    }

    /// <summary>A message with UTF-8 <paramref name="key"/> (null for none) and UTF-8 <paramref name="value"/>.</summary>
    public static Message<byte[], byte[]> Utf8Message(string? key, string value) => new()
    {
        Key = key is null ? null! : Encoding.UTF8.GetBytes(key),
        Value = Encoding.UTF8.GetBytes(value),
    };

    /// <summary>
    /// Reads <paramref name="topic"/> from the beginning of every partition until <paramref name="count"/>
    /// messages have arrived, and returns them (in arrival order; ordered within each partition). Fails the test
    /// after <paramref name="timeout"/>, naming how many arrived from which partitions.
    /// </summary>
    /// <remarks>
    /// The consumer assigns itself all partitions under a fresh group id instead of joining a group, so no
    /// rebalance delay is involved and nothing is committed.
    /// </remarks>
    public static Task<List<ConsumeResult<byte[], byte[]>>> ConsumeExactlyAsync(
        string bootstrapServers, string topic, int count, TimeSpan timeout, IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return Task.Run(() =>
        {
            using IConsumer<byte[], byte[]> consumer = AssignFromBeginning(
                bootstrapServers, topic, isolation, partitionEof: false, out _);
            var received = new List<ConsumeResult<byte[], byte[]>>(count);
            DateTime deadline = DateTime.UtcNow + timeout;
            while (received.Count < count)
            {
                TimeSpan left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    Assert.Fail($"Expected {count} message(s) from topic '{topic}' within {timeout.TotalSeconds:0.#} s, " +
                                $"got {received.Count}{Describe(received)}.");
                }

                ConsumeResult<byte[], byte[]>? result = consumer.Consume(left < PollInterval ? left : PollInterval);
                if (result is not null && !result.IsPartitionEOF)
                {
                    received.Add(result);
                }
            }

            return received;
        });
    }

    /// <summary>
    /// Reads <paramref name="topic"/> from the beginning: first up to the end of every partition (as the broker
    /// reports it through partition-EOF events, which under read_committed means the last stable offset), then
    /// whatever else arrives until nothing new has come for <paramref name="idle"/>.
    /// </summary>
    /// <remarks>
    /// This is the one helper whose result depends on a quiet period: use it only to assert that nothing more
    /// arrives (e.g. that a filtered message was not written), after the expected output has been awaited with
    /// <see cref="ConsumeExactlyAsync"/>. The whole read gives up after <paramref name="limit"/> (60 s by default)
    /// and fails the test.
    /// </remarks>
    public static Task<List<ConsumeResult<byte[], byte[]>>> ConsumeAllAsync(
        string bootstrapServers, string topic, TimeSpan idle, TimeSpan? limit = null, IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        TimeSpan overall = limit ?? DefaultConsumeAllLimit;
        return Task.Run(() =>
        {
            using IConsumer<byte[], byte[]> consumer = AssignFromBeginning(
                bootstrapServers, topic, isolation, partitionEof: true, out List<TopicPartition> partitions);
            var atEnd = new HashSet<int>();
            var received = new List<ConsumeResult<byte[], byte[]>>();
            DateTime deadline = DateTime.UtcNow + overall;
            DateTime? quietSince = null;
            while (true)
            {
                if (DateTime.UtcNow > deadline)
                {
                    Assert.Fail($"Topic '{topic}' did not go quiet within {overall.TotalSeconds:0.#} s " +
                                $"({atEnd.Count} of {partitions.Count} partitions reached their end); got {received.Count}{Describe(received)}.");
                }

                ConsumeResult<byte[], byte[]>? result = consumer.Consume(PollInterval);
                if (result is null)
                {
                    if (quietSince is { } since && DateTime.UtcNow - since >= idle)
                    {
                        return received;
                    }

                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    // The quiet period starts once every partition has been read to its end at least once.
                    if (atEnd.Add(result.Partition.Value) && atEnd.Count == partitions.Count)
                    {
                        quietSince = DateTime.UtcNow;
                    }

                    continue;
                }

                received.Add(result);
                if (quietSince is not null)
                {
                    quietSince = DateTime.UtcNow;
                }
            }
        });
    }

    /// <summary>
    /// The sum of <paramref name="topic"/>'s partitions' high watermarks: every message ever appended to a topic no
    /// transactional producer writes to (retention does not lower it), so with acks=all, everything acknowledged.
    /// </summary>
    public static long HighWatermarkSum(string bootstrapServers, string topic)
    {
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(ConsumerConfig(bootstrapServers, "harness-watermarks-" + Guid.NewGuid().ToString("N"))).Build();
        List<TopicPartition> partitions;
        using (IAdminClient admin = new DependentAdminClientBuilder(consumer.Handle).Build())
        {
            partitions = Partitions(admin, topic);
        }

        long total = 0;
        foreach (TopicPartition partition in partitions)
        {
            total += consumer.QueryWatermarkOffsets(partition, MetadataTimeout).High.Value;
        }

        return total;
    }

    /// <summary>Partition count of <paramref name="topic"/> as the cluster's metadata reports it.</summary>
    public static int PartitionCount(string bootstrapServers, string topic)
    {
        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        return Partitions(admin, topic).Count;
    }

    private static IConsumer<byte[], byte[]> AssignFromBeginning(
        string bootstrapServers, string topic, IsolationLevel isolation, bool partitionEof, out List<TopicPartition> partitions)
    {
        string groupId = "harness-read-" + Guid.NewGuid().ToString("N");
        ConsumerConfig config = ConsumerConfig(bootstrapServers, groupId, isolation);
        config.EnablePartitionEof = partitionEof;
        IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        try
        {
            // An admin client on the consumer's own handle: no second client to start and stop, and the metadata
            // request leaves the consumer connected to the cluster before the assignment.
            using (IAdminClient admin = new DependentAdminClientBuilder(consumer.Handle).Build())
            {
                partitions = Partitions(admin, topic);
            }

            // Offset 0 rather than Offset.Beginning: a logical offset needs a ListOffsets round trip, which librdkafka
            // retries on a fixed 500 ms timer if the leader connection is not up yet. Where the log no longer starts
            // at 0, auto.offset.reset=earliest moves the position to the log start.
            var assignment = new List<TopicPartitionOffset>(partitions.Count);
            foreach (TopicPartition partition in partitions)
            {
                assignment.Add(new TopicPartitionOffset(partition, new Offset(0)));
            }

            consumer.Assign(assignment);
            return consumer;
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    private static List<TopicPartition> Partitions(IAdminClient admin, string topic)
    {
        Metadata metadata = admin.GetMetadata(topic, MetadataTimeout);
        TopicMetadata? found = metadata.Topics.Find(t => t.Topic == topic);
        if (found is null || found.Error.Code != ErrorCode.NoError || found.Partitions.Count == 0)
        {
            Assert.Fail($"Topic '{topic}' has no usable metadata: {found?.Error.Code.ToString() ?? "absent"}.");
        }

        var partitions = new List<TopicPartition>(found.Partitions.Count);
        foreach (PartitionMetadata partition in found.Partitions)
        {
            partitions.Add(new TopicPartition(topic, partition.PartitionId));
        }

        return partitions;
    }

    private static string Describe(List<ConsumeResult<byte[], byte[]>> received)
    {
        if (received.Count == 0)
        {
            return string.Empty;
        }

        var perPartition = new SortedDictionary<int, int>();
        foreach (ConsumeResult<byte[], byte[]> result in received)
        {
            perPartition[result.Partition.Value] = perPartition.GetValueOrDefault(result.Partition.Value) + 1;
        }

        var text = new StringBuilder(" (per partition:");
        foreach (KeyValuePair<int, int> entry in perPartition)
        {
            text.Append(CultureInfo.InvariantCulture, $" p{entry.Key}={entry.Value}");
        }

        return text.Append(')').ToString();
    }
}
