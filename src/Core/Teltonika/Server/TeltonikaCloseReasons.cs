namespace Sieve.Core.Teltonika.Server;

/// <summary>Reason codes for closed connections (log messages and the <c>reason</c> tag of the rejects metric), besides the parser's status codes.</summary>
public static class TeltonikaCloseReasons
{
    /// <summary>Too many open connections from the remote address.</summary>
    public const string ConnectionLimit = "connection-limit";

    /// <summary>The endpoint holds its maximum of open connections (<c>Ingest:Teltonika:MaxConnections</c>).</summary>
    public const string MaxConnections = "max-connections";

    /// <summary>Nothing was received for the idle timeout.</summary>
    public const string IdleTimeout = "idle-timeout";

    /// <summary>The IMEI does not pass the Luhn check; the unit got 00.</summary>
    public const string ImeiInvalid = "imei-invalid-checksum";

    /// <summary>The registry does not allow the unit; it got 00.</summary>
    public const string ImeiNotAllowed = "imei-not-allowed";

    /// <summary>The registry could not answer; the unit got no reply and will reconnect.</summary>
    public const string RegistryUnavailable = "registry-unavailable";

    /// <summary>The unit closed the connection inside its opening message.</summary>
    public const string HandshakeIncomplete = "handshake-incomplete";

    /// <summary>The unit closed the connection inside a packet.</summary>
    public const string TruncatedFrame = "truncated-frame";

    /// <summary>Kafka did not persist every record of a packet; no acknowledgement was sent, so the unit resends.</summary>
    public const string KafkaUnavailable = "kafka-unavailable";

    /// <summary>An unexpected failure; the packet in hand (if any) was not acknowledged.</summary>
    public const string InternalError = "internal-error";

    /// <summary>The unit closed the connection between packets (normal).</summary>
    public const string ClosedByUnit = "closed-by-unit";

    /// <summary>The connection was reset or aborted (including server shutdown).</summary>
    public const string ConnectionLost = "connection-lost";
}
