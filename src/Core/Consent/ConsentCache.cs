using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Sieve.Core.Consent;

/// <summary>
/// The minimizer's in-process near-cache of consent records, in front of an <see cref="IConsentStore"/>.
/// <see cref="TryGet"/> is the hot-path read and allocates nothing; misses are loaded in batches with
/// <see cref="FetchAsync"/>, which fails closed (throws <see cref="ConsentUnavailableException"/>) when the store
/// cannot answer.
/// </summary>
/// <remarks>
/// <para>
/// Bounded staleness: an entry is served only while it is provably at most
/// <see cref="ConsentCacheOptions.MaxStaleness"/> old, i.e. while <c>now - max(fetchedAt, store heartbeat)</c> is
/// within the bound (the store's <see cref="IConsentStore.LastHeartbeatTimestamp"/> proves every invalidation up to
/// then has been applied here), and no older than <see cref="ConsentCacheOptions.MaxEntryAge"/>. When the
/// invalidation stream stalls, entries lapse within the bound, the caller fetches, and a store that is down fails
/// the fetch: nothing is forwarded on the strength of a record the cache cannot vouch for.
/// </para>
/// <para>
/// Fetch races: an invalidation (or stream reset) that arrives while a fetch of the same key is in flight marks
/// that key superseded, and the fetched value is dropped instead of installed, so a value read before a change can
/// never be installed after the change's invalidation was handled.
/// </para>
/// <para>
/// Eviction: two generations of at most <c>Capacity / 2</c> entries each. New entries go to the young generation;
/// when it is full, the old generation is dropped and the young one becomes old. A hit in the old generation moves
/// the entry back to the young one, so subjects that keep sending stay cached. Dropping a generation costs one
/// <see cref="Dictionary{TKey, TValue}.Clear"/>, and the dictionaries keep their buckets, so a warm cache does not
/// allocate.
/// </para>
/// <para>
/// Re-validation: <see cref="TryGetEntry"/> hands out the cached entry itself, and a caller that keeps it (the
/// minimizer keeps one per subject) re-validates it with <see cref="IsCurrent(ConsentCacheEntry)"/>, which reads two integers and the
/// clock instead of hashing the key and taking the lock. An entry is current only while it is in the young
/// generation and servable: invalidating, replacing or evicting it marks it dropped, a rotation or reset moves the
/// young generation on, so the first <see cref="IsCurrent(ConsentCacheEntry)"/> after any of them fails and the caller looks the key up
/// again (which also promotes entries still in use out of the old generation).
/// </para>
/// <para>
/// Thread-safety: every dictionary operation runs under one lock. <see cref="TryGet"/> is called by the worker
/// thread and invalidations arrive on the store's delivery thread; the lock is uncontended nearly always (tens of
/// nanoseconds), keeps invalidation immediate rather than deferred to the worker's next batch, and lets several
/// workers share one cache.
/// </para>
/// </remarks>
public sealed class ConsentCache : IDisposable
{
    private readonly IConsentStore _store;
    private readonly TimeProvider _time;
    private readonly long _maxStalenessTicks;
    private readonly long _maxAgeTicks;
    private readonly int _generationCapacity;
    private readonly Lock _gate = new();
    private readonly List<PendingFetch> _pendingFetches = [];
    private readonly Action<string> _onInvalidated;
    private readonly Action _onReset;
    private Dictionary<string, ConsentCacheEntry> _young;
    private Dictionary<string, ConsentCacheEntry> _old;
    private Dictionary<string, ConsentCacheEntry>.AlternateLookup<ReadOnlySpan<char>> _youngLookup;
    private Dictionary<string, ConsentCacheEntry>.AlternateLookup<ReadOnlySpan<char>> _oldLookup;
    private int _youngGeneration;

    // Entries dropped so far (invalidated, replaced or evicted one by one). A caller that has seen its entry current
    // and finds this count and the young generation unchanged knows the entry still is, without reading it.
    private long _drops;
    private long _hits;
    private long _currentHits;
    private long _misses;
    private long _staleMisses;
    private long _fetches;
    private long _fetchedKeys;
    private long _droppedFetches;
    private long _invalidations;
    private long _resets;
    private long _evictions;
    private int _disposed;

