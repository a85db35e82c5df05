using System.Runtime.CompilerServices;
using System.Text;
using StackExchange.Redis;

namespace Sieve.Core.Consent;

// Listing every subject the store holds, for tools (consent renewal); the pipeline never lists.
public sealed partial class RedisConsentStore
{
    /// <summary>How many keys one <c>SCAN</c> step asks for when the caller names no other number.</summary>
    public const int DefaultScanCount = 500;

    /// <summary>
    /// Every subject record under <see cref="RedisConsentStoreOptions.KeyPrefix"/>, with its consent key, read with
    /// the cursor-based <c>SCAN … MATCH {prefix}* COUNT <paramref name="count"/></c> (never <c>KEYS</c>, so the
    /// server is not blocked) on every primary, and each step's hashes read in one pipelined round trip. Keys under
    /// the prefix that are not a consent key (the view's hash) are skipped, as are subjects whose record is gone or
    /// empty by the time it is read. A subject is yielded once even when <c>SCAN</c> returns its key twice. Records
    /// are read without the view check: this is a listing, not a decision.
    /// </summary>
    /// <param name="count">The <c>COUNT</c> hint of each <c>SCAN</c> step; at least 1.</param>
    /// <param name="cancellationToken">Stops the listing.</param>
    /// <exception cref="ConsentUnavailableException">Redis cannot be reached or a step fails.</exception>
    public async IAsyncEnumerable<(string ConsentKey, ConsentRecord Record)> ScanAsync(int count = DefaultScanCount,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!_connection.IsConnected)
        {
            throw new ConsentUnavailableException("The consent store is unavailable (scan: not connected).");
        }

        string pattern = EscapePattern(_options.KeyPrefix) + "*";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (IServer server in _connection.GetServers())
        {
            if (server.IsReplica)
            {
                continue;
            }

            long cursor = 0;
            do
            {
                (cursor, List<string> consentKeys) = await ScanStepAsync(server, cursor, pattern, count, seen, cancellationToken).ConfigureAwait(false);
                IReadOnlyList<HashEntry[]> hashes = await ReadHashesAsync(consentKeys, cancellationToken).ConfigureAwait(false);
                for (int i = 0; i < consentKeys.Count; i++)
                {
                    ConsentRecord record = RedisConsentFormat.Parse(hashes[i]);
                    if (!record.IsEmpty)
                    {
                        yield return (consentKeys[i], record);
                    }
                }
            }
            while (cursor != 0);
        }
    }

    // One SCAN step: the next cursor and the consent keys (prefix removed) not seen before.
    private async Task<(long Cursor, List<string> ConsentKeys)> ScanStepAsync(IServer server, long cursor, string pattern, int count,
        HashSet<string> seen, CancellationToken cancellationToken)
    {
        RedisResult reply;
        try
        {
            reply = await server.ExecuteAsync("SCAN", cursor, "MATCH", pattern, "COUNT", count).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Unavailable("scan", e);
        }

        var parts = (RedisResult[])reply!;
        long next = long.Parse((string)parts[0]!, System.Globalization.CultureInfo.InvariantCulture);
        var keys = new List<string>();
        foreach (RedisResult key in (RedisResult[])parts[1]!)
        {
            string? name = (string?)key;
            if (name is null || !name.StartsWith(_options.KeyPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            string consentKey = name[_options.KeyPrefix.Length..];
            if (ConsentKeys.IsValid(consentKey.AsSpan()) && seen.Add(consentKey))
            {
                keys.Add(consentKey);
            }
        }

        return (next, keys);
    }

    private async Task<IReadOnlyList<HashEntry[]>> ReadHashesAsync(List<string> consentKeys, CancellationToken cancellationToken)
    {
        var replies = new Task<HashEntry[]>[consentKeys.Count];
        try
        {
            for (int i = 0; i < replies.Length; i++)
            {
                replies[i] = _database.HashGetAllAsync(_options.KeyPrefix + consentKeys[i]);
            }

            return await Task.WhenAll(replies).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            ObserveFaults(replies);
            throw Unavailable("scan", e);
        }
    }

    // MATCH takes a glob: the prefix's own glob characters match only themselves.
    private static string EscapePattern(string prefix)
    {
        var pattern = new StringBuilder(prefix.Length + 4);
        foreach (char c in prefix)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                pattern.Append('\\');
            }

            pattern.Append(c);
        }

        return pattern.ToString();
    }
}
