namespace Sieve.Core.Erasure;

/// <summary>
/// One erasure notice: consumers of <paramref name="Purpose"/> delete what they hold of <paramref name="Subject"/>.
/// It carries nothing the subject's other notices also carry (no request id, reason or time), so notices cannot be
/// linked to each other across purposes or analytics days; the receipt, keyed by request id, is where the request is.
/// </summary>
/// <param name="Purpose">The purpose.</param>
/// <param name="Subject">The subject's pseudonym in that purpose.</param>
/// <param name="KeyIds">The key ids that make that pseudonym.</param>
/// <param name="NoticeId">A random id of this notice alone (<see cref="ErasureNoticeId"/>).</param>
public sealed record ErasureNotice(string Purpose, string Subject, IReadOnlyList<string> KeyIds, string NoticeId);
