using Sieve.Core.Pipeline;

namespace Sieve.Core.Engine;

/// <summary>
/// Running totals of committed batches, for live views and metrics. Updated once per committed batch from the
/// same tallies the audit records carry, so the two always agree. Thread-safe to read.
/// </summary>
public sealed class MinimizerStats
{
    private readonly long[] _outcomes;
    private readonly Dictionary<string, long> _quarantined = new(StringComparer.Ordinal);
    private long _inputs;
    private long _batches;
    private long _retries;
    private long _abandoned;
    private long _consentFailures;
    private long _registryFailures;
    private long _kafkaFailures;
    private long _kafkaErrors;
    private int _paused;

    /// <summary>Creates totals for <paramref name="planNames"/>.</summary>
    public MinimizerStats(IReadOnlyList<string> planNames)
    {
        PlanNames = planNames;
        _outcomes = new long[planNames.Count * OutcomeNames.Count];
    }

    /// <summary>Purpose names, in plan order.</summary>
    public IReadOnlyList<string> PlanNames { get; }

    /// <summary>Inputs in committed batches.</summary>
    public long Inputs => Interlocked.Read(ref _inputs);

    /// <summary>Committed batches.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Batches retried after Redis or Kafka failures.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>
    /// Batches whose outputs were produced and then aborted because this instance lost their partitions meanwhile;
    /// the partitions' next owner reads them again.
    /// </summary>
    public long Abandoned => Interlocked.Read(ref _abandoned);

    /// <summary>Batch attempts that failed because the consent store (Redis) could not answer.</summary>
    public long ConsentFailures => Interlocked.Read(ref _consentFailures);

    /// <summary>Batch attempts that failed because the Schema Registry could not give a raw input's writer schema.</summary>
    public long RegistryFailures => Interlocked.Read(ref _registryFailures);

    /// <summary>Batch attempts that failed because Kafka refused the outputs or the commit.</summary>
    public long KafkaFailures => Interlocked.Read(ref _kafkaFailures);

    /// <summary>Errors the Kafka clients reported (connection losses, broker errors), whether or not a batch failed.</summary>
    public long KafkaErrors => Interlocked.Read(ref _kafkaErrors);

    /// <summary>True while processing is paused because consent cannot be known.</summary>
    public bool Paused => Volatile.Read(ref _paused) == 1;

    /// <summary>Committed count of <paramref name="outcome"/> for plan <paramref name="plan"/>.</summary>
    public long Count(int plan, Outcome outcome) => Interlocked.Read(ref _outcomes[(plan * OutcomeNames.Count) + (int)outcome]);

    /// <summary>How many inputs got <paramref name="outcome"/>, over every plan.</summary>
    public long Total(Outcome outcome)
    {
        long total = 0;
        for (int p = 0; p < PlanNames.Count; p++)
        {
            total += Count(p, outcome);
        }

        return total;
    }

    /// <summary>Committed quarantine counts by reason.</summary>
    public IReadOnlyDictionary<string, long> Quarantined
    {
        get
        {
            lock (_quarantined)
            {
                return new Dictionary<string, long>(_quarantined);
            }
        }
    }

    /// <summary>Total quarantined inputs.</summary>
    public long QuarantinedTotal
    {
        get
        {
            lock (_quarantined)
            {
                long total = 0;
                foreach (long v in _quarantined.Values)
                {
                    total += v;
                }

                return total;
            }
        }
    }

    internal void SetPaused(bool paused) => Volatile.Write(ref _paused, paused ? 1 : 0);

    internal void AddRetry() => Interlocked.Increment(ref _retries);

    internal void AddAbandoned() => Interlocked.Increment(ref _abandoned);

    internal void AddConsentFailure() => Interlocked.Increment(ref _consentFailures);

    internal void AddRegistryFailure() => Interlocked.Increment(ref _registryFailures);

    internal void AddKafkaFailure() => Interlocked.Increment(ref _kafkaFailures);

    internal void AddKafkaError() => Interlocked.Increment(ref _kafkaErrors);

    internal void AddCommitted(IEnumerable<PartitionTally> tallies)
    {
        Interlocked.Increment(ref _batches);
        foreach (PartitionTally tally in tallies)
        {
            Interlocked.Add(ref _inputs, tally.Inputs);
            for (int p = 0; p < tally.PlanCount && p < PlanNames.Count; p++)
            {
                for (int o = 0; o < OutcomeNames.Count; o++)
                {
                    Interlocked.Add(ref _outcomes[(p * OutcomeNames.Count) + o], tally.Count(p, (Outcome)o));
                }
            }

            if (tally.Quarantined.Count > 0)
            {
                lock (_quarantined)
                {
                    foreach (KeyValuePair<string, long> pair in tally.Quarantined)
                    {
                        _quarantined[pair.Key] = _quarantined.GetValueOrDefault(pair.Key) + pair.Value;
                    }
                }
            }
        }
    }
}
