using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Records;
using Sieve.Core.Metrics;

namespace Sieve.Core.Publishing;

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
    private readonly IngestMetrics? _metrics;

    /// <summary>Creates the producer; <paramref name="metrics"/>, when given, counts what it persists and its failures.</summary>
    public RawEventPublisher(RawPublisherOptions options, ILogger logger, IngestMetrics? metrics = null)
    {
        _logger = logger;
        _metrics = metrics;
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
            .SetErrorHandler((_, e) =>
            {
                _metrics?.KafkaError();
                _logger.LogWarning("Kafka producer error {Code}: {Reason}", e.Code, e.Reason);
            })
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
            CountPublished(messages);
        }
        catch (ProduceException<byte[], byte[]> e)
        {
            _metrics?.PublishFailed(e.Error.Code.ToString());
            throw new RawPublishException("Kafka did not persist the records: " + e.Error.Code);
        }
        catch (KafkaException e)
        {
            _metrics?.PublishFailed(e.Error.Code.ToString());
            throw new RawPublishException("Kafka did not persist the records: " + e.Error.Code);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _metrics?.PublishFailed("timeout");
            throw new RawPublishException("Kafka did not persist the records in time");
        }
    }

    private void CountPublished(IReadOnlyList<RawMessage> messages)
    {
        if (_metrics is null)
        {
            return;
        }

        // Per request, not per record: one topic is the rule, so this is usually one Add.
        string topic = messages[0].Topic;
        int run = 0;
        foreach (RawMessage m in messages)
        {
            if (!string.Equals(m.Topic, topic, StringComparison.Ordinal))
            {
                _metrics.Published(topic, run);
                topic = m.Topic;
                run = 0;
            }

            run++;
        }

        _metrics.Published(topic, run);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(5));
        _producer.Dispose();
    }
}
