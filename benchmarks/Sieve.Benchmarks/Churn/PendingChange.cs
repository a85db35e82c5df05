using Sieve.Core.Pipeline;

namespace Sieve.Benchmarks.Churn;

/// <summary>
/// A consent change whose write Redis acknowledged and whose enforcement is still to be seen: the subject, the
/// personalization outcome the change must lead to, and when the write was issued.
/// </summary>
internal readonly record struct PendingChange(int Subject, Outcome Expected, long IssuedAt);
