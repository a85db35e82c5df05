namespace Sieve.Core.Erasure;

/// <summary>What an erasure did in one purpose.</summary>
/// <param name="Purpose">The purpose.</param>
/// <param name="Pseudonyms">Pseudonyms noticed (master keys times epochs within retention).</param>
/// <param name="RowsRemoved">Lake rows removed.</param>
/// <param name="FilesRewritten">Lake files rewritten without them.</param>
public sealed record PurposeErasure(string Purpose, int Pseudonyms, long RowsRemoved, int FilesRewritten);

/// <summary>The receipt of one erasure request. Carries no identifier and no pseudonym, only the identifier's type.</summary>
/// <param name="RequestId">The request.</param>
/// <param name="Reason">Why.</param>
/// <param name="Status">Completed or rejected.</param>
/// <param name="Detail">A reason code when rejected; empty otherwise.</param>
/// <param name="RequestedAt">When the request was made.</param>
/// <param name="MarkedAt">When the consent store held the erased mark; null when rejected.</param>
/// <param name="CompletedAt">When the erasure finished.</param>
/// <param name="Purposes">Per purpose, what was removed.</param>
/// <param name="SubjectType">The type of the subject's identifier (never the identifier); null in receipts written before it was recorded.</param>
public sealed record ErasureReceipt(string RequestId, ErasureReason Reason, ErasureStatus Status, string Detail, DateTimeOffset RequestedAt,
    DateTimeOffset? MarkedAt, DateTimeOffset CompletedAt, IReadOnlyList<PurposeErasure> Purposes, Sieve.Contracts.Identifiers.SubjectType? SubjectType = null);
