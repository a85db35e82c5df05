using StackExchange.Redis;

namespace Sieve.Core.Devices;

/// <summary>
/// A device registry in Redis: the hash <see cref="DefaultHashKey"/> maps IMEI fields to VIN values (an empty
/// value registers the unit without a vehicle). Read on every connection, so changes apply to the next connection.
/// </summary>
public sealed class RedisDeviceRegistry : IDeviceRegistry, IDisposable
{
    /// <summary>The hash read when none is configured.</summary>
    public const string DefaultHashKey = "sieve:devices";

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey _hashKey;
    private readonly bool _acceptUnregistered;
    private readonly bool _ownsConnection;

    /// <summary>Creates the registry over <paramref name="redis"/>.</summary>
    /// <param name="redis">The connection.</param>
    /// <param name="hashKey">The hash holding IMEI → VIN.</param>
    /// <param name="acceptUnregistered">Let Luhn-valid units that are not in the hash connect too.</param>
    /// <param name="ownsConnection">Dispose <paramref name="redis"/> with the registry.</param>
    public RedisDeviceRegistry(IConnectionMultiplexer redis, string hashKey = DefaultHashKey, bool acceptUnregistered = false, bool ownsConnection = false)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentException.ThrowIfNullOrWhiteSpace(hashKey);
        _redis = redis;
        _hashKey = hashKey;
        _acceptUnregistered = acceptUnregistered;
        _ownsConnection = ownsConnection;
    }

    /// <summary>
    /// Connects to Redis with <paramref name="configuration"/> (a StackExchange.Redis configuration string) without
    /// failing when it is down at start-up: lookups then fail until it is reachable.
    /// </summary>
    public static RedisDeviceRegistry Connect(string configuration, string hashKey = DefaultHashKey, bool acceptUnregistered = false)
    {
        ConfigurationOptions options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        return new RedisDeviceRegistry(ConnectionMultiplexer.Connect(options), hashKey, acceptUnregistered, ownsConnection: true);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsConnection)
        {
            _redis.Dispose();
        }
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
