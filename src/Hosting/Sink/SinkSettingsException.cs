namespace Sieve.Hosting.Sink;

/// <summary>A configuration value that is missing or wrong. The message names the key and the fix.</summary>
public sealed class SinkSettingsException(string message) : Exception(message);
