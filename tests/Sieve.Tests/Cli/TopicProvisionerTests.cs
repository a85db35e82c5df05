using System.Reflection;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Sieve.Commands;
using Sieve.Commands.TopicProvisioning;
using Sieve.Core.Policy;
using Sieve.Core.Retention;

namespace Sieve.Tests.Cli;

/// <summary>
/// The provisioner's requests and its reading of broker answers, against a stand-in admin client: the mock cluster
/// serves neither CreateTopics nor IncrementalAlterConfigs, so this is where a real broker's answers are played.
/// </summary>
public sealed class TopicProvisionerTests
{
    private static readonly IReadOnlyList<TopicPlan> Plans = TopicPlanner.Plan(PolicyLoader.LoadDefault(), new RetentionPolicy(PolicyLoader.LoadDefault()), 12, 3);

    [Fact]
    public async Task Creates_each_topic_with_its_planned_partitions_replicas_and_configs()
    {
        FakeAdmin admin = FakeAdmin.Create();
        var provisioner = new TopicProvisioner((IAdminClient)admin, "b:9092", TimeSpan.FromSeconds(5));

        IReadOnlyList<string> existing = await provisioner.CreateAsync(Plans, CancellationToken.None);

        Assert.Empty(existing);
        List<TopicSpecification> created = Assert.Single(admin.Created);
        Assert.Equal(Plans.Select(p => p.Name), created.Select(s => s.Name));
        TopicSpecification notices = created.Single(s => s.Name == "erasure.notices.v1");
        Assert.Equal(3, notices.NumPartitions);
        Assert.Equal(3, notices.ReplicationFactor);
        Assert.Equal(Plans.Single(p => p.Name == "erasure.notices.v1").Configs, notices.Configs);
        Assert.Equal("compact,delete", notices.Configs["cleanup.policy"]);
    }

    [Fact]
    public async Task Topics_created_meanwhile_by_someone_else_are_returned_for_updating()
    {
        FakeAdmin admin = FakeAdmin.Create();
        admin.CreateError = new CreateTopicsException(
        [
            new CreateTopicReport { Topic = "audit.v1", Error = new Error(ErrorCode.TopicAlreadyExists) },
            new CreateTopicReport { Topic = "quarantine.v1", Error = new Error(ErrorCode.NoError) },
        ]);
        var provisioner = new TopicProvisioner((IAdminClient)admin, "b:9092", TimeSpan.FromSeconds(5));

        IReadOnlyList<string> existing = await provisioner.CreateAsync(Plans, CancellationToken.None);

        Assert.Equal(["audit.v1"], existing);
    }

    [Fact]
    public async Task A_refused_create_is_one_failure_line_naming_the_topics_and_the_fix()
    {
        FakeAdmin admin = FakeAdmin.Create();
        admin.CreateError = new CreateTopicsException(
        [
            new CreateTopicReport { Topic = "audit.v1", Error = new Error(ErrorCode.NoError) },
            new CreateTopicReport { Topic = "wifi.raw.v1", Error = new Error(ErrorCode.TopicAuthorizationFailed) },
        ]);
        var provisioner = new TopicProvisioner((IAdminClient)admin, "b:9092", TimeSpan.FromSeconds(5));

        CliException e = await Assert.ThrowsAsync<CliException>(() => provisioner.CreateAsync(Plans, CancellationToken.None));

        Assert.Equal(ExitCodes.Failure, e.ExitCode);
        Assert.Equal("could not create 1 of 16 topics (wifi.raw.v1: TopicAuthorizationFailed); grant this client's principal CREATE on the topics (or the cluster) and run again", e.Message);
    }

    [Fact]
    public async Task Existing_topics_get_every_planned_config_set_incrementally_and_nothing_else()
    {
        FakeAdmin admin = FakeAdmin.Create();
        var provisioner = new TopicProvisioner((IAdminClient)admin, "b:9092", TimeSpan.FromSeconds(5));
        TopicPlan[] existing = [.. Plans.Where(p => p.Name is "consent.changes.v1" or "positioning.v1")];

        await provisioner.UpdateAsync(existing, CancellationToken.None);

        Dictionary<ConfigResource, List<ConfigEntry>> altered = Assert.Single(admin.Altered);
        Assert.Equal(2, altered.Count);
        foreach (TopicPlan plan in existing)
        {
            List<ConfigEntry> entries = altered.Single(pair => pair.Key.Type == ResourceType.Topic && pair.Key.Name == plan.Name).Value;
            Assert.All(entries, entry => Assert.Equal(AlterConfigOpType.Set, entry.IncrementalOperation));
            Assert.Equal(plan.Configs, entries.ToDictionary(entry => entry.Name, entry => entry.Value));
        }
    }

