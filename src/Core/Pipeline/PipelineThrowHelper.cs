using System.Diagnostics.CodeAnalysis;

namespace Sieve.Core.Pipeline;

/// <summary>Throws for the pipeline's per-event types, out of line so the hot paths stay small.</summary>
internal static class PipelineThrowHelper
{
    [DoesNotReturn]
    public static void ThrowTooManyPlans(int planCount) =>
        throw new ArgumentOutOfRangeException(nameof(planCount), planCount, "A policy has at most " + SubjectEntry.MaxPlans + " purposes.");
}
