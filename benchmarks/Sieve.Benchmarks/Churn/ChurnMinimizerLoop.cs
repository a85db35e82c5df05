using System.Collections.Concurrent;
using System.Diagnostics;
using Sieve.Core.Consent;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Benchmarks.Churn;

/// <summary>
/// The minimizer's worker, as the Kafka engine runs it: events in batches through <see cref="MinimizerCore.Process"/>;
/// on a near-cache miss, one pipelined <see cref="ConsentCache.FetchAsync"/> of every key the rest of the batch
/// misses, then the event again. Between batches it processes one event of each subject whose consent change was
/// acknowledged and not yet seen (their misses fetched together, as a batch's are), and records the time from the write to the first look-up that decides by it.
/// </summary>
internal sealed class ChurnMinimizerLoop
{
    private const int BatchSize = 256;
    private const int MaxConsecutiveMisses = 8;
    private const int MaxConsecutiveTimeouts = 20;

    private readonly MinimizerCore _core;
    private readonly ConsentCache _cache;
    private readonly byte[][] _stream;
    private readonly byte[][] _subjectEvents;
    private readonly int[] _pending;
    private readonly ConcurrentQueue<PendingChange> _acknowledged;
    private readonly int _personalizationPlan;
    private readonly Outcome[] _outcomes;
    private readonly Outcome[] _lookAheadOutcomes;
    private readonly List<PendingChange> _watching = [];
    private readonly List<PendingChange> _stillOld = [];
    private int _next;

    /// <summary>Creates the loop over <paramref name="stream"/> (cycled) and one event per subject.</summary>
    public ChurnMinimizerLoop(MinimizerCore core, ConsentCache cache, byte[][] stream, byte[][] subjectEvents, int[] pending,
        ConcurrentQueue<PendingChange> acknowledged)
    {
        _core = core;
        _cache = cache;
        _stream = stream;
        _subjectEvents = subjectEvents;
        _pending = pending;
        _acknowledged = acknowledged;
        _personalizationPlan = core.Plans.Select((p, i) => (p, i)).Single(x => x.p.Name == "personalization").i;
        _outcomes = new Outcome[core.Plans.Count];
        _lookAheadOutcomes = new Outcome[core.Plans.Count];
    }

    /// <summary>Stream events processed.</summary>
    public long Events { get; private set; }

    /// <summary>Events of changed subjects processed to watch for enforcement.</summary>
    public long WatchEvents { get; private set; }

    /// <summary>Fetches the store did not answer within its operation timeout (the events were retried).</summary>
    public long FailedFetches { get; private set; }

    /// <summary>Write-to-enforcement times, in <see cref="Stopwatch"/> ticks.</summary>
    public List<long> EnforcementLatencies { get; } = [];

    /// <summary>Acknowledged changes not yet seen enforced.</summary>
    public int Unenforced => _watching.Count + _acknowledged.Count;

    /// <summary>Processes the whole stream once (warm-up: subject cache and near-cache filled).</summary>
    public void ProcessStreamOnce()
    {
        for (int start = 0; start < _stream.Length; start += BatchSize)
        {
            ProcessBatch(_stream, start, Math.Min(BatchSize, _stream.Length - start));
        }
    }

    /// <summary>Runs until <paramref name="stop"/> is set.</summary>
    public void Run(ManualResetEventSlim stop)
    {
        while (!stop.IsSet)
        {
            int count = Math.Min(BatchSize, _stream.Length - _next);
            ProcessBatch(_stream, _next, count);
            Events += count;
            _next = _next + count == _stream.Length ? 0 : _next + count;
            WatchChanges();
        }
    }

    private void WatchChanges()
    {
        while (_acknowledged.TryDequeue(out PendingChange change))
        {
            _watching.Add(change);
        }

        if (_watching.Count == 0)
        {
            return;
        }

        // As for a batch: the keys every watched event misses go to the store in one pipelined fetch.
        HashSet<string>? missing = null;
        foreach (PendingChange change in _watching)
        {
            if (_core.Process(InputKind.Telematics, _subjectEvents[change.Subject], null, _lookAheadOutcomes, out _, out string? key) == ProcessStatus.NeedsConsent)
            {
                (missing ??= new HashSet<string>(StringComparer.Ordinal)).Add(key!);
            }
        }

        if (missing is not null)
        {
            Fetch(missing);
        }

        _stillOld.Clear();
        foreach (PendingChange change in _watching)
        {
            Process(_subjectEvents[change.Subject], null, -1);
            WatchEvents++;
            if (_outcomes[_personalizationPlan] == change.Expected)
            {
                EnforcementLatencies.Add(Stopwatch.GetTimestamp() - change.IssuedAt);
                Volatile.Write(ref _pending[change.Subject], 0);
            }
            else
            {
                _stillOld.Add(change);
            }
        }

        _watching.Clear();
        _watching.AddRange(_stillOld);
    }

    private void ProcessBatch(byte[][] batch, int start, int count)
    {
        for (int i = start; i < start + count; i++)
        {
            Process(batch[i], batch, i + 1 < start + count ? i + 1 : -1, start + count);
        }
    }

    private void Process(byte[] message, byte[][]? batch, int lookAheadFrom, int end = 0)
    {
        int timeouts = 0;
        for (int misses = 0; ; misses++)
        {
            ProcessStatus status = _core.Process(InputKind.Telematics, message, null, _outcomes, out _, out string? consentKey);
            if (status == ProcessStatus.Processed)
            {
                return;
            }

            if (status == ProcessStatus.Quarantined || misses == MaxConsecutiveMisses)
            {
                throw new InvalidOperationException($"A synthetic event was {status} after {misses} consent fetches.");
            }

            var keys = new HashSet<string>(StringComparer.Ordinal) { consentKey! };
            if (batch is not null && lookAheadFrom >= 0)
            {
                for (int j = lookAheadFrom; j < end; j++)
                {
                    if (_core.Process(InputKind.Telematics, batch[j], null, _lookAheadOutcomes, out _, out string? key) == ProcessStatus.NeedsConsent)
                    {
                        keys.Add(key!);
                    }
                }
            }

            if (!Fetch(keys))
            {
                // A timed-out fetch is retried without counting as a miss, up to a bound, so a dead store ends the run.
                if (++timeouts > MaxConsecutiveTimeouts)
                {
                    throw new InvalidOperationException($"The consent store timed out {timeouts} times in a row.");
                }

                misses--;
            }
        }
    }

    /// <summary>Fetches into the near-cache; false when the store did not answer in time (nothing is forwarded on a guess, and the event is retried).</summary>
    private bool Fetch(IReadOnlyCollection<string> keys)
    {
        try
        {
            _cache.FetchAsync(keys).GetAwaiter().GetResult();
            return true;
        }
        catch (ConsentUnavailableException)
        {
            FailedFetches++;
            return false;
        }
    }
}
