namespace Sieve.Core.Teltonika.Server;

/// <summary>A Teltonika ingest setting is missing or wrong. The message names the key and the fix.</summary>
public sealed class TeltonikaConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
