using System.Diagnostics;

namespace Sieve.Core.Engine;

/// <summary>
/// Where one committed batch spent its time, from its first input's arrival to its commit. Instants are
/// <see cref="Stopwatch.GetTimestamp"/> values except <see cref="OldestInputMs"/> and <see cref="CommittedAtMs"/>,
/// which are Unix milliseconds (the inputs' Kafka timestamps are), so that a reader can set them against event time.
/// </summary>
public readonly record struct BatchStageTimes
{
    /// <summary>Inputs in the batch.</summary>
    public required int Inputs { get; init; }

    /// <summary>The earliest Kafka timestamp among the batch's inputs (Unix ms): when the oldest input was produced.</summary>
    public required long OldestInputMs { get; init; }

    /// <summary>When the consumer handed over the batch's first input.</summary>
    public required long FirstTaken { get; init; }

    /// <summary>When the batch closed (the consumer's part is over).</summary>
    public required long Closed { get; init; }

    /// <summary>When every input was decided and its outputs staged (consent fetches included).</summary>
    public required long Processed { get; init; }

    /// <summary>When every output was handed to the producer.</summary>
    public required long Produced { get; init; }

    /// <summary>When the transaction (or, at least once, the flush and offset commit) completed.</summary>
    public required long Committed { get; init; }

    /// <summary>When the batch's work was over: after <see cref="Committed"/>, the input offsets committed again outside the transaction where configured.</summary>
    public required long Done { get; init; }

    /// <summary>Wall-clock time of <see cref="Committed"/> (Unix ms).</summary>
    public required long CommittedAtMs { get; init; }

    /// <summary>Attempts before this one that failed and were retried (0 for most batches).</summary>
    public required int Retries { get; init; }

    /// <summary>The oldest input's wait from its production to the consumer handing it over, in milliseconds.</summary>
    public double FetchWaitMs => Math.Max(0, CommittedAtMs - Milliseconds(FirstTaken, Committed) - OldestInputMs);

    /// <summary>From the first input taken to the batch closing, in milliseconds.</summary>
    public double FillMs => Milliseconds(FirstTaken, Closed);

    /// <summary>Deciding and staging the batch, in milliseconds.</summary>
    public double ProcessMs => Milliseconds(Closed, Processed);

    /// <summary>Handing the outputs to the producer, in milliseconds.</summary>
    public double ProduceMs => Milliseconds(Processed, Produced);

    /// <summary>Committing the transaction (flushing outputs, sending offsets, ending it), in milliseconds.</summary>
    public double CommitMs => Milliseconds(Produced, Committed);

    /// <summary>Committing the offsets again outside the transaction (<see cref="MinimizerOptions.CommitOffsetsOutsideTransaction"/>), in milliseconds.</summary>
    public double OffsetCommitMs => Milliseconds(Committed, Done);

    private static double Milliseconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}

/// <summary>Told of every committed batch's <see cref="BatchStageTimes"/>, on the engine's thread; must return quickly.</summary>
public interface IBatchStageObserver
{
    /// <summary>A batch committed.</summary>
    void OnBatch(in BatchStageTimes times);
}
