namespace Sieve.Core.Erasure;

/// <summary>Where an erasure's notices, consent tombstones and receipt go (Kafka in the service).</summary>
public interface IErasurePublisher
{
    /// <summary>Publishes every notice and returns once all are acknowledged.</summary>
    Task PublishNoticesAsync(IReadOnlyList<ErasureNotice> notices, CancellationToken cancellationToken);

    /// <summary>
    /// Publishes a tombstone (null value) for each key on the consent changes topic and returns once all are
    /// acknowledged, so that compaction removes the subject's decisions, and with them the raw identifier in their keys.
    /// </summary>
    Task PublishConsentTombstonesAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken);

    /// <summary>Publishes the receipt and returns once it is acknowledged.</summary>
    Task PublishReceiptAsync(ErasureReceipt receipt, CancellationToken cancellationToken);
}
