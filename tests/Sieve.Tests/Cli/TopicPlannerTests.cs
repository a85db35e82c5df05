using Sieve.Commands.TopicProvisioning;
using Sieve.Core.Policy;
using Sieve.Core.Retention;
using Sieve.Testing.Cli;

namespace Sieve.Tests.Cli;

public sealed class TopicPlannerTests
{
    private const string Day = "86400000";
    private const string Week = "604800000";

    [Fact]
    public void The_plan_for_the_default_policy_is_exactly_this()
    {
        IReadOnlyList<TopicPlan> plans = TopicPlanner.Plan(PolicyLoader.LoadDefault(), new RetentionPolicy(PolicyLoader.LoadDefault()), partitions: 12, replicationFactor: 3);

        // name, partitions, cleanup.policy, retention.ms, segment.ms
        (string, int, string, string?, string?)[] expected =
        [
            ("telematics.raw.v1", 12, "delete", "259200000", Day),
            ("wifi.raw.v1", 12, "delete", "259200000", Day),
            ("consent.changes.v1", 3, "compact", null, null),
            ("positioning.v1", 12, "delete", "604800000", Day),
            ("personalization.v1", 12, "delete", "15552000000", Week),
            ("analytics.v1", 12, "delete", "63072000000", Week),
            ("analytics.pending.v1", 12, "delete", "86400000", Day),
            ("quality.v1", 12, "delete", "157680000000", Week),
            ("quality.escrow.v1", 3, "compact,delete", "157680000000", Week),
            ("marketing.v1", 12, "delete", "7776000000", Week),
            ("quarantine.v1", 3, "delete", "2592000000", Day),
            ("audit.v1", 3, "delete", "157680000000", Week),
            ("erasure.requests.v1", 3, "delete", "2592000000", Day),
            ("erasure.notices.v1", 3, "compact,delete", "157680000000", Week),
            ("erasure.receipts.v1", 3, "compact", null, null),
            ("recall.audit.v1", 3, "delete", "315360000000", Week),
        ];
        Assert.Equal(expected, plans.Select(p => (p.Name, p.Partitions, p.Config("cleanup.policy")!, p.Config("retention.ms"), p.Config("segment.ms"))).ToArray());
        foreach (TopicPlan plan in plans)
        {
            Assert.Equal(3, plan.ReplicationFactor);
            Assert.Equal("CreateTime", plan.Config("message.timestamp.type"));
            Assert.Equal("2", plan.Config("min.insync.replicas"));
            int expectedCount = plan.Config("retention.ms") is null ? 3 : 5;
            Assert.Equal(expectedCount, plan.Configs.Count);
        }
    }

    [Fact]
    public void The_escrow_keeps_the_latest_entry_per_pseudonym_for_the_purposes_retention_and_is_marked_restricted_and_the_recall_audit_is_kept_ten_years()
    {
        IReadOnlyList<TopicPlan> plans = TopicPlanner.Plan(PolicyLoader.LoadDefault(), new RetentionPolicy(PolicyLoader.LoadDefault()), partitions: 12, replicationFactor: 3);

        TopicPlan escrow = plans.Single(p => p.Name == "quality.escrow.v1");
        // The topic comes from the policy's recallEscrow; entries older than quality's retention go with its records.
        Assert.Equal("compact,delete", escrow.Config("cleanup.policy"));
        Assert.Equal((1825L * 86_400_000L).ToString(System.Globalization.CultureInfo.InvariantCulture), escrow.Config("retention.ms"));
        Assert.StartsWith("restricted: readable only by the Minimizer (write) and the recall resolver (read)", escrow.Why, StringComparison.Ordinal);
        TopicPlan audit = plans.Single(p => p.Name == "recall.audit.v1");
        Assert.Equal("delete", audit.Config("cleanup.policy"));
        Assert.Equal((3650L * 86_400_000L).ToString(System.Globalization.CultureInfo.InvariantCulture), audit.Config("retention.ms"));
    }

    [Fact]
    public void Purpose_topics_keep_records_as_long_as_the_policy_says_or_shorter()
    {
        var retention = new RetentionPolicy(PolicyLoader.LoadDefault(), new Dictionary<string, int> { ["positioning"] = 2, ["analytics"] = 400 });

        IReadOnlyList<TopicPlan> plans = TopicPlanner.Plan(PolicyLoader.LoadDefault(), retention, partitions: 6, replicationFactor: 1);

        Assert.Equal("172800000", Find(plans, "positioning.v1").Config("retention.ms"));
        Assert.Equal("15552000000", Find(plans, "personalization.v1").Config("retention.ms"));
        Assert.Equal("34560000000", Find(plans, "analytics.v1").Config("retention.ms"));
        // Audit and erasure notices follow the longest purpose retention (quality's 1,825 days).
        Assert.Equal("157680000000", Find(plans, "audit.v1").Config("retention.ms"));
        Assert.Equal("157680000000", Find(plans, "erasure.notices.v1").Config("retention.ms"));
        Assert.All(plans, p => Assert.Equal("1", p.Config("min.insync.replicas")));
        Assert.Equal(6, Find(plans, "analytics.v1").Partitions);
        Assert.Equal(3, Find(plans, "audit.v1").Partitions);
    }

    [Fact]
    public void Purpose_topics_come_from_the_policy()
    {
        string json = File.ReadAllText(CliRunner.DefaultPolicyFile).Replace("\"analytics.v1\"", "\"analytics-eu.v2\"", StringComparison.Ordinal);

        IReadOnlyList<TopicPlan> plans = TopicPlanner.Plan(PolicyLoader.LoadJson(json, "edited"), new RetentionPolicy(PolicyLoader.LoadDefault()), partitions: 1, replicationFactor: 2);

        Assert.Equal("63072000000", Find(plans, "analytics-eu.v2").Config("retention.ms"));
        Assert.DoesNotContain(plans, p => p.Name == "analytics.v1");
        Assert.All(plans, p => Assert.Equal(1, p.Partitions));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(5, 2)]
    public void Min_insync_replicas_lets_one_broker_be_down_from_three_replicas_on(short replicas, int expected) =>
        Assert.Equal(expected, TopicPlanner.MinInSyncReplicas(replicas));

    [Fact]
    public void An_outcome_reports_partitions_and_replicas_that_differ_and_says_they_were_not_changed()
    {
        TopicPlan plan = Find(TopicPlanner.Plan(PolicyLoader.LoadDefault(), new RetentionPolicy(PolicyLoader.LoadDefault()), 12, 3), "positioning.v1");

        Assert.Equal("", new TopicOutcome(plan, TopicAction.Updated, 12, 3).Differences);
        Assert.Equal("has 4 partitions, plan 12 (not changed); has replication factor 1, plan 3 (not changed)",
            new TopicOutcome(plan, TopicAction.Updated, 4, 1).Differences);
    }

    private static TopicPlan Find(IReadOnlyList<TopicPlan> plans, string name) => Assert.Single(plans, p => p.Name == name);
}
