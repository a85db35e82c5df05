using Sieve.Core.Pipeline;
using Sieve.Core.Lake;

namespace Sieve.Core.Landing;

/// <summary>What one topic partition has delivered since its last flush: the offset range, rows by event hour, and bad messages.</summary>
internal sealed class PartitionBuffer(LakeTable table, int partition)
{
    private readonly SortedDictionary<DateTime, List<DecodedRow>> _hours = [];

    public LakeTable Table { get; } = table;

    public int Partition { get; } = partition;

    /// <summary>First offset buffered; -1 before any.</summary>
    public long FirstOffset { get; private set; } = -1;

    /// <summary>Last offset buffered, inclusive.</summary>
    public long LastOffset { get; private set; } = -1;

    /// <summary>Messages buffered (rows, bad messages and rows that may yet be dropped as erased).</summary>
    public int Count { get; private set; }

    /// <summary>Estimated encoded size of what is buffered, in bytes (see <see cref="LakeSizeEstimate"/>).</summary>
    public long EstimatedBytes { get; private set; }

    public List<(long Offset, QuarantineReason Reason)> Quarantined { get; } = [];

    public IEnumerable<KeyValuePair<DateTime, List<DecodedRow>>> Hours => _hours;

    /// <summary>Counts the message at <paramref name="offset"/>, of <paramref name="estimatedBytes"/> once written.</summary>
    public void Track(long offset, int estimatedBytes)
    {
        if (FirstOffset < 0)
        {
            FirstOffset = offset;
        }

        LastOffset = offset;
        Count++;
        EstimatedBytes += estimatedBytes;
    }

    public void Add(DecodedRow row)
    {
        DateTime t = row.EventTimeUtc;
        var hour = new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc);
        if (!_hours.TryGetValue(hour, out List<DecodedRow>? rows))
        {
            rows = [];
            _hours[hour] = rows;
        }

        rows.Add(row);
    }
}
