namespace Sieve.Core.Erasure;

/// <summary>Where an erasure's notices and receipt go (Kafka in the service).</summary>
public interface IErasurePublisher
{
    /// <summary>Publishes every notice and returns once all are acknowledged.</summary>
    Task PublishNoticesAsync(IReadOnlyList<ErasureNotice> notices, CancellationToken cancellationToken);

    /// <summary>Publishes the receipt and returns once it is acknowledged.</summary>
    Task PublishReceiptAsync(ErasureReceipt receipt, CancellationToken cancellationToken);
}
