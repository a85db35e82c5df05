using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Sieve.Embedded;

/// <summary>
/// An in-process Kafka cluster: librdkafka's mock cluster, which speaks the real Kafka wire protocol on loopback
/// TCP listeners, so any Kafka client (Confluent.Kafka in this process, kcat in another) can connect to
/// <see cref="BootstrapServers"/>.
/// </summary>
/// <remarks>
/// <para>Serves produce, fetch, metadata, consumer groups, idempotence and transactions; does not serve
/// CreateTopics/DeleteTopics/DescribeGroups/DescribeConfigs (admin calls wait until they time out), so topics are
/// created with <see cref="CreateTopic"/>. Create a topic before a consumer subscribes to it: auto-created topics
/// get 4 partitions and an early subscribe can fail with an unknown-topic error.</para>
/// <para>Each partition keeps at most 5 MiB and 100,000 batches; older batches are dropped. Offsets sent inside a
/// transaction are acknowledged but not stored.</para>
/// <para>Broker ids run from 1 to the broker count. Methods may be called from any thread.</para>
/// </remarks>
public sealed class MockKafkaCluster : IDisposable
{
    private const int ErrorTextLength = 512;

    private readonly Lock _gate = new();
    private IntPtr _handle;
    private IntPtr _cluster;

    private MockKafkaCluster(IntPtr handle, IntPtr cluster, string bootstrapServers, int brokerCount)
    {
        _handle = handle;
        _cluster = cluster;
        BootstrapServers = bootstrapServers;
        BrokerCount = brokerCount;
    }

    /// <summary>The comma-separated <c>host:port</c> list of the brokers' listeners, for <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; }

    /// <summary>The number of brokers; their ids are 1 to this number.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a mock cluster of <paramref name="brokers"/> brokers listening on loopback.</summary>
    /// <param name="brokers">Broker count, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="brokers"/> is less than 1.</exception>
    /// <exception cref="DllNotFoundException">librdkafka could not be loaded.</exception>
    /// <exception cref="InvalidOperationException">librdkafka refused to create the client handle or the cluster.</exception>
    public static MockKafkaCluster Start(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        LibrdkafkaLocator.EnsureLoaded();

        IntPtr handle = CreateHandle();
        IntPtr cluster = MockClusterNativeMethods.MockClusterNew(handle, brokers);
        if (cluster == IntPtr.Zero)
        {
            MockClusterNativeMethods.KafkaDestroy(handle);
            ThrowHelper.ThrowInvalidOperation("librdkafka did not create the mock cluster.");
        }

        string bootstraps = Marshal.PtrToStringUTF8(MockClusterNativeMethods.MockClusterBootstraps(cluster)) ?? string.Empty;
        return new MockKafkaCluster(handle, cluster, bootstraps, brokers);
    }

    /// <summary>Creates <paramref name="name"/> with <paramref name="partitions"/> partitions.</summary>
    /// <param name="name">Topic name.</param>
    /// <param name="partitions">Partition count, at least 1.</param>
    /// <param name="replicationFactor">Replicas per partition; 0 means the broker count capped at 3.</param>
    /// <exception cref="KafkaException">The mock refused, e.g. <see cref="ErrorCode.TopicAlreadyExists"/>.</exception>
    public void CreateTopic(string name, int partitions, int replicationFactor = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(replicationFactor);
        int replicas = replicationFactor == 0 ? Math.Min(BrokerCount, 3) : replicationFactor;
        ThrowIfError(MockClusterNativeMethods.MockTopicCreate(Cluster(), name, partitions, replicas), "create topic");
    }

    /// <summary>
    /// Disconnects broker <paramref name="brokerId"/>'s clients and refuses new connections until
    /// <see cref="SetBrokerUp"/>. Leadership does not move: partitions it leads are unavailable meanwhile.
    /// </summary>
    /// <param name="brokerId">Broker id (1-based), or -1 for all brokers.</param>
    public void SetBrokerDown(int brokerId) =>
        ThrowIfError(MockClusterNativeMethods.MockBrokerSetDown(Cluster(), brokerId), "set broker down");

    /// <summary>Lets broker <paramref name="brokerId"/> accept connections again.</summary>
    /// <param name="brokerId">Broker id (1-based), or -1 for all brokers.</param>
    public void SetBrokerUp(int brokerId) =>
        ThrowIfError(MockClusterNativeMethods.MockBrokerSetUp(Cluster(), brokerId), "set broker up");

