namespace Sieve.Core.Pipeline;

/// <summary>
/// Counts for one input partition within one batch: the offset range, inputs, each plan's outcomes and quarantine
/// reasons. For every plan, the outcomes plus the quarantined inputs equal <see cref="Inputs"/>.
/// </summary>
public sealed class PartitionTally
{
    private readonly long[] _outcomes;

    /// <summary>Creates an empty tally.</summary>
    public PartitionTally(string topic, int partition, int planCount)
    {
        Topic = topic;
        Partition = partition;
        PlanCount = planCount;
        _outcomes = new long[planCount * OutcomeNames.Count];
    }

    /// <summary>Input topic.</summary>
    public string Topic { get; }

    /// <summary>Input partition.</summary>
    public int Partition { get; }

    /// <summary>Number of purpose plans counted.</summary>
    public int PlanCount { get; }

    /// <summary>First offset counted (-1 before any).</summary>
    public long FirstOffset { get; private set; } = -1;

    /// <summary>Last offset counted, inclusive.</summary>
    public long LastOffset { get; private set; } = -1;

    /// <summary>Earliest input Kafka timestamp (Unix ms) noted; <see cref="long.MaxValue"/> before any.</summary>
    public long OldestInputTime { get; private set; } = long.MaxValue;

    /// <summary>Inputs counted.</summary>
    public long Inputs { get; private set; }

    /// <summary>Quarantined inputs by reason code.</summary>
    public Dictionary<string, long> Quarantined { get; } = new(StringComparer.Ordinal);

    /// <summary>Total quarantined inputs.</summary>
    public long QuarantinedTotal { get; private set; }

    /// <summary>How many inputs got <paramref name="outcome"/> for plan <paramref name="plan"/>.</summary>
    public long Count(int plan, Outcome outcome) => _outcomes[(plan * OutcomeNames.Count) + (int)outcome];

    /// <summary>Counts one processed input and its per-plan outcomes.</summary>
    public void AddProcessed(long offset, ReadOnlySpan<Outcome> outcomes)
    {
        Touch(offset);
        for (int i = 0; i < PlanCount; i++)
        {
            _outcomes[(i * OutcomeNames.Count) + (int)outcomes[i]]++;
        }
    }

    /// <summary>Counts one quarantined input.</summary>
    public void AddQuarantined(long offset, string reasonCode)
    {
        Touch(offset);
        QuarantinedTotal++;
        Quarantined[reasonCode] = Quarantined.GetValueOrDefault(reasonCode) + 1;
    }

    /// <summary>Notes an input's Kafka timestamp (Unix ms), for the batch's end-to-end latency.</summary>
    public void NoteInputTime(long unixMs)
    {
        if (unixMs > 0 && unixMs < OldestInputTime)
        {
            OldestInputTime = unixMs;
        }
    }

    private void Touch(long offset)
    {
        if (FirstOffset < 0)
        {
            FirstOffset = offset;
        }

        LastOffset = offset;
        Inputs++;
    }
}
