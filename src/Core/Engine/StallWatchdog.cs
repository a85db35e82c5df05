using Microsoft.Extensions.Logging;

namespace Sieve.Core.Engine;

/// <summary>
/// Watches Kafka client calls that can block past their own timeout. librdkafka's
/// <c>send_offsets_to_transaction</c> ignores its timeout while the group coordinator is unreachable, and can stay
/// blocked after the broker is back (confluentinc/librdkafka#5456, #5511: seen here after a 30-second broker
/// outage). A blocked native call cannot be cancelled from .NET, so the only way on is a new process: the watchdog
/// raises <see cref="Stalled"/> once per call that has run longer than its limit, and the service stops with an
/// error so its supervisor restarts it. Nothing is lost: a batch whose transaction did not commit is read again.
/// </summary>
public sealed partial class StallWatchdog : IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<long, (string Operation, long Started)> _running = [];
    private readonly HashSet<long> _reported = [];
    private readonly TimeProvider _time;
    private readonly long _limitTicks;
    private readonly ITimer _timer;
    private readonly ILogger? _logger;
    private long _nextId;
    private long _stalls;

    /// <summary>Creates a watchdog that checks every quarter of <paramref name="limit"/>.</summary>
    /// <param name="limit">How long a watched call may run; longer is a stall.</param>
    /// <param name="time">Clock and timer; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Receives one critical line per stall (the operation's name and how long it ran).</param>
    public StallWatchdog(TimeSpan limit, TimeProvider? time = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero);
        _time = time ?? TimeProvider.System;
        _limitTicks = (long)(limit.TotalSeconds * _time.TimestampFrequency);
        _logger = logger;
        TimeSpan period = limit / 4;
        _timer = _time.CreateTimer(static s => ((StallWatchdog)s!).Check(), this, period, period);
    }

    /// <summary>
    /// Raised, on a timer thread, once for each watched call that has run longer than the limit, with the call's
    /// name and how long it has run so far.
    /// </summary>
    public event Action<string, TimeSpan>? Stalled;

    /// <summary>Calls seen stalling so far.</summary>
    public long Stalls => Interlocked.Read(ref _stalls);

    /// <summary>Starts watching a call; dispose the result when the call returns.</summary>
    /// <param name="operation">The call's name, for the log and <see cref="Stalled"/> (never data).</param>
    public Scope Watch(string operation)
    {
        lock (_gate)
        {
            long id = ++_nextId;
            _running[id] = (operation, _time.GetTimestamp());
            return new Scope(this, id);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();

    private void End(long id)
    {
        lock (_gate)
        {
            _running.Remove(id);
            _reported.Remove(id);
        }
    }

    private void Check()
    {
        long now = _time.GetTimestamp();
        List<(string Operation, TimeSpan Elapsed)>? stalled = null;
        lock (_gate)
        {
            foreach (KeyValuePair<long, (string Operation, long Started)> call in _running)
            {
                if (now - call.Value.Started > _limitTicks && _reported.Add(call.Key))
                {
                    (stalled ??= []).Add((call.Value.Operation, _time.GetElapsedTime(call.Value.Started, now)));
                }
            }
        }

        if (stalled is null)
        {
            return;
        }

        foreach ((string operation, TimeSpan elapsed) in stalled)
        {
            Interlocked.Increment(ref _stalls);
            if (_logger is not null)
            {
                LogStalled(_logger, operation, elapsed.TotalSeconds);
            }

            Stalled?.Invoke(operation, elapsed);
        }
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Critical,
        Message = "Kafka call {Operation} has been blocked for {Seconds:0} s, past its own timeout (a known librdkafka fault after a coordinator outage); it cannot be cancelled, so this process must be restarted")]
    private static partial void LogStalled(ILogger logger, string operation, double seconds);

    /// <summary>One watched call; disposing it ends the watch.</summary>
    public readonly struct Scope : IDisposable
    {
        private readonly StallWatchdog? _owner;
        private readonly long _id;

        internal Scope(StallWatchdog owner, long id)
        {
            _owner = owner;
            _id = id;
        }

        /// <inheritdoc />
        public void Dispose() => _owner?.End(_id);
    }
}
