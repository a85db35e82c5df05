using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Sieve.Contracts.Identifiers;

namespace Sieve.Core.Pipeline;

/// <summary>
/// Subjects by (type, normalized identifier), looked up without allocating. Bounded: two generations of at most
/// <c>capacity</c> entries each; when the young generation fills, the old one is dropped and the young one ages.
/// A subject active in either generation is found (and promoted), so a working set up to the capacity stays cached.
/// Not thread-safe: one per minimizer worker.
/// </summary>
/// <remarks>
/// Each generation is an open-addressing table (linear probing, at most half full) of slots holding the subject's
/// hash and its <see cref="SubjectEntry"/>; the entry holds the normalized identifier it is matched against. A
/// look-up reads the slot array (a few megabytes for a hundred thousand subjects) and then the one entry. The hash
/// is keyed with a per-process random seed, so identifiers cannot be chosen to collide.
/// </remarks>
internal sealed class SubjectCache
{
    private const int InitialSlots = 1 << 16;
    private readonly int _capacity;
    private readonly int _maxSlots;
    private readonly ulong _seed;
    private Slot[] _young;
    private Slot[] _old;
    private int _youngCount;
    private int _oldCount;

    public SubjectCache(int capacity)
    {
        _capacity = Math.Max(16, capacity);
        _maxSlots = (int)Math.Min(1u << 30, BitOperations.RoundUpToPowerOf2((uint)_capacity * 2));
        _young = new Slot[Math.Min(_maxSlots, InitialSlots)];
        _old = new Slot[1];
        Span<byte> seed = stackalloc byte[sizeof(ulong)];
        RandomNumberGenerator.Fill(seed);
        _seed = BinaryPrimitives.ReadUInt64LittleEndian(seed);
    }

    public int Count => _youngCount + _oldCount;

    /// <summary>The hash <see cref="TryGet"/> and <see cref="SubjectEntry.Hash"/> use for a subject.</summary>
    public uint Hash(SubjectType type, ReadOnlySpan<byte> normalized)
    {
        ulong h = _seed ^ (((ulong)type << 32) | (uint)normalized.Length);
        int length = normalized.Length;
        if (length >= sizeof(ulong))
        {
            int i = 0;
            for (; i <= length - sizeof(ulong); i += sizeof(ulong))
            {
                h = Mix(h, BinaryPrimitives.ReadUInt64LittleEndian(normalized[i..]));
            }

            if (i < length)
            {
                // The last eight bytes, overlapping the previous word.
                h = Mix(h, BinaryPrimitives.ReadUInt64LittleEndian(normalized[(length - sizeof(ulong))..]));
            }
        }
        else
        {
            ulong word = 0;
            for (int i = 0; i < length; i++)
            {
                word = (word << 8) | normalized[i];
            }

            h = Mix(h, word);
        }

        // MurmurHash3's 64-bit finalizer: every input bit reaches the low bits that index the table.
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return (uint)h;
    }

    /// <summary>Finds a subject; <paramref name="hash"/> is <see cref="Hash"/> of it.</summary>
    public bool TryGet(uint hash, SubjectType type, ReadOnlySpan<byte> normalized, [NotNullWhen(true)] out SubjectEntry? entry)
    {
        entry = Find(_young, hash, type, normalized);
        if (entry is not null)
        {
            return true;
        }

        entry = Find(_old, hash, type, normalized);
        if (entry is not null)
        {
            // Still in use: into the young generation, so the next rotation keeps it.
            Add(entry);
            return true;
        }

        return false;
    }

    /// <summary>Adds a subject (on first sight of it, or to promote it from the old generation).</summary>
    public void Add(SubjectEntry entry)
    {
        if (_youngCount >= _capacity)
        {
            Rotate();
        }
        else if (_youngCount + 1 > _young.Length / 2 && _young.Length < _maxSlots)
        {
            _young = Grow(_young);
        }

        Insert(_young, entry);
        _youngCount++;
    }

    /// <summary>Forgets every subject (e.g. after a key rotation).</summary>
    public void Clear()
    {
        Array.Clear(_young);
        Array.Clear(_old);
        _youngCount = 0;
        _oldCount = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h, ulong word)
    {
        h = (h ^ word) * 0x9E3779B97F4A7C15UL;
        return h ^ (h >> 29);
    }

    private static SubjectEntry? Find(Slot[] slots, uint hash, SubjectType type, ReadOnlySpan<byte> normalized)
    {
        int mask = slots.Length - 1;
        int i = (int)hash & mask;
        while (true)
        {
            ref Slot slot = ref slots[i];
            SubjectEntry? entry = slot.Entry;
            if (entry is null)
            {
                return null;
            }

            if (slot.Hash == hash && entry.Is(type, normalized))
            {
                return entry;
            }

            i = (i + 1) & mask;
        }
    }

    private static void Insert(Slot[] slots, SubjectEntry entry)
    {
        int mask = slots.Length - 1;
        int i = (int)entry.Hash & mask;
        while (slots[i].Entry is not null)
        {
            i = (i + 1) & mask;
        }

        slots[i] = new Slot(entry.Hash, entry);
    }

    private static Slot[] Grow(Slot[] slots)
    {
        var grown = new Slot[slots.Length * 2];
        foreach (Slot slot in slots)
        {
            if (slot.Entry is not null)
            {
                Insert(grown, slot.Entry);
            }
        }

        return grown;
    }

    private void Rotate()
    {
        // The old generation is dropped; its table is reused for the new young one when it is full-sized.
        Slot[] recycled = _old;
        _old = _young;
        _oldCount = _youngCount;
        if (recycled.Length == _old.Length)
        {
            Array.Clear(recycled);
            _young = recycled;
        }
        else
        {
            _young = new Slot[_old.Length];
        }

        _youngCount = 0;
    }

    private readonly struct Slot(uint hash, SubjectEntry entry)
    {
        public readonly uint Hash = hash;
        public readonly SubjectEntry? Entry = entry;
    }
}
