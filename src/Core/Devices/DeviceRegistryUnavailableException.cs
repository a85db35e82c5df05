namespace Sieve.Core.Devices;

/// <summary>The device registry's store could not answer. The message names the store and error kind, never an IMEI or VIN.</summary>
public sealed class DeviceRegistryUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
