using Confluent.Kafka;
using Sieve.Commands.Demo;

namespace Sieve.Commands.Bench;

/// <summary>
/// The downstream reader of a paced run: reads one output topic (read_committed) whose records keep their input's
/// event time as their Kafka timestamp, and records now minus that time for records of events made at or after
/// the current level's start of measurement.
/// </summary>
/// <param name="bootstrapServers">The bench's Kafka.</param>
/// <param name="groupId">A group id of its own (nothing is committed).</param>
/// <param name="from">Where to start reading, per partition of the topic.</param>
/// <param name="onMeasured">Called with the read time (Unix ms) of each measured record, on the reading thread.</param>
public sealed class LatencyWatcher(string bootstrapServers, string groupId, IReadOnlyDictionary<(string Topic, int Partition), long> from, Action<long>? onMeasured = null)
{
    private long _read;
    private long _measureFrom = long.MaxValue;
    private LatencyRecorder _latency = new(1);

    /// <summary>Records read so far, measured or not.</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>The current level's samples.</summary>
    public LatencyRecorder Latency => Volatile.Read(ref _latency);

    /// <summary>Starts a level: records of events made at or after <paramref name="measureFromMs"/> are measured, into room for <paramref name="capacity"/> samples.</summary>
    public void StartLevel(long measureFromMs, int capacity)
    {
        Volatile.Write(ref _latency, new LatencyRecorder(Math.Max(1, capacity)));
        Interlocked.Exchange(ref _measureFrom, measureFromMs);
    }

    /// <summary>Stops measuring until the next <see cref="StartLevel"/>.</summary>
    public void EndLevel() => Interlocked.Exchange(ref _measureFrom, long.MaxValue);

    /// <summary>Reads until <paramref name="cancellationToken"/> is cancelled.</summary>
    public void Run(CancellationToken cancellationToken)
    {
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = 5,
            ConsumeResultFields = "timestamp",
        }).Build();
        var assignment = new List<TopicPartitionOffset>(from.Count);
        foreach (KeyValuePair<(string Topic, int Partition), long> pair in from)
        {
            assignment.Add(new TopicPartitionOffset(pair.Key.Topic, pair.Key.Partition, new Offset(pair.Value)));
        }

        consumer.Assign(assignment);
        while (!cancellationToken.IsCancellationRequested)
        {
            ConsumeResult<Ignore, Ignore>? result = consumer.Consume(TimeSpan.FromMilliseconds(50));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            long eventTime = result.Message.Timestamp.UnixTimestampMs;
            if (eventTime >= Interlocked.Read(ref _measureFrom))
            {
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                Volatile.Read(ref _latency).Add(Math.Max(0, now - eventTime));
                onMeasured?.Invoke(now);
            }

            Interlocked.Increment(ref _read);
        }
    }
}