    [Fact]
    public async Task A_refused_config_update_is_one_failure_line_with_the_fix()
    {
        FakeAdmin admin = FakeAdmin.Create();
        admin.AlterError = new IncrementalAlterConfigsException(
        [
            new IncrementalAlterConfigsReport { ConfigResource = new ConfigResource { Type = ResourceType.Topic, Name = "audit.v1" }, Error = new Error(ErrorCode.TopicAuthorizationFailed) },
        ]);
        var provisioner = new TopicProvisioner((IAdminClient)admin, "b:9092", TimeSpan.FromSeconds(5));

        CliException e = await Assert.ThrowsAsync<CliException>(() => provisioner.UpdateAsync(Plans, CancellationToken.None));

        Assert.Equal("could not update the configs of 1 of 16 existing topics (audit.v1: TopicAuthorizationFailed); grant this client's principal ALTER_CONFIGS on the topics (or the cluster) and run again", e.Message);
    }

    [Fact]
    public async Task Cluster_metadata_gives_brokers_and_existing_topics_with_their_partitions_and_replicas()
    {
        FakeAdmin admin = FakeAdmin.Create();
        admin.Metadata = new Metadata(
            [new BrokerMetadata(1, "k1", 9092), new BrokerMetadata(2, "k2", 9092)],
            [
                new TopicMetadata("positioning.v1", [new PartitionMetadata(0, 1, [1, 2], [1, 2], new Error(ErrorCode.NoError)), new PartitionMetadata(1, 2, [2, 1], [2, 1], new Error(ErrorCode.NoError))], new Error(ErrorCode.NoError)),
                new TopicMetadata("audit.v1", [], new Error(ErrorCode.TopicAuthorizationFailed)),
            ],
            1, "k1");
        var provisioner = new TopicProvisioner((IAdminClient)admin, "b:9092", TimeSpan.FromSeconds(5));

        ClusterTopics cluster = await provisioner.ReadClusterAsync(CancellationToken.None);

        Assert.Equal(2, cluster.Brokers);
        Assert.True(cluster.TryGet("positioning.v1", out int partitions, out int replicas));
        Assert.Equal((2, 2), (partitions, replicas));
        Assert.False(cluster.TryGet("audit.v1", out _, out _));
    }

    /// <summary>An <see cref="IAdminClient"/> that records the three calls the provisioner makes and answers as told.</summary>
    public class FakeAdmin : DispatchProxy
    {
        public List<List<TopicSpecification>> Created { get; } = [];

        public List<Dictionary<ConfigResource, List<ConfigEntry>>> Altered { get; } = [];

        public CreateTopicsException? CreateError { get; set; }

        public IncrementalAlterConfigsException? AlterError { get; set; }

        public Metadata? Metadata { get; set; }

        public static FakeAdmin Create() => (FakeAdmin)(object)DispatchProxy.Create<IAdminClient, FakeAdmin>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            switch (targetMethod?.Name)
            {
                case nameof(IAdminClient.CreateTopicsAsync):
                    Created.Add([.. (IEnumerable<TopicSpecification>)args![0]!]);
                    return CreateError is null ? Task.CompletedTask : Task.FromException(CreateError);
                case nameof(IAdminClient.IncrementalAlterConfigsAsync):
                    Altered.Add((Dictionary<ConfigResource, List<ConfigEntry>>)args![0]!);
                    return AlterError is null
                        ? Task.FromResult(new List<IncrementalAlterConfigsResult>())
                        : Task.FromException<List<IncrementalAlterConfigsResult>>(AlterError);
                case nameof(IAdminClient.GetMetadata) when args!.Length == 1:
                    return Metadata ?? throw new KafkaException(ErrorCode.Local_Transport);
                case nameof(IDisposable.Dispose):
                    return null;
                default:
                    throw new NotSupportedException(targetMethod?.Name);
            }
        }
    }
}
