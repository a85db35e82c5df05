using Sieve.Contracts.Identifiers;

namespace Sieve.Core.Erasure;

/// <summary>
/// A decoded erasure request. It holds the subject's raw identifier, so it stays inside the erasure worker:
/// <see cref="ToString"/> never shows it.
/// </summary>
/// <param name="subjectType">What kind of identifier <paramref name="subjectId"/> is.</param>
/// <param name="subjectId">The raw identifier (direct).</param>
/// <param name="requestId">The caller's request id.</param>
/// <param name="reason">Why the subject is erased.</param>
/// <param name="requestedAt">When the request was made.</param>
public sealed class ErasureRequest(SubjectType subjectType, string subjectId, string requestId, ErasureReason reason, DateTimeOffset requestedAt)
{
    /// <summary>What kind of identifier <see cref="SubjectId"/> is.</summary>
    public SubjectType SubjectType { get; } = subjectType;

    /// <summary>The raw identifier. Never log it.</summary>
    public string SubjectId { get; } = subjectId;

    /// <summary>The caller's request id.</summary>
    public string RequestId { get; } = requestId;

    /// <summary>Why the subject is erased.</summary>
    public ErasureReason Reason { get; } = reason;

    /// <summary>When the request was made.</summary>
    public DateTimeOffset RequestedAt { get; } = requestedAt;

    /// <summary>Request id, type and reason; never the identifier.</summary>
    public override string ToString() => "ErasureRequest(" + RequestId + ", " + SubjectTypeNames.Of(SubjectType) + ", " + Reason + ")";
}
