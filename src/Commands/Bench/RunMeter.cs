using System.Diagnostics;

namespace Sieve.Commands.Bench;

/// <summary>
/// Times a throughput run and counts what the process allocated meanwhile, from the first committed batch (group
/// join, first fetches and cold caches are behind it) to the commit that completes the run's inputs. Called from
/// the committing thread, once per batch.
/// </summary>
public sealed class RunMeter(long target)
{
    private long _committed;
    private long _startTimestamp;
    private long _startAllocated;
    private long _startInputs;
    private int _startGen0;
    private int _startGen2;

    /// <summary>Inputs committed so far.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>True once every input is committed.</summary>
    public bool Done => Committed >= target;

    /// <summary>Inputs measured: those committed after the first batch.</summary>
    public long MeasuredInputs { get; private set; }

    /// <summary>Time from the first batch's commit to the last one's.</summary>
    public TimeSpan Elapsed { get; private set; }

    /// <summary>Bytes the whole process allocated over <see cref="Elapsed"/>.</summary>
    public long AllocatedBytes { get; private set; }

    /// <summary>Gen 0 collections over <see cref="Elapsed"/>.</summary>
    public int Gen0Collections { get; private set; }

    /// <summary>Gen 2 collections over <see cref="Elapsed"/>.</summary>
    public int Gen2Collections { get; private set; }

    /// <summary>Inputs per second over the measured span; 0 when nothing was measured.</summary>
    public double Rate => Elapsed > TimeSpan.Zero ? MeasuredInputs / Elapsed.TotalSeconds : 0;

    /// <summary>Bytes allocated per measured input; 0 when nothing was measured.</summary>
    public double BytesPerInput => MeasuredInputs > 0 ? (double)AllocatedBytes / MeasuredInputs : 0;

    /// <summary>Records a committed batch of <paramref name="inputs"/> inputs.</summary>
    public void OnCommitted(long inputs)
    {
        long before = _committed;
        long now = Interlocked.Add(ref _committed, inputs);
        if (before == 0)
        {
            _startTimestamp = Stopwatch.GetTimestamp();
            _startAllocated = GC.GetTotalAllocatedBytes(precise: true);
            _startGen0 = GC.CollectionCount(0);
            _startGen2 = GC.CollectionCount(2);
            _startInputs = now;
            return;
        }

        if (before < target && now >= target)
        {
            Elapsed = Stopwatch.GetElapsedTime(_startTimestamp);
            AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - _startAllocated;
            Gen0Collections = GC.CollectionCount(0) - _startGen0;
            Gen2Collections = GC.CollectionCount(2) - _startGen2;
            MeasuredInputs = now - _startInputs;
        }
    }
}
