namespace Sieve.Core.Consent;

/// <summary>
/// A consent store that is a view of the consent topic and records, atomically with each change, how far into each
/// partition it holds the topic. <see cref="ConsentLoader"/> uses it to notice when the store lost changes (a
/// restart without data, a failover to a replica that missed the last writes) and to re-apply them from the topic.
/// </summary>
/// <remarks>
/// Positions are Kafka offsets: "next" is the offset after the last record handled. The topic is compacted, so
/// offsets have gaps; a position only ever says "everything before this offset is in the store".
/// </remarks>
public interface IConsentView
{
    /// <summary>The consent topic this store is a view of; null when it keeps no positions (then the other members throw).</summary>
    string? ConsentTopic { get; }

    /// <summary>
    /// Applies <paramref name="update"/> (as <see cref="IConsentStore.ApplyAsync"/>) and, in the same atomic step,
    /// moves the partition's position to <paramref name="next"/>, but only when the store holds the partition at
    /// least up to <paramref name="expected"/>, the position the caller reached before this record.
    /// </summary>
    /// <returns>Whether the record changed the store, and whether the position moved (false: the store lost changes).</returns>
    /// <exception cref="ConsentUnavailableException">The store cannot be written now.</exception>
    Task<(bool Changed, bool Advanced)> ApplyAtAsync(ConsentUpdate update, int partition, long expected, long next, CancellationToken cancellationToken = default);

    /// <summary>Moves the position past a record that changes nothing (one rejected as invalid), under the same rule as <see cref="ApplyAtAsync"/>.</summary>
    /// <returns>False when the store holds less than <paramref name="expected"/>.</returns>
    /// <exception cref="ConsentUnavailableException">The store cannot be written now.</exception>
    Task<bool> AdvanceAsync(int partition, long expected, long next, CancellationToken cancellationToken = default);

    /// <summary>
    /// Verifies that the store holds <paramref name="partition"/> at least up to <paramref name="committed"/>, the
    /// highest position its loaders committed. When it does, the partition counts as verified on the server answering
    /// now (another server, after a failover or restart, is unverified until checked again).
    /// </summary>
    /// <param name="partition">The consent topic partition.</param>
    /// <param name="partitions">How many partitions the consent topic has.</param>
    /// <param name="committed">The position the store must hold.</param>
    /// <param name="cancellationToken">Cancels the wait for the reply.</param>
    /// <returns>Null when verified; else the position the store does hold, from which the loader re-applies.</returns>
    /// <exception cref="ConsentUnavailableException">The store cannot be read now.</exception>
    Task<long?> VerifyAsync(int partition, int partitions, long committed, CancellationToken cancellationToken = default);

    /// <summary>Reads how much of the view is verified on the server answering now.</summary>
    /// <exception cref="ConsentUnavailableException">The store cannot be read now.</exception>
    Task<ConsentViewState> ReadViewAsync(CancellationToken cancellationToken = default);
}
