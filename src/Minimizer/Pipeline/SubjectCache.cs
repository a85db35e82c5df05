using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;

namespace Sieve.Minimizer.Pipeline;

/// <summary>
/// What the minimizer remembers about a subject it has seen: its consent-store key and its pseudonym per purpose
/// plan. Lives only in process memory. Pseudonyms of daily-rotating plans carry the day they were made for.
/// </summary>
internal sealed class SubjectEntry
{
    public SubjectEntry(SubjectType type, byte[] normalized, int planCount)
    {
        Type = type;
        Normalized = normalized;
        Pseudonyms = new byte[planCount * PseudonymKey.PseudonymLength];
        PseudonymDays = new long[planCount];
        Array.Fill(PseudonymDays, long.MinValue);
    }

    public SubjectType Type { get; }

    /// <summary>The normalized identifier; held only to compute pseudonyms for new key epochs.</summary>
    public byte[] Normalized { get; }

    /// <summary>32 ASCII bytes: the consent-index pseudonym.</summary>
    public byte[] ConsentKeyUtf8 { get; } = new byte[PseudonymKey.PseudonymLength];

    /// <summary>The same key as a string, for consent-store fetches (made once per subject).</summary>
    public string ConsentKey { get; set; } = "";

    /// <summary>Plan i's pseudonym is at [i*32, i*32+32).</summary>
    public byte[] Pseudonyms { get; }

    /// <summary>The UTC day each plan's pseudonym was made for (long.MinValue: not yet made; stable plans use 0).</summary>
    public long[] PseudonymDays { get; }
}

/// <summary>
/// Subjects by (type, normalized identifier), looked up without allocating. Bounded: two generations of at most
/// <c>capacity</c> entries each; when the young generation fills, the old one is dropped and the young one ages.
/// A subject active in either generation is found (and promoted), so a working set up to the capacity stays cached.
/// Not thread-safe: one per minimizer worker.
/// </summary>
internal sealed class SubjectCache
{
    private readonly int _capacity;
    private Dictionary<string, SubjectEntry> _young;
    private Dictionary<string, SubjectEntry> _old;

    public SubjectCache(int capacity)
    {
        _capacity = Math.Max(16, capacity);
        _young = new Dictionary<string, SubjectEntry>(Math.Min(_capacity, 1 << 16), StringComparer.Ordinal);
        _old = new Dictionary<string, SubjectEntry>(StringComparer.Ordinal);
    }

    public int Count => _young.Count + _old.Count;

    /// <summary>Finds a subject; <paramref name="normalized"/> is ASCII (the normalizer's output).</summary>
    public bool TryGet(SubjectType type, ReadOnlySpan<byte> normalized, out SubjectEntry entry)
    {
        Span<char> key = stackalloc char[1 + IdentifierNormalizer.MaxNormalizedLength];
        int length = MakeKey(type, normalized, key);
        ReadOnlySpan<char> k = key[..length];
        if (_young.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(k, out entry!))
        {
            return true;
        }

        if (_old.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(k, out entry!))
        {
            Add(new string(k), entry);
            return true;
        }

        return false;
    }

    /// <summary>Adds a subject (allocates; only on first sight of a subject).</summary>
    public void Add(SubjectType type, ReadOnlySpan<byte> normalized, SubjectEntry entry)
    {
        Span<char> key = stackalloc char[1 + IdentifierNormalizer.MaxNormalizedLength];
        int length = MakeKey(type, normalized, key);
        Add(new string(key[..length]), entry);
    }

    /// <summary>Forgets every subject (e.g. after a key rotation).</summary>
    public void Clear()
    {
        _young.Clear();
        _old.Clear();
    }

    private void Add(string key, SubjectEntry entry)
    {
        if (_young.Count >= _capacity)
        {
            _old = _young;
            _young = new Dictionary<string, SubjectEntry>(Math.Min(_capacity, 1 << 16), StringComparer.Ordinal);
        }

        _young[key] = entry;
    }

    private static int MakeKey(SubjectType type, ReadOnlySpan<byte> normalized, Span<char> key)
    {
        key[0] = (char)('0' + (int)type);
        for (int i = 0; i < normalized.Length; i++)
        {
            key[i + 1] = (char)normalized[i];
        }

        return normalized.Length + 1;
    }
}
