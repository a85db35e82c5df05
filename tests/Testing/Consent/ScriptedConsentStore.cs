using Sieve.Core.Consent;

namespace Sieve.Testing.Consent;

/// <summary>
/// An <see cref="IConsentStore"/> whose liveness and invalidations the test drives by hand, and whose fetch can be
/// held open to provoke races. Records come from an inner <see cref="InMemoryConsentStore"/> that raises nothing.
/// </summary>
internal sealed class ScriptedConsentStore : IConsentStore
{
    private readonly InMemoryConsentStore _records = new();
    private long _heartbeat = long.MinValue;
    private TaskCompletionSource? _gate;

    public event Action<string>? Invalidated;

    public event Action? InvalidationStreamReset;

    public long LastHeartbeatTimestamp => Interlocked.Read(ref _heartbeat);

    /// <summary>Completed when a fetch reached the store (after the cache registered it as in flight).</summary>
    public TaskCompletionSource FetchStarted { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void SetHeartbeat(long timestamp) => Interlocked.Exchange(ref _heartbeat, timestamp);

    /// <summary>Makes the next fetches wait until <see cref="ReleaseFetches"/>.</summary>
    public void HoldFetches()
    {
        _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        FetchStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void ReleaseFetches() => _gate?.TrySetResult();

    /// <summary>Stores a change without raising an invalidation (as if the message were still on its way).</summary>
    public Task<bool> ApplySilentlyAsync(ConsentUpdate update) => _records.ApplyAsync(update);

    public void RaiseInvalidated(string key) => Invalidated?.Invoke(key);

    public void RaiseReset() => InvalidationStreamReset?.Invoke();

    public async Task<bool> ApplyAsync(ConsentUpdate update, CancellationToken cancellationToken = default)
    {
        bool changed = await _records.ApplyAsync(update, cancellationToken);
        if (changed)
        {
            RaiseInvalidated(update.ConsentKey);
        }

        return changed;
    }

    public async Task<IReadOnlyDictionary<string, ConsentRecord>> FetchAsync(IReadOnlyList<string> consentKeys, CancellationToken cancellationToken = default)
    {
        // Read first, as a store answers a request at once; the gate then delays the answer on its way back.
        IReadOnlyDictionary<string, ConsentRecord> result = await _records.FetchAsync(consentKeys, cancellationToken);
        FetchStarted.TrySetResult();
        if (_gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        return result;
    }

    public Task<ConsentRecord> GetAsync(string consentKey, CancellationToken cancellationToken = default) =>
        _records.GetAsync(consentKey, cancellationToken);
}
