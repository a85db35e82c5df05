namespace Sieve.Core.Erasure;

/// <summary>
/// The pseudonyms of erased subjects, per purpose. The sink drops rows of these subjects when it lands a flush, so
/// records still in the topics when an erasure ran (or forwarded before every minimizer saw the mark) never reach
/// the lake afterwards. Filled by the erasure worker and, on start-up and continuously, from the erasure notices
/// topic. Thread-safe.
/// </summary>
public sealed class ErasedSubjects
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, HashSet<string>> _byPurpose = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the notices published before start-up have been read (at once when nothing reads them).</summary>
    public Task Ready => _ready.Task;

    /// <summary>Number of (purpose, pseudonym) pairs held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                int n = 0;
                foreach (HashSet<string> set in _byPurpose.Values)
                {
                    n += set.Count;
                }

                return n;
            }
        }
    }

    /// <summary>Adds one pseudonym of <paramref name="purpose"/>.</summary>
    public void Add(string purpose, string pseudonym)
    {
        lock (_gate)
        {
            if (!_byPurpose.TryGetValue(purpose, out HashSet<string>? set))
            {
                set = new HashSet<string>(StringComparer.Ordinal);
                _byPurpose[purpose] = set;
            }

            set.Add(pseudonym);
        }
    }

    /// <summary>True when <paramref name="pseudonym"/> of <paramref name="purpose"/> was erased.</summary>
    public bool Contains(string purpose, string pseudonym)
    {
        lock (_gate)
        {
            return _byPurpose.TryGetValue(purpose, out HashSet<string>? set) && set.Contains(pseudonym);
        }
    }

    /// <summary>Marks the start-up load done.</summary>
    public void MarkReady() => _ready.TrySetResult();
}
