using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Sieve.Embedded;

namespace Sieve.Commands.Bench;

/// <summary>The Kafka cluster of a bench run: librdkafka's mock cluster in-process, or a real one at a bootstrap address.</summary>
public sealed class BenchCluster : IDisposable
{
    private readonly MockKafkaCluster? _mock;

    private BenchCluster(MockKafkaCluster? mock, string bootstrapServers)
    {
        _mock = mock;
        BootstrapServers = bootstrapServers;
    }

    /// <summary>The bootstrap servers every client of the run uses.</summary>
    public string BootstrapServers { get; }

    /// <summary>True for the embedded mock cluster, whose partitions keep only about 5 MiB each.</summary>
    public bool IsMock => _mock is not null;

    /// <summary>Starts a one-broker mock cluster (no initial rebalance delay), or uses <paramref name="bootstrap"/>.</summary>
    public static BenchCluster Open(string? bootstrap)
    {
        if (bootstrap is not null)
        {
            return new BenchCluster(null, bootstrap);
        }

        MockKafkaCluster mock = MockKafkaCluster.Start(brokers: 1);
        mock.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        return new BenchCluster(mock, mock.BootstrapServers);
    }

    /// <summary>Creates the topics (name, partitions); on a real cluster, a topic that already exists is left as it is.</summary>
    public async Task CreateTopicsAsync(IReadOnlyList<(string Name, int Partitions)> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        if (_mock is not null)
        {
            foreach ((string name, int partitions) in topics)
            {
                _mock.CreateTopic(name, partitions);
            }

            return;
        }

        using IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        var specs = new List<TopicSpecification>(topics.Count);
        foreach ((string name, int partitions) in topics)
        {
            specs.Add(new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = -1 });
        }

        try
        {
            await admin.CreateTopicsAsync(specs, new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(30) }).ConfigureAwait(false);
        }
        catch (CreateTopicsException e)
        {
            foreach (CreateTopicReport report in e.Results)
            {
                if (report.Error.IsError && report.Error.Code != ErrorCode.TopicAlreadyExists)
                {
                    throw new InvalidOperationException("Kafka did not create topic " + report.Topic + ": " + report.Error.Reason);
                }
            }
        }
    }

    /// <summary>The high watermark of each partition of <paramref name="topics"/>.</summary>
    public Dictionary<(string Topic, int Partition), long> HighWatermarks(IReadOnlyList<(string Name, int Partitions)> topics)
    {
        ArgumentNullException.ThrowIfNull(topics);
        using IConsumer<Ignore, Ignore> consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = "sieve-bench-watermarks",
            IsolationLevel = IsolationLevel.ReadUncommitted,
        }).Build();
        var result = new Dictionary<(string, int), long>();
        foreach ((string name, int partitions) in topics)
        {
            for (int p = 0; p < partitions; p++)
            {
                result[(name, p)] = consumer.QueryWatermarkOffsets(new TopicPartition(name, p), TimeSpan.FromSeconds(10)).High.Value;
            }
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose() => _mock?.Dispose();
}
