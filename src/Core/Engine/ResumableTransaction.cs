using Confluent.Kafka;

namespace Sieve.Core.Engine;

/// <summary>
/// Ends a Kafka transaction (committing it with the consumed offsets, or aborting it), resuming a call that failed
/// as retriable. librdkafka's transactional calls are resumable: when send_offsets_to_transaction or
/// commit_transaction times out (the coordinator down, say), the operation goes on in the background, and the
/// application must make the same call again to finish it; any other transactional call, abort included, fails
/// with <c>Local_Conflict</c> ("Conflicting commit_transaction API call is already in progress") until it does.
/// </summary>
internal static class ResumableTransaction
{
    // A call that failed at once (not after its timeout) is not made again in a tight loop.
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Sends <paramref name="offsets"/> to the transaction and commits it, making each call again while it fails as
    /// retriable (each call blocks at most <paramref name="timeout"/>). Returns how many calls were made again.
    /// </summary>
    /// <exception cref="KafkaException">A call failed in a way that is not retriable (abortable, fatal, fenced), or
    /// <paramref name="cancellationToken"/> fired while a call was failing; the caller aborts or starts over.</exception>
    public static int Commit(IProducer<byte[], byte[]> producer, List<TopicPartitionOffset> offsets, IConsumerGroupMetadata group, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        int again = 0;
        while (true)
        {
            try
            {
                producer.SendOffsetsToTransaction(offsets, group, timeout);
                break;
            }
            catch (KafkaRetriableException) when (!cancellationToken.IsCancellationRequested)
            {
                again++;
                cancellationToken.WaitHandle.WaitOne(Pause);
            }
        }

        while (true)
        {
            try
            {
                producer.CommitTransaction(timeout);
                return again;
            }
            catch (KafkaRetriableException) when (!cancellationToken.IsCancellationRequested)
            {
                again++;
                cancellationToken.WaitHandle.WaitOne(Pause);
            }
        }
    }

    /// <summary>
    /// Aborts the transaction, making the call again while it fails as retriable (each call blocks at most
    /// <paramref name="timeout"/>). Returns how many calls were made again.
    /// </summary>
    /// <exception cref="KafkaException">The abort failed in a way that is not retriable (no transaction, fatal), or
    /// <paramref name="cancellationToken"/> fired while it was failing.</exception>
    public static int Abort(IProducer<byte[], byte[]> producer, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int again = 0;
        while (true)
        {
            try
            {
                producer.AbortTransaction(timeout);
                return again;
            }
            catch (KafkaRetriableException) when (!cancellationToken.IsCancellationRequested)
            {
                again++;
                cancellationToken.WaitHandle.WaitOne(Pause);
            }
        }
    }
}
