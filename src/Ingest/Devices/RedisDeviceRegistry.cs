using StackExchange.Redis;

namespace Sieve.Ingest.Devices;

/// <summary>
/// A device registry in Redis: the hash <see cref="DefaultHashKey"/> maps IMEI fields to VIN values (an empty
/// value registers the unit without a vehicle). Read on every connection, so changes apply to the next connection.
/// </summary>
public sealed class RedisDeviceRegistry : IDeviceRegistry
{
    /// <summary>The hash read when none is configured.</summary>
    public const string DefaultHashKey = "sieve:devices";

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey _hashKey;
    private readonly bool _acceptUnregistered;

    /// <summary>Creates the registry over <paramref name="redis"/> (not owned).</summary>
    /// <param name="redis">The connection.</param>
    /// <param name="hashKey">The hash holding IMEI → VIN.</param>
    /// <param name="acceptUnregistered">Let Luhn-valid units that are not in the hash connect too.</param>
    public RedisDeviceRegistry(IConnectionMultiplexer redis, string hashKey = DefaultHashKey, bool acceptUnregistered = false)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrWhiteSpace(hashKey);
        _redis = redis;
        _hashKey = hashKey;
        _acceptUnregistered = acceptUnregistered;
    }

    /// <inheritdoc />
    public async ValueTask<bool> IsAllowedAsync(string imei, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imei);
        if (!ImeiCheck.IsValid(imei))
        {
            return false;
        }

        if (_acceptUnregistered)
        {
            return true;
        }

        try
        {
            return await _redis.GetDatabase().HashExistsAsync(_hashKey, imei).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Unavailable(e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<string?> TryGetVinAsync(string imei, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imei);
        RedisValue value;
        try
        {
            value = await _redis.GetDatabase().HashGetAsync(_hashKey, imei).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            throw Unavailable(e);
        }

        return value.IsNullOrEmpty ? null : RegisteredVin.Normalize(value.ToString());
    }

    // Redis error messages name commands and keys; only the error kind is passed on.
    private static DeviceRegistryUnavailableException Unavailable(Exception e) =>
        new("the Redis device registry did not answer (" + e.GetType().Name + ")");
}
