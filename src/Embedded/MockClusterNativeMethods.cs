using System.Runtime.InteropServices;

namespace Sieve.Embedded;

/// <summary>
/// P/Invoke declarations for the parts of librdkafka's C API (rdkafka.h, rdkafka_mock.h) that host a mock cluster.
/// Pointers are opaque native handles: <c>rd_kafka_conf_t*</c>, <c>rd_kafka_t*</c>, <c>rd_kafka_mock_cluster_t*</c>.
/// Error results are <c>rd_kafka_resp_err_t</c> values, which match <see cref="Confluent.Kafka.ErrorCode"/>.
/// </summary>
/// <remarks>
/// The library name is resolved by <see cref="LibrdkafkaLocator"/>; call <see cref="LibrdkafkaLocator.EnsureLoaded"/>
/// before the first call. The mock API is declared experimental by librdkafka; these signatures are those of 2.16.
/// </remarks>
internal static unsafe partial class MockClusterNativeMethods
{
    /// <summary><c>RD_KAFKA_PRODUCER</c>.</summary>
    internal const int ProducerType = 0;

    /// <summary><c>RD_KAFKA_CONF_OK</c>.</summary>
    internal const int ConfOk = 0;

    private const string Lib = LibrdkafkaLocator.LibraryName;

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_new")]
    internal static partial IntPtr ConfNew();

    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_destroy")]
    internal static partial void ConfDestroy(IntPtr conf);

    /// <summary>Sets a property; <paramref name="errstr"/> receives a NUL-terminated message of at most <paramref name="errstrSize"/> bytes.</summary>
    [LibraryImport(Lib, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ConfSet(IntPtr conf, string name, string value, byte* errstr, nuint errstrSize);

    /// <summary>Creates a client handle; on success it owns <paramref name="conf"/>, on failure the caller still does.</summary>
    [LibraryImport(Lib, EntryPoint = "rd_kafka_new")]
    internal static partial IntPtr KafkaNew(int type, IntPtr conf, byte* errstr, nuint errstrSize);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_destroy")]
    internal static partial void KafkaDestroy(IntPtr rk);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_cluster_new")]
    internal static partial IntPtr MockClusterNew(IntPtr rk, int brokerCount);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    internal static partial void MockClusterDestroy(IntPtr mcluster);

    /// <summary>Returns a NUL-terminated string owned by the cluster, valid until it is destroyed.</summary>
    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial IntPtr MockClusterBootstraps(IntPtr mcluster);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockTopicCreate(IntPtr mcluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_broker_set_down")]
    internal static partial int MockBrokerSetDown(IntPtr mcluster, int brokerId);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_broker_set_up")]
    internal static partial int MockBrokerSetUp(IntPtr mcluster, int brokerId);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    internal static partial int MockBrokerSetRtt(IntPtr mcluster, int brokerId, int rttMs);

    /// <summary>The array form of the variadic <c>rd_kafka_mock_push_request_errors</c>; <paramref name="errors"/> holds <paramref name="count"/> codes.</summary>
    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    internal static partial void MockPushRequestErrorsArray(IntPtr mcluster, short apiKey, nuint count, int* errors);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_clear_request_errors")]
    internal static partial void MockClearRequestErrors(IntPtr mcluster, short apiKey);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    internal static partial void MockGroupInitialRebalanceDelayMs(IntPtr mcluster, int delayMs);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_partition_set_leader", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockPartitionSetLeader(IntPtr mcluster, string topic, int partition, int brokerId);

    [LibraryImport(Lib, EntryPoint = "rd_kafka_mock_coordinator_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int MockCoordinatorSet(IntPtr mcluster, string keyType, string key, int brokerId);
}
