namespace Sieve.Core.Lake;

/// <summary>
/// Lets one writer at a time change the lake: a flush, a recovery, an erasure rewrite or a retention sweep. Shared
/// by everything in one sink process that writes under the same root.
/// </summary>
public sealed class LakeGate : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    /// <summary>Waits for the lake; dispose the result to let the next writer in.</summary>
    public async Task<Releaser> EnterAsync(CancellationToken cancellationToken = default)
    {
        await _semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Releaser(_semaphore);
    }

    /// <summary>Blocking form of <see cref="EnterAsync"/>, for Kafka rebalance callbacks.</summary>
    public Releaser Enter()
    {
        _semaphore.Wait();
        return new Releaser(_semaphore);
    }

    /// <inheritdoc />
    public void Dispose() => _semaphore.Dispose();

    /// <summary>Leaves the lake when disposed.</summary>
    public readonly struct Releaser : IDisposable
    {
        private readonly SemaphoreSlim? _semaphore;

        internal Releaser(SemaphoreSlim semaphore) => _semaphore = semaphore;

        /// <inheritdoc />
        public void Dispose() => _semaphore?.Release();
    }
}
