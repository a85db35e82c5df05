using System.Diagnostics.CodeAnalysis;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;

namespace Sieve.Core;

/// <summary>Throws of the pipeline's per-event types.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowTooManyPlans(int planCount) =>
        throw new ArgumentOutOfRangeException(nameof(planCount), planCount, "A policy has at most " + SubjectEntry.MaxPlans + " purposes.");

    [DoesNotReturn]
    public static void ThrowOutputTooLarge(string purpose) =>
        throw new InvalidOperationException("Minimized record for purpose '" + purpose + "' exceeds " + MinimizerCore.MaxOutputRecordBytes + " bytes.");

    [DoesNotReturn]
    public static void ThrowInstanceFenced(string instanceId) =>
        throw new InstanceFencedException("Another instance with the same Minimizer:InstanceId ('" + instanceId
            + "') took over this instance's transactional producer, so this one stops instead of fencing it back. Give every instance its own Minimizer:InstanceId.");
}
