using Microsoft.Extensions.Logging;

namespace Sieve.Core.Teltonika.Server;

/// <summary>
/// Log messages of the Teltonika endpoint: one per connection event, never per record. They name Kestrel's opaque
/// connection id, counts and reason codes; never an IMEI, VIN or remote address.
/// </summary>
internal static partial class TeltonikaLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: unit accepted")]
    public static partial void Accepted(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Warning, Message = "Connection {ConnectionId} closed: {Reason} (after {Packets} packets, {Records} records)")]
    public static partial void Rejected(ILogger logger, string connectionId, string reason, long packets, long records);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed: {Reason} (after {Packets} packets, {Records} records)")]
    public static partial void Closed(ILogger logger, string connectionId, string reason, long packets, long records);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Error, Message = "Connection {ConnectionId} failed with {ExceptionType}")]
    public static partial void Failed(ILogger logger, string connectionId, string exceptionType);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Warning, Message = "Connection {ConnectionId} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string connectionId, string reason);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Warning, Message = "Event ids are derived from the demo master key, whose secret is public; configure Keys:Path or SIEVE_MASTER_KEYS")]
    public static partial void DemoKey(ILogger logger);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Information, Message = "Teltonika devices: {Mode}")]
    public static partial void DeviceAdmission(ILogger logger, string mode);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Warning, Message = "Teltonika devices: {Mode}")]
    public static partial void DeviceAdmissionWarning(ILogger logger, string mode);
}
