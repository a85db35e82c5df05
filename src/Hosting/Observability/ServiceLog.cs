using Microsoft.Extensions.Logging;

namespace Sieve.Hosting.Observability;

/// <summary>
/// The one line each service logs when it has started (what it will do) and when it has stopped (what it flushed and
/// committed, and what it left uncommitted). Counts, names of topics, modules and loops only; never an identifier.
/// </summary>
internal static partial class ServiceLog
{
    [LoggerMessage(EventId = 5911, Level = LogLevel.Information,
        Message = "Ingest started: {Modules}; a device or gateway is acknowledged only after Kafka persisted its records")]
    public static partial void IngestStarted(ILogger logger, string modules);

    [LoggerMessage(EventId = 5912, Level = LogLevel.Information,
        Message = "Ingest stopped: {Records} records published and acknowledged since start, {Failed} publishes not acknowledged; no request left open")]
    public static partial void IngestStopped(ILogger logger, long records, long failed);

    [LoggerMessage(EventId = 5913, Level = LogLevel.Information,
        Message = "Minimizer stopped: {Batches} batches of {Inputs} inputs committed since start, {Quarantined} inputs quarantined; the batch in flight was committed or, if Kafka refused it, left uncommitted for the group's next owner, and the consumers were closed")]
    public static partial void MinimizerStopped(ILogger logger, long batches, long inputs, long quarantined);

    [LoggerMessage(EventId = 5915, Level = LogLevel.Warning,
        Message = "Minimizer stopped without waiting longer than {Seconds} s for Kafka: {Batches} batches of {Inputs} inputs committed since start, {Quarantined} inputs quarantined; unfinished: {Loops}; what they had not committed stays uncommitted and is read again (Kafka aborts a transaction still open when it times out or the next instance starts, or commits it if its commit had reached Kafka), and their consumers did not leave their groups")]
    public static partial void MinimizerStoppedUnfinished(ILogger logger, long batches, long inputs, long quarantined, string loops, int seconds);

    [LoggerMessage(EventId = 5917, Level = LogLevel.Critical,
        Message = "The {Service}'s {Loop} stopped ({ExceptionType}: {Problem}); stopping the service")]
    public static partial void LoopEnded(ILogger logger, string service, string loop, string exceptionType, string problem);

    [LoggerMessage(EventId = 5914, Level = LogLevel.Information,
        Message = "Sink stopped: {Rows} rows in {Files} lake files landed and {Commits} offset commits since start; buffered rows were flushed and their offsets committed (offsets Kafka refused are found by recovery at the next start), and the consumers were closed")]
    public static partial void SinkStopped(ILogger logger, long rows, long files, long commits);

    [LoggerMessage(EventId = 5916, Level = LogLevel.Warning,
        Message = "Sink stopped without waiting longer than {Seconds} s for Kafka: {Rows} rows in {Files} lake files landed and {Commits} offset commits since start; unfinished: {Loops}; rows not in a published file were not landed and are read again, published files whose offsets were not committed are found by recovery at the next start, and their consumers did not leave their groups")]
    public static partial void SinkStoppedUnfinished(ILogger logger, long rows, long files, long commits, string loops, int seconds);
}
