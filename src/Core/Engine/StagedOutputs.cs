using Confluent.Kafka;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Core.Engine;

/// <summary>
/// A batch's outputs, held in one growable arena until the batch has been decided in full. Nothing is produced
/// before every consent decision of the batch is known, so a consent outage never leaves half a batch in Kafka.
/// </summary>
internal sealed class StagedOutputs : IMinimizedRecordSink
{
    private readonly List<Entry> _entries = [];
    private byte[] _arena = new byte[1 << 20];
    private int _used;

    /// <summary>Timestamp given to records staged from the current input.</summary>
    public Timestamp InputTimestamp { get; set; }

    public int Count => _entries.Count;

    public void Clear()
    {
        _entries.Clear();
        _used = 0;
    }

    /// <summary>The core whose current input is being staged; purpose records take their timestamp from it.</summary>
    public MinimizerCore? Core { get; set; }

    public void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => AddAtRecordTime(plan, plan.ForwardTopic, key, value);

    public void Escrow(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => AddAtRecordTime(plan, plan.EscrowTopic!, key, value);

    /// <summary>
    /// Stages a record of <paramref name="plan"/> (its purpose record or its escrow entry) with the record's own,
    /// possibly bucketed, time as its Kafka timestamp, never the raw input's exact one: metadata must not undo the
    /// policy's time generalization.
    /// </summary>
    private void AddAtRecordTime(PurposePlan plan, string topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Timestamp input = InputTimestamp;
        if (Core is not null)
        {
            InputTimestamp = new Timestamp(Core.RecordTimestamp(plan), TimestampType.CreateTime);
        }

        Add(topic, key, value, hasKey: true);
        InputTimestamp = input;
    }

    public void Add(string topic, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, bool hasKey)
    {
        int needed = key.Length + value.Length;
        if (_arena.Length - _used < needed)
        {
            Array.Resize(ref _arena, Math.Max(_arena.Length * 2, _used + needed));
        }

        int keyStart = _used;
        key.CopyTo(_arena.AsSpan(_used));
        _used += key.Length;
        value.CopyTo(_arena.AsSpan(_used));
        _used += value.Length;
        _entries.Add(new Entry(topic, keyStart, hasKey ? key.Length : -1, keyStart + key.Length, value.Length, InputTimestamp));
    }

    /// <summary>Hands every staged record to <paramref name="sink"/> in staging order.</summary>
    public void ProduceTo(KafkaRecordSink sink)
    {
        foreach (Entry e in _entries)
        {
            sink.InputTimestamp = e.Timestamp;
            ReadOnlySpan<byte> key = e.KeyLength < 0 ? default : _arena.AsSpan(e.KeyStart, e.KeyLength);
            sink.Produce(e.Topic, key, _arena.AsSpan(e.ValueStart, e.ValueLength), hasKey: e.KeyLength >= 0);
        }
    }

    private readonly record struct Entry(string Topic, int KeyStart, int KeyLength, int ValueStart, int ValueLength, Timestamp Timestamp);
}
