using Confluent.Kafka;

namespace Sieve.Core.Engine;

/// <summary>
/// How the minimizer takes a batch of inputs, shared with the bench's pass-through so both batch alike: up to
/// <see cref="MinimizerOptions.BatchMaxMessages"/> inputs, waiting at most <see cref="MinimizerOptions.BatchMaxWaitMs"/>
/// once the first has arrived.
/// </summary>
public static class ConsumeBatch
{
    /// <summary>
    /// Adds inputs from <paramref name="consumer"/> to <paramref name="batch"/> until it is full, the wait is over
    /// with at least one input taken, or <paramref name="cancellationToken"/> is cancelled. Partition ends are skipped.
    /// </summary>
    /// <exception cref="ConsumeException">A fetch failed; the inputs taken before it stay in <paramref name="batch"/>.</exception>
    public static void Fill<TKey, TValue>(IConsumer<TKey, TValue> consumer, List<ConsumeResult<TKey, TValue>> batch, MinimizerOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(options);
        long deadline = Environment.TickCount64 + options.BatchMaxWaitMs;
        while (batch.Count < options.BatchMaxMessages && !cancellationToken.IsCancellationRequested)
        {
            long left = deadline - Environment.TickCount64;
            ConsumeResult<TKey, TValue>? result = consumer.Consume(batch.Count == 0 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMilliseconds(Math.Max(0, left)));
            if (result is null)
            {
                if (batch.Count > 0 && left <= 0)
                {
                    return;
                }

                continue;
            }

            if (result.IsPartitionEOF || result.Message is null)
            {
                continue;
            }

            batch.Add(result);
        }
    }
}
