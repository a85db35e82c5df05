using Sieve.Core.Policy;

namespace Sieve.Core.Pipeline;

/// <summary>Receives each minimized record as the core produces it.</summary>
public interface IMinimizedRecordSink
{
    /// <summary>
    /// One record for <paramref name="plan"/>. <paramref name="key"/> is the 32-byte ASCII pseudonym (the message
    /// key); <paramref name="value"/> the single-object encoded record. Both spans are only valid during the call.
    /// </summary>
    void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>
    /// A recall escrow entry for <paramref name="plan"/>'s <see cref="PurposePlan.EscrowTopic"/>: <paramref name="key"/>
    /// is the plan's pseudonym, <paramref name="value"/> the sealed record. Sinks that never reach Kafka (tools,
    /// benchmarks) ignore it. Both spans are only valid during the call.
    /// </summary>
    void Escrow(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
    }
}
