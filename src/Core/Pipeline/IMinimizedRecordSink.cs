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
}
