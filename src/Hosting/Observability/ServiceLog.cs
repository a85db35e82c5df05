using Microsoft.Extensions.Logging;

namespace Sieve.Hosting.Observability;

/// <summary>
/// The one line each service logs when it has started (what it will do) and when it has stopped (what it flushed and
/// committed). Counts, names of topics and modules only; never an identifier.
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
        Message = "Minimizer stopped: {Batches} batches of {Inputs} inputs committed since start, {Quarantined} inputs quarantined; the batch in flight was finished and the consumer group left")]
    public static partial void MinimizerStopped(ILogger logger, long batches, long inputs, long quarantined);

    [LoggerMessage(EventId = 5914, Level = LogLevel.Information,
        Message = "Sink stopped: {Rows} rows in {Files} lake files landed and {Commits} offset commits since start; buffered rows were flushed and committed and the consumer group left")]
    public static partial void SinkStopped(ILogger logger, long rows, long files, long commits);
}
