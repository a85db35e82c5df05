using System.Collections.Concurrent;
using System.Security.Cryptography;
using Sieve.Contracts.Identifiers;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>
/// The subjects looked up in the console, each under a random handle that is all a URL carries. The identifier
/// (normalized) stays in this process's memory only, for the actions that need it (an erasure request and a consent
/// withdrawal are raw-zone records keyed by the identifier), and is forgotten after the lifetime (expired lookups
/// are dropped at every add and find), when its session signs out, or when the process stops. A handle belongs to
/// the session that made it; at most <see cref="MaxLookups"/> are kept.
/// </summary>
internal sealed class SubjectLookups(TimeSpan lifetime, TimeProvider time)
{
    /// <summary>Lookups kept at once, at most.</summary>
    public const int MaxLookups = 10_000;

    private readonly ConcurrentDictionary<string, Lookup> _lookups = new(StringComparer.Ordinal);

    /// <summary>Lookups made since start.</summary>
    public long Count => Interlocked.Read(ref _count);

    private long _count;

    /// <summary>Keeps a subject under a new handle for <paramref name="session"/>; null when <see cref="MaxLookups"/> are kept.</summary>
    public Lookup? Add(string session, SubjectType type, string normalizedId, string consentKey)
    {
        DateTimeOffset now = time.GetUtcNow();
        Prune(now);
        if (_lookups.Count >= MaxLookups)
        {
            return null;
        }

        string handle = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var lookup = new Lookup(handle, session, type, normalizedId, consentKey, now + lifetime);
        _lookups[handle] = lookup;
        Interlocked.Increment(ref _count);
        return lookup;
    }

    /// <summary>The live lookup <paramref name="handle"/> of <paramref name="session"/>, or null.</summary>
    public Lookup? Find(string session, string handle)
    {
        Prune(time.GetUtcNow());
        if (!_lookups.TryGetValue(handle, out Lookup? lookup) || lookup.Session != session)
        {
            return null;
        }

        if (lookup.Expires <= time.GetUtcNow())
        {
            _lookups.TryRemove(handle, out _);
            return null;
        }

        return lookup;
    }

    /// <summary>Forgets every lookup of <paramref name="session"/> (it signed out).</summary>
    public void Forget(string session)
    {
        foreach (KeyValuePair<string, Lookup> pair in _lookups)
        {
            if (pair.Value.Session == session)
            {
                _lookups.TryRemove(pair.Key, out _);
            }
        }
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (KeyValuePair<string, Lookup> pair in _lookups)
        {
            if (pair.Value.Expires <= now)
            {
                _lookups.TryRemove(pair.Key, out _);
            }
        }
    }

    /// <summary>One looked-up subject.</summary>
    /// <param name="Handle">The random handle in its URLs.</param>
    /// <param name="Session">The session that looked it up.</param>
    /// <param name="Type">The identifier's type.</param>
    /// <param name="NormalizedId">The identifier, normalized: memory only, never rendered or logged.</param>
    /// <param name="ConsentKey">The subject's consent key (its keyed pseudonym under purpose consent-index).</param>
    /// <param name="Expires">When the handle stops working.</param>
    public sealed record Lookup(string Handle, string Session, SubjectType Type, string NormalizedId, string ConsentKey, DateTimeOffset Expires)
    {
        private string? _erasure;

        /// <summary>
        /// Claims this lookup's one erasure request: true for the first caller, false once claimed (a second click or a
        /// resent form finds the first request). <see cref="Release"/> gives the claim back when publishing failed.
        /// </summary>
        public bool ClaimErasure() => Interlocked.CompareExchange(ref _erasure, "claimed", null) is null;

        /// <summary>Gives an erasure claim back (its request was not published).</summary>
        public void Release() => Volatile.Write(ref _erasure, null);

        /// <summary>True once this lookup's erasure request was claimed (published, or being published).</summary>
        public bool ErasureClaimed => Volatile.Read(ref _erasure) is not null;

        /// <summary>Never the identifier: records print their members, and this one must not.</summary>
        public override string ToString() => "lookup " + Handle;
    }
}
