namespace Sieve.Hosting.Observability;

/// <summary>
/// A setting of the operations endpoints or the log format is missing or wrong. The message is one line naming the
/// key and the problem, never the value.
/// </summary>
public sealed class OpsSettingsException(string message) : Exception(message);
