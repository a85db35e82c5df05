using System.Collections.Concurrent;
using System.Diagnostics;
using Sieve.Benchmarks.Workload;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Core.Pipeline;

namespace Sieve.Benchmarks.Churn;

/// <summary>
/// Writes consent changes at a steady rate through <see cref="RedisConsentStore.ApplyAsync"/> (the consent loader's
/// path: compare-and-set plus the invalidation publish, in one script), as a stream of grants and withdrawals of
/// personalization by random subjects. A subject gets a new change only once its previous one was seen enforced (never again after a failed write).
/// Each acknowledged change is handed to the minimizer loop to watch for.
/// </summary>
internal sealed class ConsentChanger
{
    private const int MaxWritesInFlight = 20_000;

    private readonly RedisConsentStore _writer;
    private readonly IReadOnlyList<string> _consentKeys;
    private readonly ConsentState[] _state;
    private readonly int[] _pending;
    private readonly ConcurrentQueue<PendingChange> _acknowledged;
    private readonly int _personalization = KnownPurposes.IndexOf(KnownPurposes.Personalization);
    private readonly Random _random = new(7);
    private readonly List<long> _ackLatencies = [];
    private readonly Lock _ackGate = new();
    private long _effective = SyntheticPopulation.ConsentEffectiveMillis + 86_400_000;
    private int _inFlight;
    private long _failed;

    /// <summary>Creates the changer over the population's subjects and their current personalization state.</summary>
    public ConsentChanger(RedisConsentStore writer, IReadOnlyList<string> consentKeys, ConsentState[] personalizationState, int[] pending,
        ConcurrentQueue<PendingChange> acknowledged)
    {
        _writer = writer;
        _consentKeys = consentKeys;
        _state = personalizationState;
        _pending = pending;
        _acknowledged = acknowledged;
    }

    /// <summary>Changes written (issued).</summary>
    public long Issued { get; private set; }

    /// <summary>Changes skipped because too many writes were in flight.</summary>
    public long Skipped { get; private set; }

    /// <summary>Writes that failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Write-to-acknowledgement times, in <see cref="Stopwatch"/> ticks.</summary>
    public List<long> AckLatencies
    {
        get
        {
            lock (_ackGate)
            {
                return [.. _ackLatencies];
            }
        }
    }

    /// <summary>Issues changes at <paramref name="perSecond"/> until <paramref name="stop"/> is set, catching up after any pause.</summary>
    public void Run(int perSecond, ManualResetEventSlim stop)
    {
        long started = Stopwatch.GetTimestamp();
        while (!stop.IsSet)
        {
            long due = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * perSecond);
            while (Issued + Skipped < due)
            {
                if (Volatile.Read(ref _inFlight) >= MaxWritesInFlight)
                {
                    Skipped++;
                    continue;
                }

                IssueOne();
            }

            // Pacing, not synchronization: the next millisecond's share of changes.
            stop.Wait(1);
        }
    }

    private void IssueOne()
    {
        int subject;
        do
        {
            subject = _random.Next(_consentKeys.Count);
        }
        while (Interlocked.CompareExchange(ref _pending[subject], 1, 0) != 0);

        bool grant = _state[subject] != ConsentState.Granted;
        _state[subject] = grant ? ConsentState.Granted : ConsentState.Withdrawn;
        var update = new ConsentUpdate(_consentKeys[subject], _personalization, grant, ++_effective, PopulationConsent.PolicyVersion, minor: false);
        var change = new PendingChange(subject, grant ? Outcome.Forwarded : Outcome.WithheldWithdrawn, Stopwatch.GetTimestamp());
        Issued++;
        Interlocked.Increment(ref _inFlight);
        _ = _writer.ApplyAsync(update).ContinueWith(
            (t, state) => ((ConsentChanger)state!).OnWritten(t, change), this,
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnWritten(Task<bool> write, PendingChange change)
    {
        Interlocked.Decrement(ref _inFlight);
        if (!write.IsCompletedSuccessfully || !write.Result)
        {
            // Nothing to enforce, and the subject's state here may no longer match Redis: it stays out of the run.
            Interlocked.Increment(ref _failed);
            return;
        }

        lock (_ackGate)
        {
            _ackLatencies.Add(Stopwatch.GetTimestamp() - change.IssuedAt);
        }

        _acknowledged.Enqueue(change);
    }
}