    /// <summary>Delays every response of broker <paramref name="brokerId"/> by <paramref name="roundTrip"/>.</summary>
    /// <param name="brokerId">Broker id (1-based), or -1 for all brokers.</param>
    /// <param name="roundTrip">Added round-trip time, whole milliseconds; zero removes it.</param>
    public void SetBrokerRtt(int brokerId, TimeSpan roundTrip)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(roundTrip, TimeSpan.Zero);
        ThrowIfError(
            MockClusterNativeMethods.MockBrokerSetRtt(Cluster(), brokerId, checked((int)roundTrip.TotalMilliseconds)),
            "set broker rtt");
    }

    /// <summary>
    /// Makes the next <paramref name="errors"/>.Length requests of Kafka protocol type <paramref name="apiKey"/>
    /// (e.g. 0 = Produce, 1 = Fetch), on any broker, fail with these codes in order.
    /// <see cref="ErrorCode.Local_Transport"/> makes the broker drop the connection instead of answering.
    /// </summary>
    /// <param name="apiKey">Kafka protocol ApiKey.</param>
    /// <param name="errors">Codes to answer with, first one first.</param>
    public unsafe void PushRequestErrors(short apiKey, params ErrorCode[] errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Length == 0)
        {
            return;
        }

        // ErrorCode is an int enum with librdkafka's rd_kafka_resp_err_t values, so the array is passed as is.
        fixed (ErrorCode* codes = errors)
        {
            MockClusterNativeMethods.MockPushRequestErrorsArray(Cluster(), apiKey, (nuint)errors.Length, (int*)codes);
        }
    }

    /// <summary>Drops the errors still queued for <paramref name="apiKey"/> by <see cref="PushRequestErrors"/>.</summary>
    /// <param name="apiKey">Kafka protocol ApiKey.</param>
    public void ClearRequestErrors(short apiKey) =>
        MockClusterNativeMethods.MockClearRequestErrors(Cluster(), apiKey);

    /// <summary>
    /// Sets the broker setting <c>group.initial.rebalance.delay.ms</c> (3 s by default): how long the first join
    /// of an empty group waits for more members.
    /// </summary>
    /// <param name="delay">Delay, whole milliseconds.</param>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        MockClusterNativeMethods.MockGroupInitialRebalanceDelayMs(Cluster(), checked((int)delay.TotalMilliseconds));
    }

    /// <summary>Moves the leadership of one partition to <paramref name="brokerId"/>.</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partition">Partition number.</param>
    /// <param name="brokerId">New leader's broker id (1-based), or -1 for no leader.</param>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ThrowIfError(MockClusterNativeMethods.MockPartitionSetLeader(Cluster(), topic, partition, brokerId), "set partition leader");
    }

    /// <summary>Makes <paramref name="brokerId"/> the coordinator of a consumer group or transactional id.</summary>
    /// <param name="keyType"><c>group</c> or <c>transaction</c>.</param>
    /// <param name="key">The group id or transactional id.</param>
    /// <param name="brokerId">Broker id (1-based).</param>
    public void SetCoordinator(string keyType, string key, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(keyType);
        ArgumentException.ThrowIfNullOrEmpty(key);
        ThrowIfError(MockClusterNativeMethods.MockCoordinatorSet(Cluster(), keyType, key, brokerId), "set coordinator");
    }

    /// <summary>Stops the brokers (clients see their connections close) and frees the native handles.</summary>
    public void Dispose()
    {
        IntPtr cluster;
        IntPtr handle;
        lock (_gate)
        {
            cluster = _cluster;
            handle = _handle;
            _cluster = IntPtr.Zero;
            _handle = IntPtr.Zero;
        }

        if (cluster != IntPtr.Zero)
        {
            MockClusterNativeMethods.MockClusterDestroy(cluster);
        }

        if (handle != IntPtr.Zero)
        {
            MockClusterNativeMethods.KafkaDestroy(handle);
        }
    }

    private static unsafe IntPtr CreateHandle()
    {
        byte* error = stackalloc byte[ErrorTextLength];
        IntPtr conf = MockClusterNativeMethods.ConfNew();

        // The handle only does the mock's book keeping and never connects anywhere; log_level 4 keeps warnings but
        // drops its "no bootstrap.servers configured" notice.
        if (!TrySet(conf, "client.id", "sieve-mock-cluster", error) || !TrySet(conf, "log_level", "4", error))
        {
            MockClusterNativeMethods.ConfDestroy(conf);
            ThrowHelper.ThrowInvalidOperation("librdkafka rejected the mock handle's configuration: " + ReadError(error));
        }

        IntPtr handle = MockClusterNativeMethods.KafkaNew(MockClusterNativeMethods.ProducerType, conf, error, ErrorTextLength);
        if (handle == IntPtr.Zero)
        {
            MockClusterNativeMethods.ConfDestroy(conf);
            ThrowHelper.ThrowInvalidOperation("librdkafka did not create the handle for the mock cluster: " + ReadError(error));
        }

        return handle;
    }

    private static unsafe bool TrySet(IntPtr conf, string name, string value, byte* error) =>
        MockClusterNativeMethods.ConfSet(conf, name, value, error, ErrorTextLength) == MockClusterNativeMethods.ConfOk;

    private static unsafe string ReadError(byte* error) => Marshal.PtrToStringUTF8((IntPtr)error) ?? string.Empty;

    private static void ThrowIfError(int code, string operation)
    {
        if (code != 0)
        {
            ThrowHelper.ThrowKafka((ErrorCode)code, operation);
        }
    }

    private IntPtr Cluster()
    {
        IntPtr cluster = _cluster;
        if (cluster == IntPtr.Zero)
        {
            ThrowHelper.ThrowDisposed();
        }

        return cluster;
    }
}
