using System.Globalization;
using StackExchange.Redis;

namespace Sieve.Core.Consent;

/// <summary>
/// How the consent view's positions are laid out in Redis (see <see cref="IConsentView"/>). One hash per consent
/// topic, <c>{prefix}view:{topic}</c>, with <c>parts</c> = the topic's partition count, <c>o:{partition}</c> = the
/// offset after the last record of the partition the store holds, and <c>v:{partition}</c> = the <c>run_id</c> of
/// the Redis server on which a loader last verified that partition.
/// </summary>
/// <remarks>
/// A server's <c>run_id</c> changes with every start and differs between a primary and its replicas, so a restart
/// (even one that reloads a snapshot) and a failover both leave every partition unverified until a loader has
/// compared the server's positions with its committed ones. Redis 7 replicates a script's effects, so a script may
/// read <c>INFO</c> and then write.
/// </remarks>
internal static class RedisConsentView
{
    /// <summary>
    /// Lua defining <c>advance(view, partition, expected, next)</c>: moves <c>o:{partition}</c> to <c>next</c> when
    /// the view holds at least <c>expected</c>; returns 1 when the view held it, else 0 (and leaves it alone).
    /// </summary>
    public const string AdvanceFunction = """
        local function advance(view, partition, expected, nextOffset)
          local field = 'o:' .. partition
          local held = tonumber(redis.call('HGET', view, field)) or 0
          if held < tonumber(expected) then
            return 0
          end
          if tonumber(nextOffset) > held then
            redis.call('HSET', view, field, nextOffset)
          end
          return 1
        end

        """;

    /// <summary>Moves a position past a record that changes nothing. KEYS[1] view. ARGV: [1] partition, [2] expected, [3] next. Returns 1 or 0 as <c>advance</c>.</summary>
    public const string AdvanceScript = AdvanceFunction + "return advance(KEYS[1], ARGV[1], ARGV[2], ARGV[3])";

    /// <summary>
    /// Verifies a partition. KEYS[1] view. ARGV: [1] partition, [2] partition count, [3] committed position. Returns
    /// -1 and marks the partition verified on this server when it holds the committed position; else unmarks it and
    /// returns the position it holds.
    /// </summary>
    public const string VerifyScript = """
        local runId = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
        local held = tonumber(redis.call('HGET', KEYS[1], 'o:' .. ARGV[1])) or 0
        if held < tonumber(ARGV[3]) then
          redis.call('HDEL', KEYS[1], 'v:' .. ARGV[1])
          return held
        end
        redis.call('HSET', KEYS[1], 'v:' .. ARGV[1], runId, 'parts', ARGV[2])
        return -1
        """;

    /// <summary>Reads the view's state. KEYS[1] view. Returns {partition count, partitions verified on this server}; {0, 0} when the view is missing.</summary>
    public const string StateScript = """
        local runId = string.match(redis.call('INFO', 'server'), 'run_id:(%w+)')
        local parts = tonumber(redis.call('HGET', KEYS[1], 'parts'))
        if not parts then
          return {0, 0}
        end
        local verified = 0
        for p = 0, parts - 1 do
          if redis.call('HGET', KEYS[1], 'v:' .. p) == runId then
            verified = verified + 1
          end
        end
        return {parts, verified}
        """;

    /// <summary>The view hash of <paramref name="topic"/> under <paramref name="keyPrefix"/>.</summary>
    public static RedisKey Key(string keyPrefix, string topic) => keyPrefix + "view:" + topic;

    /// <summary>A partition number as a script argument.</summary>
    public static RedisValue Partition(int partition) => partition.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses the reply of <see cref="StateScript"/>.</summary>
    public static ConsentViewState ParseState(RedisResult result)
    {
        var values = (RedisResult[])result!;
        return values.Length == 2
            ? new ConsentViewState((int)values[0], (int)values[1])
            : new ConsentViewState(0, 0);
    }
}
