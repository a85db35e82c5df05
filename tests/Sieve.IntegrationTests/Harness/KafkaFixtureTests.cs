using System.Text;
using Confluent.Kafka;
using Sieve.Testing.Harness;
using Xunit.Sdk;

namespace Sieve.IntegrationTests.Harness;

[Collection(KafkaCollection.Name)]
public sealed class KafkaFixtureTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Created_topic_round_trips_messages_and_then_goes_quiet()
    {
        string topic = kafka.UniqueTopic("harness.fixture");
        await kafka.CreateTopicAsync(topic, 3);
        Assert.Equal(3, KafkaTestClient.PartitionCount(kafka.BootstrapServers, topic));

        var messages = new List<Message<byte[], byte[]>>();
        for (int i = 0; i < 5; i++)
        {
            messages.Add(KafkaTestClient.Utf8Message("key-" + i, "value-" + i));
        }

        IReadOnlyList<DeliveryResult<byte[], byte[]>> delivered = await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic, messages);
        Assert.Equal(5, delivered.Count);

        List<ConsumeResult<byte[], byte[]>> read = await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, 5, Wait);
        Assert.Equal(
            Enumerable.Range(0, 5).Select(i => "value-" + i).Order(),
            read.Select(r => Encoding.UTF8.GetString(r.Message.Value)).Order());

        List<ConsumeResult<byte[], byte[]>> all = await KafkaTestClient.ConsumeAllAsync(kafka.BootstrapServers, topic, TimeSpan.FromMilliseconds(300));
        Assert.Equal(5, all.Count);
    }

    [Fact]
    public async Task ConsumeExactly_fails_naming_what_it_got()
    {
        string topic = kafka.UniqueTopic("harness.short");
        await kafka.CreateTopicAsync(topic, 2);
        await KafkaTestClient.ProduceAsync(kafka.BootstrapServers, topic, [KafkaTestClient.Utf8Message(null, "only")]);

        FailException failure = await Assert.ThrowsAsync<FailException>(
            () => KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, 2, TimeSpan.FromSeconds(1)));
        Assert.Contains("Expected 2 message(s)", failure.Message, StringComparison.Ordinal);
        Assert.Contains("got 1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsumeAll_on_empty_partitions_returns_nothing()
    {
        string topic = kafka.UniqueTopic("harness.empty");
        await kafka.CreateTopicAsync(topic, 4);

        List<ConsumeResult<byte[], byte[]>> all = await KafkaTestClient.ConsumeAllAsync(
            kafka.BootstrapServers, topic, TimeSpan.FromMilliseconds(200), limit: TimeSpan.FromSeconds(10));
        Assert.Empty(all);
    }

    [Fact]
    public void Unique_names_are_legal_and_distinct()
    {
        string first = kafka.UniqueTopic("a b/c");
        string second = kafka.UniqueTopic("a b/c");
        Assert.NotEqual(first, second);
        Assert.Matches("^[A-Za-z0-9._-]+$", first);
        Assert.StartsWith("a-b-c-", first, StringComparison.Ordinal);
        Assert.NotEqual(kafka.UniqueGroup("g"), kafka.UniqueGroup("g"));
    }
}
