namespace Sieve.Core.Consent;

/// <summary>
/// An in-process <see cref="IConsentStore"/> with the same semantics as <see cref="RedisConsentStore"/>, for the
/// demo when no redis-server is available and for tests. Invalidations are raised synchronously by
/// <see cref="ApplyAsync"/>, so the stream is always live. Thread-safe.
/// </summary>
public sealed class InMemoryConsentStore : IConsentStore, IConsentEraser
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ConsentRecord> _records = new(StringComparer.Ordinal);
    private volatile bool _available = true;

    /// <inheritdoc />
    public event Action<string>? Invalidated;

    /// <inheritdoc />
    public event Action? InvalidationStreamReset;

    /// <summary>
    /// While false every call throws <see cref="ConsentUnavailableException"/>, as a store that is down would; lets
    /// tests and the demo show that consumers fail closed. True initially.
    /// </summary>
    public bool IsAvailable
    {
        get => _available;
        set => _available = value;
    }

    /// <summary>Always <see cref="long.MaxValue"/>: invalidations are synchronous, so the stream is always live.</summary>
    public long LastHeartbeatTimestamp => long.MaxValue;

    /// <summary>Number of subjects stored.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _records.Count;
            }
        }
    }

    /// <inheritdoc />
    public Task<bool> ApplyAsync(ConsentUpdate update, CancellationToken cancellationToken = default)
    {
        ConsentKeys.Validate(update.ConsentKey, nameof(update));
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfUnavailable();
        bool changed;
        lock (_gate)
        {
            ConsentRecord current = _records.GetValueOrDefault(update.ConsentKey, ConsentRecord.Empty);
            ConsentRecord next = current.Apply(update, out changed);
            if (changed)
            {
                _records[update.ConsentKey] = next;
            }
        }

        if (changed)
        {
            Invalidated?.Invoke(update.ConsentKey);
        }

        return Task.FromResult(changed);
    }

    /// <inheritdoc />
    public Task<bool> MarkErasedAsync(string consentKey, CancellationToken cancellationToken = default)
    {
        ConsentKeys.Validate(consentKey, nameof(consentKey));
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfUnavailable();
        bool changed;
        lock (_gate)
        {
            ConsentRecord current = _records.GetValueOrDefault(consentKey, ConsentRecord.Empty);
            changed = !current.Erased;
            _records[consentKey] = current.WithErased();
        }

        Invalidated?.Invoke(consentKey);
        return Task.FromResult(changed);
    }

    /// <inheritdoc />
    public Task<IReadOnlyDictionary<string, ConsentRecord>> FetchAsync(IReadOnlyList<string> consentKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consentKeys);
        for (int i = 0; i < consentKeys.Count; i++)
        {
            ConsentKeys.Validate(consentKeys[i], nameof(consentKeys));
        }

        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfUnavailable();
        var result = new Dictionary<string, ConsentRecord>(consentKeys.Count, StringComparer.Ordinal);
        lock (_gate)
        {
            for (int i = 0; i < consentKeys.Count; i++)
            {
                string key = consentKeys[i];
                result[key] = _records.GetValueOrDefault(key, ConsentRecord.Empty);
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, ConsentRecord>>(result);
    }

    /// <inheritdoc />
    public Task<ConsentRecord> GetAsync(string consentKey, CancellationToken cancellationToken = default)
    {
        ConsentKeys.Validate(consentKey, nameof(consentKey));
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfUnavailable();
        lock (_gate)
        {
            return Task.FromResult(_records.GetValueOrDefault(consentKey, ConsentRecord.Empty));
        }
    }

    /// <summary>Raises <see cref="IConsentStore.InvalidationStreamReset"/>, as a reconnecting store would.</summary>
    public void ResetInvalidationStream() => InvalidationStreamReset?.Invoke();

    private void ThrowIfUnavailable()
    {
        if (!_available)
        {
            ThrowHelper.ThrowStoreUnavailable("The consent store is unavailable (in-memory store switched off).");
        }
    }
}
