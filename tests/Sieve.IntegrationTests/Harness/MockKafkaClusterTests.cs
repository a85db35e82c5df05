using System.Text;
using Confluent.Kafka;
using Sieve.Embedded;
using Sieve.Testing.Harness;

namespace Sieve.IntegrationTests.Harness;

public sealed class MockKafkaClusterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Created_topic_has_its_partitions_and_carries_a_message_to_a_group_consumer()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        cluster.CreateTopic("telematics.raw", 12);

        using (IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            Metadata metadata = admin.GetMetadata("telematics.raw", Wait);
            TopicMetadata topic = Assert.Single(metadata.Topics, t => t.Topic == "telematics.raw");
            Assert.Equal(ErrorCode.NoError, topic.Error.Code);
            Assert.Equal(Enumerable.Range(0, 12), topic.Partitions.Select(p => p.PartitionId).Order());
            Assert.All(topic.Partitions, p => Assert.Equal(1, p.Leader));
        }

        DeliveryResult<byte[], byte[]> delivered;
        using (IProducer<byte[], byte[]> producer = KafkaTestClient.CreateProducer(cluster.BootstrapServers))
        {
            delivered = await producer.ProduceAsync("telematics.raw", KafkaTestClient.Utf8Message("subject-1", "hello"));
        }

        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);

        string group = "group-" + Guid.NewGuid().ToString("N");
        ConsumeResult<byte[], byte[]> consumed = await Task.Run(() =>
        {
            using IConsumer<byte[], byte[]> consumer =
                new ConsumerBuilder<byte[], byte[]>(KafkaTestClient.ConsumerConfig(cluster.BootstrapServers, group)).Build();
            consumer.Subscribe("telematics.raw");
            using var timeout = new CancellationTokenSource(Wait);
            ConsumeResult<byte[], byte[]> result = consumer.Consume(timeout.Token);

            // The group coordinator stores plain commits.
            consumer.Commit(result);
            TopicPartitionOffset committed = Assert.Single(consumer.Committed([result.TopicPartition], Wait));
            Assert.Equal(result.Offset.Value + 1, committed.Offset.Value);
            consumer.Close();
            return result;
        });

        Assert.Equal("subject-1", Encoding.UTF8.GetString(consumed.Message.Key));
        Assert.Equal("hello", Encoding.UTF8.GetString(consumed.Message.Value));
        Assert.Equal(delivered.TopicPartitionOffset, consumed.TopicPartitionOffset);
    }

    [Fact]
    public async Task Message_produced_while_the_leader_is_down_is_delivered_after_it_comes_back()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 3);
        cluster.CreateTopic("outage", 1);
        int leader;
        using (IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            PartitionMetadata partition = Assert.Single(Assert.Single(admin.GetMetadata("outage", Wait).Topics).Partitions);
            leader = partition.Leader;
            Assert.Equal(3, partition.Replicas.Length);
        }

        using IProducer<byte[], byte[]> producer = KafkaTestClient.CreateProducer(cluster.BootstrapServers);

        // Connected to the leader before the outage.
        await producer.ProduceAsync("outage", KafkaTestClient.Utf8Message(null, "before"));

        // SetBrokerDown returns once the mock has closed the leader's connections and refuses new ones. The mock
        // also leaves the broker out of metadata responses, so the client drops it and parks the partition's
        // messages until metadata lists the broker again; no error event is raised for this.
        cluster.SetBrokerDown(leader);
        Task<DeliveryResult<byte[], byte[]>> during = producer.ProduceAsync("outage", KafkaTestClient.Utf8Message(null, "during"));

        // Delivery is impossible while the leader is down, so this bound cannot fail by timing: it shows the message
        // was held through the outage.
        Assert.Equal(1, await Task.Run(() => producer.Flush(TimeSpan.FromMilliseconds(300))));
        Assert.False(during.IsCompleted);

        cluster.SetBrokerUp(leader);
        DeliveryResult<byte[], byte[]> delivered = await during.WaitAsync(Wait);
        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);

        List<ConsumeResult<byte[], byte[]>> read = await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, "outage", 2, Wait);
        Assert.Equal(["before", "during"], read.Select(r => Encoding.UTF8.GetString(r.Message.Value)));
    }

    [Fact]
    public async Task Committed_transactions_are_visible_to_a_read_committed_consumer()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("txn", 1);
        ProducerConfig config = KafkaTestClient.ProducerConfig(cluster.BootstrapServers);
        config.TransactionalId = "txn-" + Guid.NewGuid().ToString("N");

        await Task.Run(() =>
        {
            using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(config).Build();
            producer.InitTransactions(Wait);
            foreach (string value in new[] { "first", "second" })
            {
                producer.BeginTransaction();
                producer.Produce("txn", KafkaTestClient.Utf8Message(null, value));
                producer.CommitTransaction(Wait);
            }
        });

        List<ConsumeResult<byte[], byte[]>> committed =
            await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, "txn", 2, Wait, IsolationLevel.ReadCommitted);
        Assert.Equal(["first", "second"], committed.Select(r => Encoding.UTF8.GetString(r.Message.Value)));

        // Each commit wrote a control batch, which takes an offset and is not delivered.
        Assert.Equal([0L, 2L], committed.Select(r => r.Offset.Value));
    }

    [Fact]
    public async Task Mock_does_not_hide_open_or_aborted_transactions_from_read_committed_consumers()
    {
        // librdkafka's mock answers Fetch with LastStableOffset = high watermark and an empty aborted-transactions
        // list, so isolation.level=read_committed filters nothing. Tests that need aborted output to stay
        // invisible need a real broker. If a librdkafka upgrade changes this, this test says so.
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("txn-abort", 1);
        ProducerConfig config = KafkaTestClient.ProducerConfig(cluster.BootstrapServers);
        config.TransactionalId = "txn-" + Guid.NewGuid().ToString("N");
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(config).Build();

        await Task.Run(() =>
        {
            producer.InitTransactions(Wait);
            producer.BeginTransaction();
            producer.Produce("txn-abort", KafkaTestClient.Utf8Message(null, "open"));

            // Abort purges messages still queued in the client; flush so the message reaches the log first.
            producer.Flush(Wait);
        });

        List<ConsumeResult<byte[], byte[]>> whileOpen =
            await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, "txn-abort", 1, Wait, IsolationLevel.ReadCommitted);
        Assert.Equal("open", Encoding.UTF8.GetString(Assert.Single(whileOpen).Message.Value));

        await Task.Run(() =>
        {
            producer.AbortTransaction(Wait);
            producer.BeginTransaction();
            producer.Produce("txn-abort", KafkaTestClient.Utf8Message(null, "committed"));
            producer.CommitTransaction(Wait);
        });

        List<ConsumeResult<byte[], byte[]>> afterAbort =
            await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, "txn-abort", 2, Wait, IsolationLevel.ReadCommitted);
        Assert.Equal(["open", "committed"], afterAbort.Select(r => Encoding.UTF8.GetString(r.Message.Value)));
    }

    [Fact]
    public async Task Pushed_request_error_fails_the_next_produce_with_that_code()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("errors", 1);
        using IProducer<byte[], byte[]> producer = KafkaTestClient.CreateProducer(cluster.BootstrapServers);
        await producer.ProduceAsync("errors", KafkaTestClient.Utf8Message(null, "ok"));

        // A message-level, non-retriable code: a topic-level one such as TopicAuthorizationFailed also makes the
        // client fail later messages to that topic until its metadata is refreshed.
        const short Produce = 0;
        cluster.PushRequestErrors(Produce, ErrorCode.MsgSizeTooLarge);
        ProduceException<byte[], byte[]> failure = await Assert.ThrowsAsync<ProduceException<byte[], byte[]>>(
            () => producer.ProduceAsync("errors", KafkaTestClient.Utf8Message(null, "rejected")).WaitAsync(Wait));
        Assert.Equal(ErrorCode.MsgSizeTooLarge, failure.Error.Code);

        // The error stack is used up: the next produce goes through.
        DeliveryResult<byte[], byte[]> after = await producer.ProduceAsync("errors", KafkaTestClient.Utf8Message(null, "after")).WaitAsync(Wait);
        Assert.Equal(PersistenceStatus.Persisted, after.Status);
    }

    [Fact]
    public void Creating_an_existing_topic_reports_TopicAlreadyExists()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic("twice", 2);
        KafkaException failure = Assert.Throws<KafkaException>(() => cluster.CreateTopic("twice", 2));
        Assert.Equal(ErrorCode.TopicAlreadyExists, failure.Error.Code);
    }

    [Fact]
    public void Mock_and_Confluent_clients_share_one_native_library_file()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        using IProducer<byte[], byte[]> producer = KafkaTestClient.CreateProducer(cluster.BootstrapServers);

        HashSet<string> mapped = File.ReadLines("/proc/self/maps")
            .Select(line => line.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0 ? line[slash..] : string.Empty)
            .Where(file => Path.GetFileName(file).Contains("librdkafka", StringComparison.Ordinal))
            .ToHashSet();
        string file = Assert.Single(mapped);
        Assert.True(Library.IsLoaded);
        Assert.Contains("runtimes", file, StringComparison.Ordinal);
    }
}
