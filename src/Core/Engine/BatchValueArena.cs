using Confluent.Kafka;

namespace Sieve.Core.Engine;

/// <summary>
/// A value deserializer that copies each consumed value into one growable arena instead of a new byte[] per
/// message. The arena holds a whole batch: values stay readable (<see cref="Value"/>) until <see cref="Reset"/>,
/// which the engine calls before it fills the next batch. Not thread-safe: used by the consuming thread only.
/// </summary>
internal sealed class BatchValueArena : IDeserializer<ConsumedValue>
{
    private byte[] _arena;
    private int _used;

    /// <summary>Creates an arena of <paramref name="initialBytes"/> bytes; it doubles when a batch needs more.</summary>
    public BatchValueArena(int initialBytes = 4 << 20) => _arena = new byte[initialBytes];

    /// <summary>Bytes in use by the current batch.</summary>
    public int Used => _used;

    /// <inheritdoc />
    public ConsumedValue Deserialize(ReadOnlySpan<byte> data, bool isNull, SerializationContext context)
    {
        if (isNull)
        {
            return new ConsumedValue(-1, 0);
        }

        if (_arena.Length - _used < data.Length)
        {
            // Growing keeps earlier values: a ConsumedValue is an index, not a reference into the old array.
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _used + data.Length));
        }

        int start = _used;
        data.CopyTo(_arena.AsSpan(start));
        _used += data.Length;
        return new ConsumedValue(start, data.Length);
    }

    /// <summary>The bytes of <paramref name="value"/>; empty for a null value.</summary>
    public ReadOnlySpan<byte> Value(ConsumedValue value) => value.Start < 0 ? default : _arena.AsSpan(value.Start, value.Length);

    /// <summary>Forgets every value; call only when no <see cref="ConsumedValue"/> of the previous batch is read again.</summary>
    public void Reset() => _used = 0;
}
