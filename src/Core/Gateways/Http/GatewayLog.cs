using Microsoft.Extensions.Logging;

namespace Sieve.Core.Gateways.Http;

/// <summary>
/// The gateway endpoints' log events. They carry endpoint names, statuses, reason codes, counts and configured
/// gateway ids only: never a request body, an identifier, or a value taken from an unauthenticated request.
/// </summary>
internal static partial class GatewayLog
{
    /// <summary>Records were acknowledged by Kafka and the gateway got a 202.</summary>
    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "{Endpoint}: accepted {Count} record(s) from gateway {GatewayId}")]
    public static partial void Accepted(ILogger logger, string endpoint, int count, string gatewayId);

    /// <summary>A request was refused with a 4xx.</summary>
    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "{Endpoint}: refused with {Status} {Reason} (gateway {GatewayId})")]
    public static partial void Refused(ILogger logger, string endpoint, int status, string reason, string gatewayId);

    /// <summary>Kafka did not acknowledge; the gateway got a 503 and will resend.</summary>
    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "{Endpoint}: Kafka did not acknowledge {Count} record(s) from gateway {GatewayId}, answered 503: {Detail}")]
    public static partial void KafkaUnavailable(ILogger logger, string endpoint, int count, string gatewayId, string detail);

    /// <summary>An unexpected failure; only the exception type is logged (a message could quote input).</summary>
    [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "{Endpoint}: unexpected {ExceptionType}, answered 500")]
    public static partial void Unexpected(ILogger logger, string endpoint, string exceptionType);

    /// <summary>Placeholder for the gateway id when the request is not (yet) attributed to a configured gateway.</summary>
    public const string Unattributed = "-";
}
