using Microsoft.Extensions.Logging;
using Sieve.Core.Lake;
using Sieve.Core.Metrics;

namespace Sieve.Core.Retention;

/// <summary>
/// Deletes lake partitions past retention: every <c>date=</c> folder of a purpose whose date is before
/// <see cref="RetentionPolicy.FirstKeptDate"/> for that purpose's retention. Runs under the lake gate, so it never
/// races a flush, a recovery or an erasure rewrite. The clock is injectable.
/// </summary>
public sealed partial class RetentionSweeper(string root, IReadOnlyList<LakeTable> tables, LakeGate gate, SinkMetrics metrics, ILogger logger, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>What one sweep deleted.</summary>
    /// <param name="Partitions">Date folders deleted.</param>
    /// <param name="Files">Lake files in them.</param>
    public readonly record struct Result(int Partitions, int Files);

    /// <summary>Sweeps now, then every <paramref name="interval"/>, until cancelled. A failed sweep is logged and tried again next time.</summary>
    public async Task RunAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await SweepAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    LogSweepFailed(logger, e.GetType().Name);
                }

                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Deletes every date partition past its purpose's retention.</summary>
    public async Task<Result> SweepAsync(CancellationToken cancellationToken = default)
    {
        DateTimeOffset now = _time.GetUtcNow();
        int partitions = 0;
        int files = 0;
        using LakeGate.Releaser entered = await gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        foreach (LakeTable table in tables)
        {
            string directory = LakeLayout.PurposeDirectory(root, table.Purpose);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            DateOnly firstKept = RetentionPolicy.FirstKeptDate(now, table.RetentionDays);
            foreach (string dateDirectory in Directory.EnumerateDirectories(directory))
            {
                if (!LakeLayout.TryParseDateDirectory(Path.GetFileName(dateDirectory), out DateOnly date) || date >= firstKept)
                {
                    continue;
                }

                int count = Directory.EnumerateFiles(dateDirectory, "*" + LakeFileName.Extension, SearchOption.AllDirectories).Count();
                Directory.Delete(dateDirectory, recursive: true);
                partitions++;
                files += count;
                var purposeTag = new KeyValuePair<string, object?>("purpose", table.Purpose);
                metrics.RetentionDeletions.Add(1, purposeTag);
                metrics.RetentionFilesDeleted.Add(count, purposeTag);
                LogDeleted(logger, table.Purpose, date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), count, table.RetentionDays);
            }
        }

        return new Result(partitions, files);
    }

    [LoggerMessage(EventId = 5501, Level = LogLevel.Information, Message = "Retention: deleted {Purpose} date={Date} ({Files} files; kept {Days} days)")]
    private static partial void LogDeleted(ILogger logger, string purpose, string date, int files, int days);

    [LoggerMessage(EventId = 5502, Level = LogLevel.Warning, Message = "Retention sweep failed ({ExceptionType}); trying again at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, string exceptionType);
}
