using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Benchmarks.Workload;

/// <summary>A sink that keeps a copy of every record, with its purpose, for comparing two implementations' output.</summary>
internal sealed class RecordingSink : IMinimizedRecordSink
{
    /// <summary>The records in the order they were forwarded.</summary>
    public List<(string Purpose, byte[] Key, byte[] Value)> Records { get; } = [];

    /// <inheritdoc />
    public void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Add(plan.Name, key.ToArray(), value.ToArray());

    /// <summary>Records one forwarded record.</summary>
    public void Add(string purpose, byte[] key, byte[] value) => Records.Add((purpose, key, value));

    /// <summary>Records per purpose.</summary>
    public SortedDictionary<string, int> CountsByPurpose()
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach ((string purpose, _, _) in Records)
        {
            counts[purpose] = counts.GetValueOrDefault(purpose) + 1;
        }

        return counts;
    }
}
