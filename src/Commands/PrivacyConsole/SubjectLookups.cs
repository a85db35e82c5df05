using System.Collections.Concurrent;
using System.Security.Cryptography;
using Sieve.Contracts.Identifiers;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>
/// The subjects looked up in the console, each under a random handle that is all a URL carries. The identifier
/// (normalized) stays in this process's memory only, for the actions that need it (an erasure request and a consent
/// withdrawal are raw-zone records keyed by the identifier), and is forgotten after the lifetime or when the
/// process stops. A handle belongs to the session that made it.
/// </summary>
internal sealed class SubjectLookups(TimeSpan lifetime, TimeProvider time)
{
    private const int MaxLookups = 10_000;
    private readonly ConcurrentDictionary<string, Lookup> _lookups = new(StringComparer.Ordinal);

    /// <summary>Lookups made since start.</summary>
    public long Count => Interlocked.Read(ref _count);

    private long _count;

    /// <summary>Keeps a subject under a new handle for <paramref name="session"/>.</summary>
    public Lookup Add(string session, SubjectType type, string normalizedId, string consentKey)
    {
        DateTimeOffset now = time.GetUtcNow();
        if (_lookups.Count >= MaxLookups)
        {
            Prune(now);
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
        /// <summary>Never the identifier: records print their members, and this one must not.</summary>
        public override string ToString() => "lookup " + Handle;
    }
}
