using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sieve.Hosting.Observability;

namespace Sieve.Hosting;

/// <summary>
/// How long a stop waits for a service's loops, whatever Kafka does. Once a stop is requested, each loop finishes
/// what it holds (the Minimizer's batch in flight, the Sink's buffered rows and their offset commit) and closes its
/// consumers; with Kafka reachable that takes about a second. A Kafka call can block far longer while Kafka is
/// unreachable (a consumer's close waits for its final commit and its group coordinator, and a blocked native call
/// cannot be cancelled), so the service waits at most <see cref="Wait"/> and then stops without those loops: what
/// they had not committed stays uncommitted and is read again at the next start.
/// </summary>
internal static class ServiceStop
{
    /// <summary>How long a stop waits for the loops once it was requested: 10 s, well within the host's shutdown timeout.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Waits for <paramref name="loops"/>: without a bound until <paramref name="stoppingToken"/> is cancelled, then at
    /// most <see cref="Wait"/>. True when they finished (a failure among them is thrown), false when the wait ran out.
    /// </summary>
    /// <param name="loops">The service's loops, as one task.</param>
    /// <param name="stoppingToken">Cancelled when the stop is requested.</param>
    /// <param name="time">The clock of the wait; <see cref="TimeProvider.System"/> when null.</param>
    public static async Task<bool> WaitAsync(Task loops, CancellationToken stoppingToken, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(loops);

        // The wait's timer starts in the stop request's callback, so it runs from the moment of the stop.
        using var giveUp = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time ?? TimeProvider.System);
        using (stoppingToken.Register(static s => ((CancellationTokenSource)s!).CancelAfter(Wait), giveUp))
        {
            var gaveUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using (giveUp.Token.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), gaveUp))
            {
                await Task.WhenAny(loops, gaveUp.Task).ConfigureAwait(false);
            }
        }

        if (!loops.IsCompleted)
        {
            // The loops run on; their failures, if any, are not waited for.
            _ = loops.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return false;
        }

        await loops.ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Runs a service until it is stopped: waits for <paramref name="loops"/> until <paramref name="stoppingToken"/> is
    /// cancelled, then at most <see cref="Wait"/> (see <see cref="WaitAsync"/>). A loop that ends before the stop has
    /// failed, whether it threw or returned: the process must not run on with the others alone (a Sink landing rows
    /// while erasures wait unseen, a loader keeping a Minimizer alive while nothing is minimized), so the service logs
    /// which loop and why, sets exit code 1 and stops. True when the loops finished, false when the wait ran out.
    /// </summary>
    /// <param name="loops">The service's loops, named as the log should name them.</param>
    /// <param name="service">The service's name in the log, as its sentence reads: "sink" gives "The sink's erasure worker stopped …".</param>
    /// <param name="logger">Where the failure is logged.</param>
    /// <param name="lifetime">Stopped when a loop fails.</param>
    /// <param name="stoppingToken">Cancelled when the stop is requested.</param>
    public static async Task<bool> RunAsync(IReadOnlyList<(string Name, Task Loop)> loops, string service, ILogger logger, IHostApplicationLifetime lifetime,
        CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(loops);
        ArgumentNullException.ThrowIfNull(lifetime);
        Task stopped = Task.Delay(Timeout.Infinite, stoppingToken);
        Task ended = await Task.WhenAny(loops.Select(l => l.Loop).Append(stopped)).ConfigureAwait(false);
        Task? failed = null;
        if (ended != stopped && !stoppingToken.IsCancellationRequested)
        {
            failed = ended;
            (string loop, _) = loops.First(l => l.Loop == ended);
            // Exception types and messages of the loops name no subject: they are written for this log.
            Exception? failure = ended.Exception?.GetBaseException();
            ServiceLog.LoopEnded(logger, service, loop, failure?.GetType().Name ?? "no exception", failure?.Message ?? "it returned");
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }

        return await WaitAsync(Task.WhenAll(loops.Select(l => l.Loop).Where(t => t != failed)), stoppingToken).ConfigureAwait(false);
    }

    /// <summary>The names of the loops in <paramref name="loops"/> that have not finished, joined with commas.</summary>
    public static string Unfinished(IReadOnlyList<(string Name, Task Loop)> loops) =>
        string.Join(", ", loops.Where(l => !l.Loop.IsCompleted).Select(l => l.Name));
}
