using System.Text;
using Confluent.Kafka;

namespace Sieve.Core.Erasure;

/// <summary>
/// Publishes notices (keyed by pseudonym, timestamped with the day only), consent tombstones (keyed as the subject's
/// consent changes) and receipts (keyed by request id) with an idempotent producer.
/// </summary>
public sealed class KafkaErasurePublisher : IErasurePublisher, IDisposable
{
    private readonly ErasureOptions _options;
    private readonly IProducer<byte[], byte[]> _producer;

    /// <summary>Creates the producer; with <paramref name="registry"/>, quarantine records go out in Confluent framing when it registered the topic.</summary>
    public KafkaErasurePublisher(ErasureOptions options, Registry.SchemaRegistryBinding? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = "sieve-sink-erasure-" + options.InstanceId,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
        };
        foreach (KeyValuePair<string, string> pair in options.KafkaProperties)
        {
            config.Set(pair.Key, pair.Value);
        }

        _producer = new ProducerBuilder<byte[], byte[]>(config).SetValueSerializer(new Registry.ConfluentFramingSerializer(registry)).Build();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Every notice's Kafka timestamp is the start of the current UTC day, so not even message metadata ties the
    /// notices of one request together more closely than "published the same day".
    /// </remarks>
    public async Task PublishNoticesAsync(IReadOnlyList<ErasureNotice> notices, CancellationToken cancellationToken)
    {
        var day = new Timestamp(DateTime.UtcNow.Date, TimestampType.CreateTime);
        var pending = new Task<DeliveryResult<byte[], byte[]>>[notices.Count];
        for (int i = 0; i < notices.Count; i++)
        {
            pending[i] = _producer.ProduceAsync(_options.NoticesTopic,
                new Message<byte[], byte[]> { Key = Encoding.ASCII.GetBytes(notices[i].Subject), Value = ErasureCodec.EncodeNotice(notices[i]), Timestamp = day }, cancellationToken);
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task PublishConsentTombstonesAsync(IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        var pending = new Task<DeliveryResult<byte[], byte[]>>[keys.Count];
        for (int i = 0; i < keys.Count; i++)
        {
            pending[i] = _producer.ProduceAsync(_options.ConsentChangesTopic, new Message<byte[], byte[]> { Key = keys[i], Value = null! }, cancellationToken);
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task PublishReceiptAsync(ErasureReceipt receipt, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(_options.ReceiptsTopic,
            new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(receipt.RequestId), Value = ErasureCodec.EncodeReceipt(receipt) }, cancellationToken);

    /// <summary>Publishes a quarantine record for a request that could not be read.</summary>
    public Task PublishQuarantineAsync(byte[] value, CancellationToken cancellationToken) =>
        _producer.ProduceAsync(_options.QuarantineTopic, new Message<byte[], byte[]> { Key = null!, Value = value }, cancellationToken);

    /// <inheritdoc />
    public void Dispose() => _producer.Dispose();
}