    /// <summary>Creates a cache over <paramref name="store"/> and subscribes to its invalidations.</summary>
    /// <param name="store">Where misses are loaded from and invalidations come from.</param>
    /// <param name="options">Capacity and staleness bounds; defaults when null.</param>
    /// <param name="timeProvider">Clock; must be the one <paramref name="store"/> stamps heartbeats with. <see cref="TimeProvider.System"/> when null.</param>
    public ConsentCache(IConsentStore store, ConsentCacheOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new ConsentCacheOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 2, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxStaleness, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.MaxEntryAge, TimeSpan.Zero, nameof(options));

        _store = store;
        _time = timeProvider ?? TimeProvider.System;
        _maxStalenessTicks = ToTicks(options.MaxStaleness, _time.TimestampFrequency);
        _maxAgeTicks = ToTicks(options.MaxEntryAge, _time.TimestampFrequency);
        _generationCapacity = options.Capacity / 2;
        _young = new Dictionary<string, ConsentCacheEntry>(StringComparer.Ordinal);
        _old = new Dictionary<string, ConsentCacheEntry>(StringComparer.Ordinal);
        _youngLookup = _young.GetAlternateLookup<ReadOnlySpan<char>>();
        _oldLookup = _old.GetAlternateLookup<ReadOnlySpan<char>>();

