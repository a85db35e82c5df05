using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Records;

namespace Sieve.Ingest.Publishing;

/// <summary>Kafka could not take (some of) the records; the caller must not acknowledge them to the sender.</summary>
public sealed class RawPublishException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Settings of the raw-topic producer.</summary>
public sealed class RawPublisherOptions
{
    /// <summary><c>Kafka:BootstrapServers</c>.</summary>
    public string BootstrapServers { get; set; } = "127.0.0.1:9092";

    /// <summary>How long Kafka may take to acknowledge a record before the publish fails (and the sender is not acked).</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Extra librdkafka properties (<c>Kafka:Properties:*</c>).</summary>
    public Dictionary<string, string> KafkaProperties { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// Puts raw events on the raw topics with an idempotent, acks=all producer. <see cref="PublishAsync"/> completes
/// only when Kafka has acknowledged every record it was given, so callers acknowledge devices and gateways only
/// for persisted data; when any record fails it throws <see cref="RawPublishException"/> and the caller sends no ack.
/// </summary>
public sealed class RawEventPublisher : IDisposable
{
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly ILogger _logger;

    /// <summary>Creates the producer.</summary>
    public RawEventPublisher(RawPublisherOptions options, ILogger logger)
    {
        _logger = logger;
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 2,
            MessageTimeoutMs = (int)options.DeliveryTimeout.TotalMilliseconds,
            ClientId = "sieve-ingest",
        };
        foreach (KeyValuePair<string, string> pair in options.KafkaProperties)
        {
            config.Set(pair.Key, pair.Value);
        }

        _producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => _logger.LogWarning("Kafka producer error {Code}: {Reason}", e.Code, e.Reason))
            .Build();
    }

    /// <summary>
    /// Produces <paramref name="messages"/> and waits until Kafka has acknowledged all of them. Throws
    /// <see cref="RawPublishException"/> (never carrying keys or values) when any was not persisted.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<RawMessage> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        var deliveries = new Task<DeliveryResult<byte[], byte[]>>[messages.Count];
        try
        {
            for (int i = 0; i < messages.Count; i++)
            {
                RawMessage m = messages[i];
                deliveries[i] = _producer.ProduceAsync(m.Topic, new Message<byte[], byte[]> { Key = m.Key, Value = m.Value }, cancellationToken);
            }

            await Task.WhenAll(deliveries).ConfigureAwait(false);
        }
        catch (ProduceException<byte[], byte[]> e)
        {
            throw new RawPublishException("Kafka did not persist the records: " + e.Error.Code);
        }
        catch (KafkaException e)
        {
            throw new RawPublishException("Kafka did not persist the records: " + e.Error.Code);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RawPublishException("Kafka did not persist the records in time");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }
}
