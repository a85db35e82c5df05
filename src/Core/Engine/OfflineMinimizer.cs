using Sieve.Core.Consent;
using Sieve.Core.Pipeline;

namespace Sieve.Core.Engine;

/// <summary>
/// The consent near-cache and core of a minimizer without Kafka (<see cref="MinimizerPipelineBuilder.BuildOffline"/>):
/// what the minimizer decides for given inputs and consent. Disposing disposes the core and near-cache.
/// </summary>
public sealed class OfflineMinimizer : IDisposable
{
    internal OfflineMinimizer(ConsentCache cache, MinimizerCore core)
    {
        Cache = cache;
        Core = core;
    }

    /// <summary>The consent near-cache.</summary>
    public ConsentCache Cache { get; }

    /// <summary>The per-event core.</summary>
    public MinimizerCore Core { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Core.Dispose();
        Cache.Dispose();
    }
}
