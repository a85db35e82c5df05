using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Sieve.Commands.PrivacyConsole;

/// <summary>
/// Sign-in for the privacy console: the token is compared in constant time; a signed-in browser holds a random
/// session id in an HttpOnly, SameSite=Strict cookie, and every form posts the session's own anti-forgery value.
/// Sessions live in memory and end with the process, at sign-out or after <see cref="Lifetime"/>; at most
/// <see cref="MaxSessions"/> at once.
/// </summary>
internal sealed class ConsoleSessions(string token, TimeProvider time)
{
    /// <summary>Sessions open at once, at most.</summary>
    public const int MaxSessions = 1_000;

    /// <summary>The session cookie's name.</summary>
    public const string CookieName = "sieve-console";

    /// <summary>How long a session lasts after sign-in.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private readonly byte[] _tokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);

    /// <summary>A new random token: 24 bytes, hex.</summary>
    public static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>True when <paramref name="candidate"/> is the token (digests compared in constant time, so neither its length nor its content shows).</summary>
    public bool IsToken(string? candidate) =>
        candidate is not null && Core.Gateways.Http.SecretMatch.Matches(Encoding.UTF8.GetBytes(candidate), _tokenHash);

    /// <summary>Opens a session (its id goes in the cookie); null when <see cref="MaxSessions"/> are open.</summary>
    public Session? Open()
    {
        DateTimeOffset now = time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
        {
            foreach (KeyValuePair<string, Session> pair in _sessions)
            {
                if (pair.Value.Expires <= now)
                {
                    _sessions.TryRemove(pair.Key, out _);
                }
            }

            if (_sessions.Count >= MaxSessions)
            {
                return null;
            }
        }

        var session = new Session(RandomId(), RandomId(), now + Lifetime);
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>A session for one request that presented the token as a bearer: not kept, so a script adds nothing.</summary>
    public Session ForOneRequest() => new(RandomId(), RandomId(), time.GetUtcNow() + TimeSpan.FromMinutes(1));

    /// <summary>The live session with <paramref name="id"/>, or null.</summary>
    public Session? Find(string? id)
    {
        if (id is null || !_sessions.TryGetValue(id, out Session? session))
        {
            return null;
        }

        if (session.Expires <= time.GetUtcNow())
        {
            _sessions.TryRemove(id, out _);
            return null;
        }

        return session;
    }

    /// <summary>Ends the session with <paramref name="id"/>.</summary>
    public void Close(string id) => _sessions.TryRemove(id, out _);

    private static string RandomId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    /// <summary>A signed-in browser.</summary>
    /// <param name="Id">The cookie value.</param>
    /// <param name="Csrf">The value its forms post back.</param>
    /// <param name="Expires">When it ends.</param>
    public sealed record Session(string Id, string Csrf, DateTimeOffset Expires)
    {
        /// <summary>True when a form posted this session's anti-forgery value.</summary>
        public bool Posted(string? csrf) =>
            csrf is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(csrf), Encoding.ASCII.GetBytes(Csrf));
    }
}
