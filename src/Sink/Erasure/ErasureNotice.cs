namespace Sieve.Sink.Erasure;

/// <summary>One erasure notice: consumers of <paramref name="Purpose"/> delete what they hold of <paramref name="Subject"/>.</summary>
/// <param name="Purpose">The purpose.</param>
/// <param name="Subject">The subject's pseudonym in that purpose.</param>
/// <param name="KeyIds">The key ids that make that pseudonym.</param>
/// <param name="RequestId">The request carried out.</param>
/// <param name="Reason">Why.</param>
/// <param name="ErasedAt">When the notice was issued.</param>
public sealed record ErasureNotice(string Purpose, string Subject, IReadOnlyList<string> KeyIds, string RequestId, ErasureReason Reason, DateTimeOffset ErasedAt);
