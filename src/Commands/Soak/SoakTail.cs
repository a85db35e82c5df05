using Confluent.Kafka;

namespace Sieve.Commands.Soak;

/// <summary>
/// Reads every partition of the watched topics from the beginning (read_committed), while the soak runs, handing
/// each record to the ledger. Reading as it goes, not at the end, is what keeps the check honest on the mock
/// cluster, whose partitions keep only about 5 MiB.
/// </summary>
internal sealed class SoakTail : IDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly SoakLedger _ledger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _idleRounds;

    public SoakTail(string bootstrapServers, IEnumerable<(string Topic, int Partitions)> topics, SoakLedger ledger)
    {
        _ledger = ledger;
        _consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = "sieve-soak-tail",
            EnableAutoCommit = false,
            IsolationLevel = IsolationLevel.ReadCommitted,
            FetchWaitMaxMs = 50,
            // Records that retention removed before the tail read them are an error, never a silent jump ahead.
            AutoOffsetReset = AutoOffsetReset.Error,
        }).Build();
        var assignment = new List<TopicPartitionOffset>();
        foreach ((string topic, int partitions) in topics)
        {
            for (int p = 0; p < partitions; p++)
            {
                assignment.Add(new TopicPartitionOffset(topic, p, Offset.Beginning));
            }
        }

        _consumer.Assign(assignment);
        _thread = new Thread(Run) { IsBackground = true, Name = "soak-tail" };
        _thread.Start();
    }

    /// <summary>
    /// Waits until the tail has read nothing new for a second (ten empty rounds: with nothing produced any more,
    /// it has read everything), or <paramref name="limit"/> passes.
    /// </summary>
    public async Task<bool> WaitCaughtUpAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            if (Interlocked.Read(ref _idleRounds) >= 10)
            {
                return true;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _consumer.Close();
        _consumer.Dispose();
        _stop.Dispose();
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            ConsumeResult<byte[], byte[]>? result;
            try
            {
                result = _consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException e)
            {
                if (e.Error.Code == ErrorCode.Local_AutoOffsetReset)
                {
                    _ledger.TailError();
                }

                continue;
            }

            if (result is null)
            {
                Interlocked.Increment(ref _idleRounds);
                continue;
            }

            Interlocked.Exchange(ref _idleRounds, 0);
            _ledger.Add(result);
        }
    }
}
