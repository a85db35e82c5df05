namespace Sieve.Core.Devices;

/// <summary>
/// Which Teltonika units may connect, and the VIN of the vehicle each one is fitted to. Asked once per connection,
/// after the unit sent its IMEI. Implementations never log or put the IMEI or VIN into exception messages.
/// </summary>
public interface IDeviceRegistry
{
    /// <summary>
    /// Whether the unit with <paramref name="imei"/> (15 digits, already Luhn-checked by the caller) may send data.
    /// </summary>
    /// <exception cref="DeviceRegistryUnavailableException">The registry could not answer; the caller neither accepts nor rejects the unit.</exception>
    ValueTask<bool> IsAllowedAsync(string imei, CancellationToken cancellationToken);

    /// <summary>
    /// The normalized VIN registered for <paramref name="imei"/>, or null when none is (or the registered one is not
    /// a valid VIN).
    /// </summary>
    /// <exception cref="DeviceRegistryUnavailableException">The registry could not answer.</exception>
    ValueTask<string?> TryGetVinAsync(string imei, CancellationToken cancellationToken);
}
