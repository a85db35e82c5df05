using Confluent.Kafka;

namespace Sieve.Commands;

/// <summary>Publishing one record from a command: an idempotent acks=all producer, waiting for the delivery report, errors as one line.</summary>
internal static class KafkaPublish
{
    /// <summary>
    /// Publishes <paramref name="message"/> to <paramref name="topic"/> and returns its delivery report. The client
    /// <paramref name="properties"/> (TLS, SASL) apply first; bootstrap, acks, idempotence and timeouts are this
    /// command's own.
    /// </summary>
    public static async Task<DeliveryResult<byte[], byte[]>> PublishAsync(string bootstrap, KafkaClientProperties properties, string topic, int timeoutSeconds,
        Message<byte[], byte[]> message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(properties);
        IReadOnlyList<DeliveryResult<byte[], byte[]>> delivered =
            await PublishAllAsync(bootstrap, properties, topic, timeoutSeconds, [message], cancellationToken).ConfigureAwait(false);
        return delivered[0];
    }

    /// <summary>
    /// Publishes <paramref name="messages"/> to <paramref name="topic"/> in order, as <see cref="PublishAsync"/> does one,
    /// and returns their delivery reports once every one is acknowledged; <paramref name="properties"/> null for none.
    /// </summary>
    public static async Task<IReadOnlyList<DeliveryResult<byte[], byte[]>>> PublishAllAsync(string bootstrap, KafkaClientProperties? properties, string topic,
        int timeoutSeconds, IReadOnlyList<Message<byte[], byte[]>> messages, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var config = new ProducerConfig();
        properties?.ApplyTo(config);
        config.BootstrapServers = bootstrap;
        config.Acks = Acks.All;
        config.EnableIdempotence = true;
        config.ClientId ??= "sieve-cli";
        config.MessageTimeoutMs = timeoutSeconds * 1000;
        config.SocketTimeoutMs = Math.Min(timeoutSeconds * 1000, 60_000);
        config.QueueBufferingMaxMessages = Math.Clamp(messages.Count, 100_000, 10_000_000);

        IProducer<byte[], byte[]> producer;
        try
        {
            // librdkafka's own log and error lines would bury the one line that says what went wrong.
            producer = new ProducerBuilder<byte[], byte[]>(config)
                .SetLogHandler(static (_, _) => { })
                .SetErrorHandler(static (_, _) => { })
                .Build();
        }
        catch (Exception e) when (e is KafkaException or ArgumentException or InvalidOperationException)
        {
            return ThrowHelper.Usage<IReadOnlyList<DeliveryResult<byte[], byte[]>>>(
                $"the Kafka client settings are not usable ({e.GetType().Name}); give --bootstrap HOST:PORT[,HOST:PORT] and check the --property/--properties names and values");
        }

        using (producer)
        {
            try
            {
                // Produced in order on one idempotent producer: each key's changes arrive in the order given.
                var sent = new Task<DeliveryResult<byte[], byte[]>>[messages.Count];
                for (int i = 0; i < messages.Count; i++)
                {
                    sent[i] = producer.ProduceAsync(topic, messages[i], cancellationToken);
                }

                return await Task.WhenAll(sent).ConfigureAwait(false);
            }
            catch (ProduceException<byte[], byte[]> e)
            {
                return ThrowHelper.Failure<IReadOnlyList<DeliveryResult<byte[], byte[]>>>(
                    $"could not publish to {topic} via {bootstrap}: {e.Error.Code} ({e.Error.Reason}); check that the broker is up and --bootstrap points at it");
            }
            catch (KafkaException e)
            {
                return ThrowHelper.Failure<IReadOnlyList<DeliveryResult<byte[], byte[]>>>(
                    $"could not publish to {topic} via {bootstrap}: {e.Error.Code} ({e.Error.Reason})");
            }
        }
    }
}
