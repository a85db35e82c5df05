using Confluent.Kafka;

namespace Sieve.Commands.Bench;

/// <summary>
/// Reads partitions (read_committed) from given offsets to their current end, handing each record to a callback:
/// how the bench counts what a run wrote, after the run, so counting costs nothing during it.
/// </summary>
public static class TopicReader
{
    /// <summary>
    /// Reads every partition in <paramref name="from"/> from its offset up to its high watermark now. Returns the
    /// records read per topic; a record that retention removed before it was read is simply not counted.
    /// </summary>
    public static Dictionary<string, long> Read(string bootstrapServers, IReadOnlyDictionary<(string Topic, int Partition), long> from,
        Action<ConsumeResult<Ignore, byte[]>>? onRecord, TimeSpan timeout) =>
        Read(new ClientConfig { BootstrapServers = bootstrapServers }, from, onRecord, timeout);

    /// <summary>
    /// As the overload with bootstrap servers, with the client settings of <paramref name="client"/> (bootstrap
    /// servers, TLS, SASL); group and fetch settings are the reader's own.
    /// </summary>
    public static Dictionary<string, long> Read(ClientConfig client, IReadOnlyDictionary<(string Topic, int Partition), long> from,
        Action<ConsumeResult<Ignore, byte[]>>? onRecord, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(from);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using IConsumer<Ignore, byte[]> consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig(new Dictionary<string, string>(client))
        {
            GroupId = "sieve-topic-reader",
            EnableAutoCommit = false,

            // An offset that retention already deleted reads from the partition's start, not its end.
            AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
            EnablePartitionEof = true,
            FetchWaitMaxMs = 10,
            FetchMaxBytes = 52_428_800,
            MaxPartitionFetchBytes = 4_000_000,
            ConsumeResultFields = "topic",
        }).SetLogHandler(static (_, _) => { }).Build();
        var assignment = new List<TopicPartitionOffset>();
        var open = new HashSet<(string, int)>();
        foreach (KeyValuePair<(string Topic, int Partition), long> pair in from)
        {
            counts.TryAdd(pair.Key.Topic, 0);
            long high = consumer.QueryWatermarkOffsets(new TopicPartition(pair.Key.Topic, pair.Key.Partition), TimeSpan.FromSeconds(10)).High.Value;
            if (high > pair.Value)
            {
                assignment.Add(new TopicPartitionOffset(pair.Key.Topic, pair.Key.Partition, new Offset(pair.Value)));
                open.Add(pair.Key);
            }
        }

        if (assignment.Count == 0)
        {
            return counts;
        }

        consumer.Assign(assignment);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (open.Count > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("Reading back " + open.Count + " partitions did not reach their end in " + timeout.TotalSeconds + " s.");
            }

            ConsumeResult<Ignore, byte[]>? result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is null)
            {
                continue;
            }

            if (result.IsPartitionEOF)
            {
                open.Remove((result.Topic, result.Partition.Value));
                continue;
            }

            counts[result.Topic]++;
            onRecord?.Invoke(result);
        }

        return counts;
    }
}
