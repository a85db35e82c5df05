namespace Sieve.Core.Devices;

/// <summary>
/// The registry used when none is configured and <c>Devices:AcceptAnyValidImei</c> is not set: no unit may connect,
/// since nothing says which units belong to the fleet.
/// </summary>
public sealed class UnconfiguredDeviceRegistry : IDeviceRegistry
{
    /// <inheritdoc />
    public ValueTask<bool> IsAllowedAsync(string imei, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(imei);
        return ValueTask.FromResult(false);
    }

    /// <inheritdoc />
    public ValueTask<string?> TryGetVinAsync(string imei, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}
