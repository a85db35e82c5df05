using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Sieve.Embedded;
using Testcontainers.Kafka;

namespace Sieve.Testing.Harness;

/// <summary>
/// One Kafka for a test collection. Chosen in this order: the broker in KAFKA_BOOTSTRAP_SERVERS; a Testcontainers
/// broker when a Docker engine answers; librdkafka's mock cluster in this process.
/// </summary>
/// <remarks>
/// The cluster is shared by every class in the <c>kafka</c> collection: each test uses its own topics
/// (<see cref="UniqueTopic"/>) and group ids (<see cref="UniqueGroup"/>). Fault injection needs a cluster of its
/// own: start a <see cref="MockKafkaCluster"/> in the test.
/// </remarks>
public sealed class KafkaFixture : IAsyncLifetime
{
    /// <summary>Environment variable naming a real broker's bootstrap servers.</summary>
    public const string BootstrapEnvironmentVariable = "KAFKA_BOOTSTRAP_SERVERS";

    private const string KafkaImage = "confluentinc/cp-kafka:7.5.12";
    private static readonly TimeSpan TopicReadyTimeout = TimeSpan.FromSeconds(30);

    private MockKafkaCluster? _mock;
    private KafkaContainer? _container;
    private IAdminClient? _admin;

    /// <summary>The <c>bootstrap.servers</c> value of the chosen cluster.</summary>
    public string BootstrapServers { get; private set; } = string.Empty;

    /// <summary>Which cluster was chosen.</summary>
    public KafkaKind Kind { get; private set; }

    /// <summary>True when running against the in-process mock cluster.</summary>
    public bool IsMock => Kind == KafkaKind.Mock;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        string? configured = Environment.GetEnvironmentVariable(BootstrapEnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            Kind = KafkaKind.RealBroker;
            BootstrapServers = configured.Trim();
        }
        else if (await DockerProbe.IsAvailableAsync())
        {
            Kind = KafkaKind.Testcontainers;
            _container = new KafkaBuilder(KafkaImage).Build();
            await _container.StartAsync();
            BootstrapServers = StripScheme(_container.GetBootstrapAddress());
        }
        else
        {
            Kind = KafkaKind.Mock;
            _mock = MockKafkaCluster.Start(brokers: 1);

            // Real test brokers are usually run with no join delay; the mock's 3 s default would add 3 s to every
            // test that subscribes with a fresh group.
            _mock.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
            BootstrapServers = _mock.BootstrapServers;
        }

        if (!IsMock)
        {
            _admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        }
    }

    /// <summary>
    /// Creates a topic with <paramref name="partitions"/> partitions and returns once clients can use it. An
    /// existing topic of that name is accepted as is.
    /// </summary>
    public async Task CreateTopicAsync(string name, int partitions)
    {
        if (_mock is not null)
        {
            try
            {
                _mock.CreateTopic(name, partitions);
            }
            catch (KafkaException e) when (e.Error.Code == ErrorCode.TopicAlreadyExists)
            {
            }

            return;
        }

        IAdminClient admin = _admin ?? throw new InvalidOperationException("The fixture is not initialized.");
        try
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = partitions, ReplicationFactor = -1 }]);
        }
        catch (CreateTopicsException e) when (e.Results.TrueForAll(r => r.Error.Code is ErrorCode.NoError or ErrorCode.TopicAlreadyExists))
        {
        }

        // Creation is asynchronous on a real broker: wait until metadata shows every partition with a leader.
        using var deadline = new CancellationTokenSource(TopicReadyTimeout);
        while (true)
        {
            Metadata metadata = admin.GetMetadata(name, TimeSpan.FromSeconds(5));
            TopicMetadata? topic = metadata.Topics.Find(t => t.Topic == name);
            if (topic is { Error.Code: ErrorCode.NoError } && topic.Partitions.Count > 0 && topic.Partitions.TrueForAll(p => p.Leader >= 0))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
    }

    /// <summary>Blocking form of <see cref="CreateTopicAsync"/>.</summary>
    public void CreateTopic(string name, int partitions) => CreateTopicAsync(name, partitions).GetAwaiter().GetResult();

    /// <summary>A topic name no other test uses: <paramref name="prefix"/> (unsafe characters replaced) plus a GUID.</summary>
    public string UniqueTopic(string prefix) => Sanitize(prefix) + "-" + Guid.NewGuid().ToString("N");

    /// <summary>A consumer group id no other test uses.</summary>
    public string UniqueGroup(string prefix) => Sanitize(prefix) + "-group-" + Guid.NewGuid().ToString("N");

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        _admin?.Dispose();
        _mock?.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    private static string StripScheme(string address)
    {
        int scheme = address.IndexOf("://", StringComparison.Ordinal);
        string hostPort = scheme < 0 ? address : address[(scheme + 3)..];
        return hostPort.TrimEnd('/');
    }

    private static string Sanitize(string prefix)
    {
        // Kafka topic names allow [a-zA-Z0-9._-] and at most 249 characters; the GUID suffix takes 33.
        var builder = new StringBuilder(Math.Min(prefix.Length, 200));
        foreach (char c in prefix)
        {
            if (builder.Length == 200)
            {
                break;
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        }

        return builder.Length == 0 ? "t" : builder.ToString();
    }
}
