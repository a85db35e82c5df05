using System.Text;
using Confluent.Kafka;
using Sieve.Contracts.Records;
using Sieve.Testing.Harness;

namespace Sieve.Testing.EndToEnd;

/// <summary>A raw event a test produced, where it landed, and which subject it belongs to (null for a crafted bad input).</summary>
internal sealed record SentEvent(TestSubject? Subject, string EventId, long EventTime, string Topic, int Partition, long Offset);

/// <summary>Produces raw events and consent changes as the upstream systems would (keyed by the raw identifier; raw zone).</summary>
internal sealed class RawProducer(string bootstrapServers) : IDisposable
{
    private readonly IProducer<byte[], byte[]> _producer = KafkaTestClient.CreateProducer(bootstrapServers);
    private long _sequence;

    /// <summary>Produces one event of <paramref name="subject"/> to its partition of its raw topic and waits for the broker's acknowledgement.</summary>
    public async Task<SentEvent> SendEventAsync(PipelineTopics topics, TestSubject subject, long eventTime)
    {
        long n = Interlocked.Increment(ref _sequence);
        string eventId = "e-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        DeliveryResult<byte[], byte[]> result = await SendAsync(subject.RawTopic(topics), subject.Partition, Encoding.UTF8.GetBytes(subject.Id), subject.Event(eventId, eventTime, (int)n));
        return new SentEvent(subject, eventId, eventTime, result.Topic, result.Partition.Value, result.Offset.Value);
    }

    /// <summary>Produces events concurrently (one acknowledgement wait for all) and returns them in the given order.</summary>
    public async Task<List<SentEvent>> SendEventsAsync(PipelineTopics topics, IEnumerable<(TestSubject Subject, long EventTime)> events)
    {
        var pending = new List<Task<SentEvent>>();
        foreach ((TestSubject subject, long eventTime) in events)
        {
            pending.Add(SendEventAsync(topics, subject, eventTime));
        }

        return [.. await Task.WhenAll(pending)];
    }

    /// <summary>Produces a crafted value to a partition and returns where it landed.</summary>
    public async Task<SentEvent> SendRawAsync(string topic, int partition, byte[] key, byte[] value, string eventId, long eventTime)
    {
        DeliveryResult<byte[], byte[]> result = await SendAsync(topic, partition, key, value);
        return new SentEvent(null, eventId, eventTime, result.Topic, result.Partition.Value, result.Offset.Value);
    }

    /// <summary>Produces consent changes in order to the consent topic, keyed by subject type and identifier as upstream does.</summary>
    public async Task SendConsentAsync(string topic, IEnumerable<ConsentChangeData> changes)
    {
        foreach (ConsentChangeData change in changes)
        {
            await SendAsync(topic, 0, Encoding.UTF8.GetBytes(change.SubjectType + ":" + change.SubjectId), change.ToMessage());
        }
    }

    public void Dispose() => _producer.Dispose();

    private async Task<DeliveryResult<byte[], byte[]>> SendAsync(string topic, int partition, byte[] key, byte[] value)
    {
        DeliveryResult<byte[], byte[]> result = await _producer.ProduceAsync(
            new TopicPartition(topic, new Partition(partition)), new Message<byte[], byte[]> { Key = key, Value = value });
        Assert.Equal(PersistenceStatus.Persisted, result.Status);
        return result;
    }
}

/// <summary>Offsets of topics as the cluster reports them.</summary>
internal static class Watermarks
{
    /// <summary>The high watermark (the offset the next record will get) of one partition.</summary>
    public static long High(string bootstrapServers, string topic, int partition)
    {
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(
            KafkaTestClient.ConsumerConfig(bootstrapServers, "e2e-watermarks-" + Guid.NewGuid().ToString("N"))).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(topic, new Partition(partition)), TimeSpan.FromSeconds(10)).High.Value;
    }
}
