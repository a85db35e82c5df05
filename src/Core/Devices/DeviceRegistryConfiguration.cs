using Microsoft.Extensions.Configuration;

namespace Sieve.Core.Devices;

/// <summary>
/// Chooses the device registry from configuration: <c>Devices:Path</c> (a JSON or CSV file), or <c>Devices:Redis</c>
/// (a StackExchange.Redis configuration string; hash <c>Devices:RedisKey</c>, default <c>sieve:devices</c>), or
/// neither (<see cref="LuhnDeviceRegistry"/>: any Luhn-valid IMEI). With a registry, only registered units may connect
/// unless <c>Devices:AcceptUnregistered</c> is true.
/// </summary>
public static class DeviceRegistryConfiguration
{
    /// <summary>Creates the configured registry.</summary>
    /// <exception cref="ArgumentException">Both a file and Redis are configured, or a flag is not true or false.</exception>
    /// <exception cref="DeviceRegistryFormatException">The registry file is malformed.</exception>
    public static IDeviceRegistry Create(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? path = configuration["Devices:Path"];
        string? redis = configuration["Devices:Redis"];
        string? accept = configuration["Devices:AcceptUnregistered"];
        bool acceptUnregistered = false;
        if (!string.IsNullOrWhiteSpace(accept) && !bool.TryParse(accept, out acceptUnregistered))
        {
            throw new ArgumentException("Devices:AcceptUnregistered: '" + accept + "' is not true or false.", nameof(configuration));
        }

        bool hasPath = !string.IsNullOrWhiteSpace(path);
        bool hasRedis = !string.IsNullOrWhiteSpace(redis);
        if (hasPath && hasRedis)
        {
            throw new ArgumentException("Devices:Path and Devices:Redis are both set; configure one device registry.", nameof(configuration));
        }

        if (hasPath)
        {
            return FileDeviceRegistry.Load(path!, acceptUnregistered);
        }

        if (hasRedis)
        {
            string key = configuration["Devices:RedisKey"] is { Length: > 0 } k ? k : RedisDeviceRegistry.DefaultHashKey;
            return RedisDeviceRegistry.Connect(redis!, key, acceptUnregistered);
        }

        return new LuhnDeviceRegistry();
    }
}
