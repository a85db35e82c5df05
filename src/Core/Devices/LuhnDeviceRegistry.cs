namespace Sieve.Core.Devices;

/// <summary>
/// The registry used when none is configured: every unit whose IMEI passes the Luhn check may connect, and no VIN
/// is known (records then carry the VIN only when the unit reports one).
/// </summary>
public sealed class LuhnDeviceRegistry : IDeviceRegistry
{
    /// <inheritdoc />
    public ValueTask<bool> IsAllowedAsync(string imei, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imei);
        return ValueTask.FromResult(ImeiCheck.IsValid(imei));
    }

    /// <inheritdoc />
    public ValueTask<string?> TryGetVinAsync(string imei, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}
