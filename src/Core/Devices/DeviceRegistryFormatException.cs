namespace Sieve.Core.Devices;

/// <summary>A device registry file is malformed. The message names the file position and the problem, never the values found there.</summary>
public sealed class DeviceRegistryFormatException(string message, Exception? inner = null) : Exception(message, inner);
