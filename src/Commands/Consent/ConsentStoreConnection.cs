using Sieve.Core.Consent;
using StackExchange.Redis;

namespace Sieve.Commands.Consent;

/// <summary>How the consent commands reach the consent store in Redis named by <c>--redis</c>, and the one line they fail with.</summary>
internal static class ConsentStoreConnection
{
    /// <summary>
    /// Connects to the consent store at <paramref name="redis"/> with the layout under <paramref name="keyPrefix"/>
    /// (null: the store's default).
    /// </summary>
    /// <exception cref="CliException">--redis is not a configuration string (usage), or Redis cannot be reached (failure).</exception>
    public static async Task<RedisConsentStore> ConnectAsync(string redis, string? keyPrefix = null)
    {
        try
        {
            _ = ConfigurationOptions.Parse(redis);
        }
        catch (ArgumentException)
        {
            ThrowHelper.Usage("--redis must be HOST:PORT (a StackExchange.Redis configuration string)");
        }

        var options = new RedisConsentStoreOptions { Configuration = redis };
        if (keyPrefix is not null)
        {
            options.KeyPrefix = keyPrefix;
        }

        try
        {
            return await RedisConsentStore.ConnectAsync(options).ConfigureAwait(false);
        }
        catch (RedisException e)
        {
            return ThrowHelper.Failure<RedisConsentStore>($"cannot connect to Redis at {Shown(redis)} ({e.GetType().Name}); check that redis-server is running and --redis points at it");
        }
    }

    /// <summary>
    /// <paramref name="redis"/> as output may show it: a StackExchange.Redis configuration string can carry
    /// <c>password=</c>, which is left out.
    /// </summary>
    public static string Shown(string redis)
    {
        try
        {
            return ConfigurationOptions.Parse(redis).ToString(includePassword: false);
        }
        catch (ArgumentException)
        {
            return "(an unreadable --redis)";
        }
    }

    /// <summary>The failure a command reports when reading the store at <paramref name="redis"/> failed with <paramref name="exception"/>.</summary>
    public static CliException Unavailable(string redis, ConsentUnavailableException exception) =>
        new(ExitCodes.Failure, $"cannot read consent from Redis at {Shown(redis)}: {exception.Message.TrimEnd('.')}; check that redis-server is running and --redis points at it");
}
