using System.Diagnostics;
using Confluent.Kafka;
using Sieve.Testing.Harness;

namespace Sieve.Testing.EndToEnd;

/// <summary>One record a <see cref="TopicTail{T}"/> read: the Kafka record and its decoded form.</summary>
internal readonly record struct Tailed<T>(ConsumeResult<byte[], byte[]> Raw, T Value);

/// <summary>
/// Reads a topic from offset 0 of every partition, on a thread of its own, for as long as the test runs, and decodes
/// each record once as it arrives. Tests await conditions on what has arrived (woken by each arrival, bounded by a
/// timeout that fails the test with a description) and can read "everything written so far" by the topic's high
/// watermarks. Reads uncommitted: on the mock cluster read_committed hides nothing anyway, and scans must see
/// aborted writes too.
/// </summary>
internal sealed class TopicTail<T> : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxWake = TimeSpan.FromMilliseconds(250);

    private readonly Lock _gate = new();
    private readonly List<Tailed<T>> _records = [];
    private readonly Dictionary<int, long> _reached = [];
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly IConsumer<byte[], byte[]> _watermarks;
    private readonly Func<ConsumeResult<byte[], byte[]>, T> _decode;
    private readonly Thread _thread;
    private volatile bool _stopping;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Exception? _failure;

    private TopicTail(string bootstrapServers, string topic, Func<ConsumeResult<byte[], byte[]>, T> decode)
    {
        Topic = topic;
        _decode = decode;
        ConsumerConfig config = KafkaTestClient.ConsumerConfig(bootstrapServers, "e2e-tail-" + Guid.NewGuid().ToString("N"), IsolationLevel.ReadUncommitted);
        config.EnablePartitionEof = true;
        _consumer = new ConsumerBuilder<byte[], byte[]>(config).Build();
        _watermarks = new ConsumerBuilder<byte[], byte[]>(KafkaTestClient.ConsumerConfig(bootstrapServers, "e2e-watermarks-" + Guid.NewGuid().ToString("N"))).Build();
        using (IAdminClient admin = new DependentAdminClientBuilder(_consumer.Handle).Build())
        {
            Metadata metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
            TopicMetadata found = metadata.Topics.Single(t => t.Topic == topic);
            Assert.True(found.Error.Code == ErrorCode.NoError && found.Partitions.Count > 0, "Topic " + topic + " has no usable metadata: " + found.Error.Code);
            Partitions = [.. found.Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).OrderBy(p => p.Partition.Value)];
        }

        foreach (TopicPartition partition in Partitions)
        {
            _reached[partition.Partition.Value] = 0;
        }

        _consumer.Assign(Partitions.Select(p => new TopicPartitionOffset(p, new Offset(0))));
        _thread = new Thread(Run) { IsBackground = true, Name = "tail " + topic };
        _thread.Start();
    }

    public string Topic { get; }

    public IReadOnlyList<TopicPartition> Partitions { get; }

    public static TopicTail<T> Start(string bootstrapServers, string topic, Func<ConsumeResult<byte[], byte[]>, T> decode) => new(bootstrapServers, topic, decode);

    /// <summary>Everything read so far, in arrival order (ordered within each partition).</summary>
    public List<Tailed<T>> Snapshot()
    {
        lock (_gate)
        {
            ThrowIfFailed();
            return [.. _records];
        }
    }

    /// <summary>The decoded values read so far.</summary>
    public List<T> Values() => [.. Snapshot().Select(r => r.Value)];

    /// <summary>
    /// Completes with the records read so far once <paramref name="condition"/> holds for them; fails the test with
    /// <paramref name="describe"/> after <paramref name="timeout"/>. <paramref name="check"/> runs on every wake-up
    /// (e.g. to surface a crashed engine instead of waiting out the timeout).
    /// </summary>
    public async Task<List<T>> WaitForAsync(Func<List<T>, bool> condition, TimeSpan timeout, Func<List<T>, string> describe, Action? check = null)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task changed;
            List<T> values;
            lock (_gate)
            {
                ThrowIfFailed();
                values = [.. _records.Select(r => r.Value)];
                changed = _changed.Task;
            }

            if (condition(values))
            {
                return values;
            }

            check?.Invoke();
            TimeSpan left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
            if (Stopwatch.GetTimestamp() >= deadline)
            {
                Assert.Fail("Topic " + Topic + ": condition not met within " + timeout.TotalSeconds + " s: " + describe(values));
            }

            await Task.WhenAny(changed, Task.Delay(left < MaxWake ? left : MaxWake));
        }
    }

    /// <summary>The high watermark of every partition now.</summary>
    public Dictionary<int, long> HighWatermarks()
    {
        var highs = new Dictionary<int, long>();
        lock (_watermarks)
        {
            foreach (TopicPartition partition in Partitions)
            {
                highs[partition.Partition.Value] = _watermarks.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High.Value;
            }
        }

        return highs;
    }

    /// <summary>Everything written to the topic before this call (and maybe more): waits until every partition was read up to its current high watermark.</summary>
    public async Task<List<Tailed<T>>> ReadToEndAsync(TimeSpan timeout)
    {
        Dictionary<int, long> highs = HighWatermarks();
        long deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                ThrowIfFailed();
                if (highs.All(h => _reached[h.Key] >= h.Value))
                {
                    return [.. _records];
                }

                changed = _changed.Task;
            }

            if (Stopwatch.GetTimestamp() >= deadline)
            {
                Assert.Fail("Topic " + Topic + " was not read to its end within " + timeout.TotalSeconds + " s: high watermarks "
                    + string.Join(",", highs.Select(h => h.Key + "=" + h.Value)) + ", read up to " + string.Join(",", _reached.Select(r => r.Key + "=" + r.Value)));
            }

            await Task.WhenAny(changed, Task.Delay(MaxWake));
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        _consumer.Close();
        _consumer.Dispose();
        _watermarks.Dispose();
    }

    private void Run()
    {
        while (!_stopping)
        {
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = _consumer.Consume(Poll);
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                continue;
            }
            catch (Exception e)
            {
                Fail(e);
                return;
            }

            if (result is null)
            {
                continue;
            }

            TaskCompletionSource changed;
            try
            {
                T value = result.IsPartitionEOF ? default! : _decode(result);
                lock (_gate)
                {
                    int partition = result.Partition.Value;
                    if (result.IsPartitionEOF)
                    {
                        _reached[partition] = Math.Max(_reached[partition], result.Offset.Value);
                    }
                    else
                    {
                        _records.Add(new Tailed<T>(result, value));
                        _reached[partition] = Math.Max(_reached[partition], result.Offset.Value + 1);
                    }

                    changed = _changed;
                    _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
            catch (Exception e)
            {
                // Thrown on this thread it would take the test host down; the waiting test rethrows it instead.
                Fail(new InvalidOperationException("Could not decode " + result.Topic + " [" + result.Partition.Value + "] @" + result.Offset.Value, e));
                return;
            }

            changed.TrySetResult();
        }
    }

    private void Fail(Exception e)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _failure = e;
            changed = _changed;
        }

        changed.TrySetResult();
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException("Reading " + Topic + " failed.", _failure);
        }
    }
}