        _onInvalidated = OnInvalidated;
        _onReset = OnReset;
        _store.Invalidated += _onInvalidated;
        _store.InvalidationStreamReset += _onReset;
    }

    /// <summary>Subjects currently held (servable or not).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _young.Count + _old.Count;
            }
        }
    }

    /// <summary><see cref="TryGet"/> calls that returned a record (re-validations that succeeded included).</summary>
    public long Hits => Volatile.Read(ref _hits) + Interlocked.Read(ref _currentHits);

    /// <summary><see cref="TryGet"/> calls that did not (absent, malformed key, or not vouched for).</summary>
    public long Misses => Volatile.Read(ref _misses);

    /// <summary>The part of <see cref="Misses"/> where the entry was present but too old to vouch for.</summary>
    public long StaleMisses => Volatile.Read(ref _staleMisses);

    /// <summary>Store round trips made by <see cref="FetchAsync"/>.</summary>
    public long Fetches => Volatile.Read(ref _fetches);

    /// <summary>Keys requested from the store by <see cref="FetchAsync"/>.</summary>
    public long FetchedKeys => Volatile.Read(ref _fetchedKeys);

    /// <summary>Fetched values not installed because an invalidation or reset superseded them in flight.</summary>
    public long DroppedFetches => Volatile.Read(ref _droppedFetches);

    /// <summary>Invalidations received.</summary>
    public long Invalidations => Volatile.Read(ref _invalidations);

    /// <summary>Invalidation stream resets received (each one emptied the cache).</summary>
    public long Resets => Volatile.Read(ref _resets);

    /// <summary>Entries dropped to stay within capacity.</summary>
    public long Evictions => Volatile.Read(ref _evictions);

    /// <summary>
    /// Looks up a subject's record without allocating. False (a miss) when the subject is not cached, when the
    /// cache cannot currently vouch that the record is fresh, or when <paramref name="consentKeyAscii"/> is not a
    /// consent key; the caller then collects the key for <see cref="FetchAsync"/>.
    /// </summary>
    /// <param name="consentKeyAscii">The subject's consent key: <see cref="ConsentKeys.Length"/> ASCII bytes.</param>
    /// <param name="record">The record on a hit; null on a miss.</param>
    public bool TryGet(ReadOnlySpan<byte> consentKeyAscii, [MaybeNullWhen(false)] out ConsentRecord record)
    {
        if (TryGetEntry(consentKeyAscii, out ConsentCacheEntry? entry))
        {
            record = entry.Record;
            return true;
        }

        record = null;
        return false;
    }

    /// <summary>
    /// <see cref="TryGet"/>, returning the cache's entry itself, which the caller may keep and re-validate with
    /// <see cref="IsCurrent(ConsentCacheEntry)"/>.
    /// </summary>
    internal bool TryGetEntry(ReadOnlySpan<byte> consentKeyAscii, [MaybeNullWhen(false)] out ConsentCacheEntry entry)
    {
        Span<char> key = stackalloc char[ConsentKeys.Length];
        bool wellFormed = consentKeyAscii.Length == ConsentKeys.Length
            && Ascii.ToUtf16(consentKeyAscii, key, out _) == OperationStatus.Done;
        long now = _time.GetTimestamp();
        long provenUntil = _store.LastHeartbeatTimestamp;

        lock (_gate)
        {
            if (!wellFormed)
            {
                _misses++;
                entry = null;
                return false;
            }

            if (!_youngLookup.TryGetValue(key, out entry))
            {
                if (!_oldLookup.TryGetValue(key, out string? storedKey, out entry))
                {
                    _misses++;
                    return false;
                }

                // Still in use: move it back to the young generation so the next rotation keeps it.
                _old.Remove(storedKey);
                AddYoung(storedKey, entry);
            }

            if (!IsServable(entry.FetchedAt, now, provenUntil))
            {
                _misses++;
                _staleMisses++;
                entry = null;
                return false;
            }

            _hits++;
            return true;
        }
    }

    /// <summary>
    /// True (and counted as a hit) when <paramref name="entry"/>, which <see cref="TryGetEntry"/> returned earlier,
    /// is still the cache's current entry for its key and servable now, so its record may be used without a
    /// look-up. False after any invalidation, replacement, eviction, generation rotation or reset since, and when
    /// the staleness bound has lapsed; the caller then calls <see cref="TryGetEntry"/>, which counts the lookup.
    /// Takes no lock and allocates nothing.
    /// </summary>
    internal bool IsCurrent(ConsentCacheEntry entry)
    {
        long verifiedDrops = -1;
        int verifiedGeneration = 0;
        return IsCurrent(entry, entry.FetchedAt, ref verifiedDrops, ref verifiedGeneration);
    }

    /// <summary>
    /// <see cref="IsCurrent(ConsentCacheEntry)"/> for a caller that keeps, next to the entry, its fetch time and
    /// the drop count and young generation under which it last found the entry current. While neither has moved
    /// the entry cannot have been dropped, so the entry itself is not read (on a large population it is a memory
    /// miss); otherwise its generation is checked as before and, when current, the pair is refreshed. Start the
    /// pair with <paramref name="verifiedDrops"/> = -1 whenever a new entry is kept.
    /// </summary>
    /// <param name="entry">The entry <see cref="TryGetEntry"/> returned.</param>
    /// <param name="fetchedAt">The entry's <see cref="ConsentCacheEntry.FetchedAt"/>.</param>
    /// <param name="verifiedDrops">The drop count when the entry was last found current, or -1.</param>
    /// <param name="verifiedGeneration">The young generation when the entry was last found current.</param>
    internal bool IsCurrent(ConsentCacheEntry entry, long fetchedAt, ref long verifiedDrops, ref int verifiedGeneration)
    {
        // The count is read before the entry: a drop marks its entry first and counts afterwards, so a count that
        // has not moved means no drop had completed when the entry was last seen current.
        long drops = Volatile.Read(ref _drops);
        int young = Volatile.Read(ref _youngGeneration);
        if (drops != verifiedDrops || young != verifiedGeneration)
        {
            if (Volatile.Read(ref entry.Generation) != young)
            {
                return false;
            }

            verifiedDrops = drops;
            verifiedGeneration = young;
        }

        if (!IsServable(fetchedAt, _time.GetTimestamp(), _store.LastHeartbeatTimestamp))
        {
            return false;
        }

        Interlocked.Increment(ref _currentHits);
        return true;
    }

    /// <summary>
    /// Loads from the store every key of <paramref name="consentKeys"/> that <see cref="TryGet"/> would miss, in one
    /// pipelined round trip, and installs the results (unknown subjects as <see cref="ConsentRecord.Empty"/>) unless
    /// an invalidation superseded them meanwhile. Allocates; not for the per-event path.
    /// </summary>
    /// <exception cref="ConsentUnavailableException">The store cannot answer; nothing was installed. Retry later.</exception>
    /// <exception cref="ArgumentException">A key is not a consent key.</exception>
    public async Task FetchAsync(IReadOnlyCollection<string> consentKeys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consentKeys);
        foreach (string key in consentKeys)
        {
            ConsentKeys.Validate(key, nameof(consentKeys));
        }

        // Taken before the request is registered and sent, so it is never later than the moment the store reads.
        long fetchedAt = _time.GetTimestamp();
        long provenUntil = _store.LastHeartbeatTimestamp;
        PendingFetch? pending = null;
        lock (_gate)
        {
            foreach (string key in consentKeys)
            {
                if (!TryPeek(key, out ConsentCacheEntry? entry) || !IsServable(entry.FetchedAt, fetchedAt, provenUntil))
                {
                    pending ??= new PendingFetch();
                    pending.Add(key);
                }
            }

            if (pending is null)
            {
                return;
            }

            _pendingFetches.Add(pending);
            _fetches++;
            _fetchedKeys += pending.Keys.Count;
        }

        IReadOnlyDictionary<string, ConsentRecord> records;
        try
        {
            records = await _store.FetchAsync(pending.Keys, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                _pendingFetches.Remove(pending);
            }

            throw;
        }

        lock (_gate)
        {
            _pendingFetches.Remove(pending);
            foreach (string key in pending.Keys)
            {
                if (pending.IsSuperseded(key) || !records.TryGetValue(key, out ConsentRecord? record))
                {
                    _droppedFetches++;
                    continue;
                }

                if (_old.Remove(key, out ConsentCacheEntry? replaced))
                {
                    Drop(replaced);
                }

                AddYoung(key, new ConsentCacheEntry(record, fetchedAt));
            }
        }
    }

    /// <summary>Drops every entry (as a stream reset does).</summary>
    public void Clear() => OnReset();

    /// <summary>Unsubscribes from the store's invalidations. The cache must not be used afterwards.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _store.Invalidated -= _onInvalidated;
        _store.InvalidationStreamReset -= _onReset;
    }

    private static long ToTicks(TimeSpan span, long frequency) =>
        span >= TimeSpan.FromDays(3650) ? long.MaxValue / 2 : (long)(span.TotalSeconds * frequency);

    private bool IsServable(long fetchedAt, long now, long provenUntil)
    {
        long freshAsOf = Math.Max(fetchedAt, provenUntil);
        return now - fetchedAt <= _maxAgeTicks && now - freshAsOf <= _maxStalenessTicks;
    }

    private bool TryPeek(string key, [MaybeNullWhen(false)] out ConsentCacheEntry entry) =>
        _young.TryGetValue(key, out entry) || _old.TryGetValue(key, out entry);

    // Caller holds _gate. The entry is marked before the drop is counted (see IsCurrent).
    private void Drop(ConsentCacheEntry entry)
    {
        Volatile.Write(ref entry.Generation, ConsentCacheEntry.Dropped);
        Volatile.Write(ref _drops, _drops + 1);
    }

    // Caller holds _gate. Entries of the dropped generation need no marking: the young generation moves on, so
    // their generation is no longer current.
    private void AddYoung(string key, ConsentCacheEntry entry)
    {
        if (_young.Count >= _generationCapacity && !_young.ContainsKey(key))
        {
            _evictions += _old.Count;
            _old.Clear();
            (_young, _old) = (_old, _young);
            (_youngLookup, _oldLookup) = (_oldLookup, _youngLookup);
            Volatile.Write(ref _youngGeneration, _youngGeneration + 1);
        }

        if (_young.TryGetValue(key, out ConsentCacheEntry? replaced) && !ReferenceEquals(replaced, entry))
        {
            Drop(replaced);
        }

        Volatile.Write(ref entry.Generation, _youngGeneration);
        _young[key] = entry;
    }

    private void OnInvalidated(string consentKey)
    {
        lock (_gate)
        {
            _invalidations++;
            if (_young.Remove(consentKey, out ConsentCacheEntry? young))
            {
                Drop(young);
            }

            if (_old.Remove(consentKey, out ConsentCacheEntry? old))
            {
                Drop(old);
            }

            foreach (PendingFetch pending in _pendingFetches)
            {
                pending.Supersede(consentKey);
            }
        }
    }

    private void OnReset()
    {
        lock (_gate)
        {
            _resets++;
            _young.Clear();
            _old.Clear();
            Volatile.Write(ref _youngGeneration, _youngGeneration + 1);
            foreach (PendingFetch pending in _pendingFetches)
            {
                pending.SupersedeAll();
            }
        }
    }

    /// <summary>The keys of one in-flight fetch and which of them invalidations have superseded. Guarded by the cache's lock.</summary>
    private sealed class PendingFetch
    {
        private readonly HashSet<string> _keySet = new(StringComparer.Ordinal);
        private HashSet<string>? _superseded;
        private bool _allSuperseded;

        public List<string> Keys { get; } = [];

        public void Add(string key)
        {
            if (_keySet.Add(key))
            {
                Keys.Add(key);
            }
        }

        public void Supersede(string key)
        {
            if (!_allSuperseded && _keySet.Contains(key))
            {
                (_superseded ??= new HashSet<string>(StringComparer.Ordinal)).Add(key);
            }
        }

        public void SupersedeAll() => _allSuperseded = true;

        public bool IsSuperseded(string key) => _allSuperseded || (_superseded?.Contains(key) ?? false);
    }
}
