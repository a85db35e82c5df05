using System.Buffers.Binary;
using System.Text;
using Confluent.Kafka;
using Sieve.Core.Engine;

namespace Sieve.Commands.Bench;

/// <summary>
/// The bench's baseline: the minimizer's Kafka loop without the minimizer. Same client settings
/// (<see cref="KafkaClientConfigs"/>), same batching, same transaction per batch with the input offsets, and the
/// same offset commit after it; each input's key and value are produced unchanged to as many copy topics as the
/// minimizer writes for it (<see cref="FanOut"/>), and each batch writes one small audit record per input
/// partition (offset range and count), as the minimizer writes one <c>audit.v1</c> record per input partition.
/// </summary>
public sealed class RawPassThrough
{
    private readonly MinimizerOptions _options;
    private readonly PassThroughTopics _topics;
    private readonly IInputFanOut _fanOut;
    private static readonly Headers NoHeaders = [];
    private readonly Dictionary<(string Topic, int Partition), (long First, long Last, long Count)> _partitions = [];
    private readonly TopicPartition[] _copies;
    private readonly TopicPartition _audit;
    private volatile bool _revoked;
    private volatile bool _assigned;
    private long _committed;
    private long _batches;

    /// <summary>
    /// Creates a pass-through reading <paramref name="topics"/>' inputs with <paramref name="options"/>' client
    /// settings and copying each input as <paramref name="fanOut"/> says.
    /// </summary>
    public RawPassThrough(MinimizerOptions options, PassThroughTopics topics, IInputFanOut fanOut)
    {
        ArgumentNullException.ThrowIfNull(topics);
        _options = options;
        _topics = topics;
        _fanOut = fanOut;
        _copies = [.. topics.Copies.Select(t => new TopicPartition(t, Partition.Any))];
        _audit = new TopicPartition(topics.Audit, Partition.Any);
    }

    /// <summary>Raised after each committed batch with its input count.</summary>
    public event Action<long>? BatchCommitted;

    /// <summary>True once the group has assigned the pass-through some input partitions.</summary>
    public bool Assigned => _assigned;

    /// <summary>Inputs committed so far.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>Batches committed so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public void Run(CancellationToken cancellationToken)
    {
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(KafkaClientConfigs.RawConsumer(_options))
            .SetPartitionsAssignedHandler((_, partitions) => _assigned = partitions.Count > 0)
            .SetPartitionsRevokedHandler((_, _) => _revoked = true)
            .SetPartitionsLostHandler((_, _) => _revoked = true)
            .Build();
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(KafkaClientConfigs.OutputProducer(_options)).Build();
        bool transactional = _options.Delivery == DeliveryMode.ExactlyOnce;
        if (transactional)
        {
            producer.InitTransactions(TimeSpan.FromSeconds(30));
        }

        consumer.Subscribe([_topics.TelematicsInput, _topics.WifiInput]);
        var batch = new List<ConsumeResult<byte[], byte[]>>(_options.BatchMaxMessages);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                batch.Clear();
                _revoked = false;
                ConsumeBatch.Fill(consumer, batch, _options, cancellationToken);
                if (batch.Count == 0 || _revoked)
                {
                    continue;
                }

                CommitBatch(consumer, producer, batch, transactional, cancellationToken);
            }
        }
        finally
        {
            consumer.Close();
        }
    }

    private void CommitBatch(IConsumer<byte[], byte[]> consumer, IProducer<byte[], byte[]> producer, List<ConsumeResult<byte[], byte[]>> batch,
        bool transactional, CancellationToken cancellationToken)
    {
        _partitions.Clear();
        if (transactional)
        {
            producer.BeginTransaction();
        }

        foreach (ConsumeResult<byte[], byte[]> input in batch)
        {
            int index = _topics.InputIndex(input.Topic);
            long offset = input.Offset.Value;
            byte mask = index < 0 ? (byte)0 : _fanOut.Mask(index, input.Partition.Value, offset);
            // The consumed arrays are produced as they are; librdkafka copies them, so one message serves every copy.
            var message = new Message<byte[], byte[]> { Key = input.Message.Key, Value = input.Message.Value, Timestamp = input.Message.Timestamp, Headers = NoHeaders };
            for (int copy = 0; copy <= _fanOut.PlanCount; copy++)
            {
                if ((mask & FanOut.CopyBit(copy, _fanOut.PlanCount)) != 0)
                {
                    Produce(producer, _copies[copy], message);
                }
            }

            (string, int) tp = (input.Topic, input.Partition.Value);
            _partitions[tp] = _partitions.TryGetValue(tp, out (long First, long Last, long Count) seen)
                ? (seen.First, offset, seen.Count + 1)
                : (offset, offset, 1);
        }

        var offsets = new List<TopicPartitionOffset>(_partitions.Count);
        long inputs = 0;
        foreach (KeyValuePair<(string Topic, int Partition), (long First, long Last, long Count)> pair in _partitions)
        {
            byte[] value = new byte[24];
            BinaryPrimitives.WriteInt64BigEndian(value, pair.Value.First);
            BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), pair.Value.Last);
            BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(16), pair.Value.Count);
            Produce(producer, _audit, new Message<byte[], byte[]>
            {
                Key = Encoding.UTF8.GetBytes(pair.Key.Topic + "/" + pair.Key.Partition),
                Value = value,
                Timestamp = new Timestamp(DateTimeOffset.UtcNow),
            });
            offsets.Add(new TopicPartitionOffset(pair.Key.Topic, pair.Key.Partition, new Offset(pair.Value.Last + 1)));
            inputs += pair.Value.Count;
        }

        if (_revoked)
        {
            if (transactional)
            {
                producer.AbortTransaction(TimeSpan.FromSeconds(30));
            }

            return;
        }

        if (transactional)
        {
            producer.SendOffsetsToTransaction(offsets, consumer.ConsumerGroupMetadata, TimeSpan.FromSeconds(30));
            producer.CommitTransaction(TimeSpan.FromSeconds(30));
        }
        else
        {
            producer.Flush(cancellationToken);
        }

        if (!transactional || _options.CommitOffsetsOutsideTransaction)
        {
            consumer.Commit(offsets);
        }

        Interlocked.Add(ref _committed, inputs);
        Interlocked.Increment(ref _batches);
        BatchCommitted?.Invoke(inputs);
    }

    /// <summary>Reads a pass-through audit record: (first offset, last offset, inputs).</summary>
    public static (long First, long Last, long Count) ReadAudit(ReadOnlySpan<byte> value) =>
        (BinaryPrimitives.ReadInt64BigEndian(value), BinaryPrimitives.ReadInt64BigEndian(value[8..]), BinaryPrimitives.ReadInt64BigEndian(value[16..]));

    private static void Produce(IProducer<byte[], byte[]> producer, TopicPartition topic, Message<byte[], byte[]> message)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(50));
            }
        }
    }
}
