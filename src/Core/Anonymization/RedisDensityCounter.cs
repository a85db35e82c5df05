using Sieve.Core.Privacy;
using StackExchange.Redis;

namespace Sieve.Core.Anonymization;

/// <summary>
/// The fleet-wide density count in Redis: two HyperLogLogs per (purpose, bucket, cell), candidates and traffic
/// (<see cref="DensityCount"/>), that every instance adds its vehicles to, and a decision key written once, atomically
/// with the counts it is based on, by a script: 0 when withheld, else the traffic count (at least the candidates).
/// Keys expire after <see cref="KeyLifetime"/>. A HyperLogLog can only undercount by collisions at the sizes that matter here
/// (k up to hundreds among 16,384 registers), which withholds, never releases, more.
/// </summary>
public sealed class RedisDensityCounter : IDensityCounter
{
    /// <summary>How long counts and decisions are kept.</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(2);

    private const string DecideScript = """
        local d = redis.call('GET', KEYS[2])
        if d then return tonumber(d) end
        local r = 0
        local n = redis.call('PFCOUNT', KEYS[1])
        if n >= tonumber(ARGV[1]) then r = math.max(n, redis.call('PFCOUNT', KEYS[3])) end
        redis.call('SET', KEYS[2], r, 'EX', ARGV[2])
        return r
        """;

    private readonly IDatabase _database;
    private readonly string _prefix;

    /// <summary>Creates a counter over <paramref name="database"/>; keys start with <paramref name="prefix"/>.</summary>
    public RedisDensityCounter(IDatabase database, string prefix = "sieve:density:")
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _prefix = prefix;
    }

    /// <inheritdoc />
    public async Task AddAsync(IReadOnlyList<DensityEntry> entries, string purpose, DensityCount count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byKey = new Dictionary<(long, long), List<RedisValue>>();
        foreach (DensityEntry e in entries)
        {
            if (!byKey.TryGetValue((e.Cell, e.Bucket), out List<RedisValue>? values))
            {
                values = [];
                byKey[(e.Cell, e.Bucket)] = values;
            }

            values.Add(BitConverter.GetBytes(e.Vehicle));
        }

        var tasks = new List<Task>(byKey.Count * 2);
        foreach (((long cell, long bucket), List<RedisValue> values) in byKey)
        {
            RedisKey key = CountKey(purpose, cell, bucket);
            key = count == DensityCount.Traffic ? key.Append(":traffic") : key;
            tasks.Add(_database.HyperLogLogAddAsync(key, [.. values]));
            tasks.Add(_database.KeyExpireAsync(key, KeyLifetime));
        }

        await Run(tasks, "add vehicles to").ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DecideAsync(IReadOnlyCollection<(long Cell, long Bucket)> cells, string purpose, int minVehicles,
        Dictionary<(long Cell, long Bucket), CellDecision> decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(decisions);
        var pending = new List<((long, long) Cell, Task<RedisResult> Result)>(cells.Count);
        RedisValue[] args = [minVehicles, (long)KeyLifetime.TotalSeconds];
        foreach ((long cell, long bucket) in cells)
        {
            RedisKey count = CountKey(purpose, cell, bucket);
            pending.Add(((cell, bucket), _database.ScriptEvaluateAsync(DecideScript, [count, count.Append(":decision"), count.Append(":traffic")], args)));
        }

        await Run(pending.Select(p => (Task)p.Result), "decide").ConfigureAwait(false);
        foreach (((long, long) cell, Task<RedisResult> result) in pending)
        {
            // Before the traffic count a released decision was stored as 1: released, with no count to publish.
            long stored = (long)result.Result;
            decisions[cell] = stored > 0 ? new CellDecision(true, stored >= minVehicles ? stored : 0) : default;
        }
    }

    private RedisKey CountKey(string purpose, long cell, long bucket) =>
        // One hash tag per (purpose, bucket, cell): the count and its decision live on one cluster slot.
        $"{_prefix}{{{purpose}:{bucket}:{GeohashCells.ToGeohash(cell)}}}";

    private static async Task Run(IEnumerable<Task> tasks, string what)
    {
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw new DensityUnavailableException($"Redis could not {what} the density counts ({e.GetType().Name}).", e);
        }
    }
}
