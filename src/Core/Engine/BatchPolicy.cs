namespace Sieve.Core.Engine;

/// <summary>When the minimizer closes a batch (<c>Minimizer:BatchPolicy</c>).</summary>
public enum BatchPolicy
{
    /// <summary>
    /// Close a batch as soon as nothing more is waiting: once the first input has arrived, the batch takes what the
    /// consumer already holds (up to <see cref="MinimizerOptions.BatchMaxMessages"/>, within
    /// <see cref="MinimizerOptions.BatchMaxWaitMs"/>) and closes. The next batch is taken only after this one has
    /// committed, so what arrives during a commit waits for the next: at low rates a batch is a few inputs and waits
    /// almost nothing, at high rates batches grow to the maximum on their own and throughput is kept. The default.
    /// </summary>
    Adaptive,

    /// <summary>
    /// Wait for a batch to fill: up to <see cref="MinimizerOptions.BatchMaxMessages"/> inputs or until
    /// <see cref="MinimizerOptions.BatchMaxWaitMs"/> has passed since the first arrived, whichever comes first.
    /// Every input waits up to the whole linger; kept for comparison.
    /// </summary>
    Linger,
}
