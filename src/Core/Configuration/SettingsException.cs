namespace Sieve.Core.Configuration;

/// <summary>
/// A configuration value of the Ingest service is missing or wrong. The message names the key and what is expected,
/// never the value (some keys hold secrets).
/// </summary>
public sealed class SettingsException(string message) : Exception(message);
