using System.Diagnostics;
using Confluent.Kafka;

namespace Sieve.Core.Engine;

/// <summary>
/// How the minimizer takes a batch of inputs, shared with the bench's pass-through so both batch alike: up to
/// <see cref="MinimizerOptions.BatchMaxMessages"/> inputs, closed per <see cref="MinimizerOptions.BatchPolicy"/>.
/// </summary>
public static class ConsumeBatch
{
    /// <summary>
    /// Adds inputs from <paramref name="consumer"/> to <paramref name="batch"/> until the batch closes (see
    /// <see cref="BatchPolicy"/>) with at least one input taken, or <paramref name="cancellationToken"/> is cancelled.
    /// Partition ends are skipped. Returns the <see cref="Stopwatch.GetTimestamp"/> at which the first input was
    /// taken, or 0 when none was.
    /// </summary>
    /// <exception cref="ConsumeException">A fetch failed; the inputs taken before it stay in <paramref name="batch"/>.</exception>
    public static long Fill<TKey, TValue>(IConsumer<TKey, TValue> consumer, List<ConsumeResult<TKey, TValue>> batch, MinimizerOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(consumer);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(options);
        bool adaptive = options.BatchPolicy == BatchPolicy.Adaptive;
        long firstTaken = batch.Count > 0 ? Stopwatch.GetTimestamp() : 0;
        long deadline = Environment.TickCount64 + options.BatchMaxWaitMs;
        while (batch.Count < options.BatchMaxMessages && !cancellationToken.IsCancellationRequested)
        {
            long left = deadline - Environment.TickCount64;
            // Adaptive: after the first input, only what the consumer already holds (a zero wait) joins the batch.
            TimeSpan wait = batch.Count == 0 ? TimeSpan.FromMilliseconds(100) : adaptive ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Max(0, left));
            ConsumeResult<TKey, TValue>? result = consumer.Consume(wait);
            if (result is null)
            {
                if (batch.Count > 0 && (adaptive || left <= 0))
                {
                    return firstTaken;
                }

                continue;
            }

            if (result.IsPartitionEOF || result.Message is null)
            {
                continue;
            }

            if (batch.Count == 0)
            {
                firstTaken = Stopwatch.GetTimestamp();
                deadline = Environment.TickCount64 + options.BatchMaxWaitMs;
            }

            batch.Add(result);
            if (adaptive && Environment.TickCount64 >= deadline)
            {
                return firstTaken;
            }
        }

        return firstTaken;
    }
}
