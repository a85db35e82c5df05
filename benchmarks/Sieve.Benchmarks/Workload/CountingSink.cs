using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Benchmarks.Workload;

/// <summary>
/// A sink that keeps nothing but reads what it is given (lengths and one byte of each span), so the JIT cannot
/// drop the work that produced the records. Stands in for the Kafka producer, which is not what is measured.
/// </summary>
internal sealed class CountingSink : IMinimizedRecordSink
{
    /// <summary>Records received.</summary>
    public long Records { get; private set; }

    /// <summary>Sum of key and value lengths plus the first byte of each.</summary>
    public long Checksum { get; private set; }

    /// <inheritdoc />
    public void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Records++;
        Checksum += key.Length + value.Length + key[0] + value[^1];
    }
}
