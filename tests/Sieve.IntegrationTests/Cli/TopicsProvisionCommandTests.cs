using System.Collections;
using Sieve.Commands;
using Sieve.Commands.TopicProvisioning;
using Sieve.Contracts;
using Sieve.Core.Erasure;
using Sieve.Embedded;
using Sieve.Testing.Cli;

namespace Sieve.IntegrationTests.Cli;

public sealed class TopicsProvisionCommandTests
{
    // Hang guard only: the command's own --timeout bounds every step.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Dry_run_prints_the_plan_as_a_table_without_a_broker()
    {
        CliResult result = await CliRunner.RunAsync("topics", "provision", "--dry-run", "--bootstrap", "127.0.0.1:1", "--partitions", "6", "--replication-factor", "2");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("", result.Error);
        Assert.Contains("plan: 16 topics for policy embedded:default-policy.json", result.Out, StringComparison.Ordinal);
        Assert.Contains("; every topic: message.timestamp.type=CreateTime min.insync.replicas=1", result.Out, StringComparison.Ordinal);
        string[][] rows = Rows(result.Out);
        Assert.Equal(["telematics.raw.v1", "6", "2", "delete", "259200000", "86400000"], Row(rows, "telematics.raw.v1"));
        Assert.Equal(["consent.changes.v1", "3", "2", "compact", "-", "-"], Row(rows, "consent.changes.v1"));
        Assert.Equal(["positioning.v1", "6", "2", "delete", "604800000", "86400000"], Row(rows, "positioning.v1"));
        Assert.Equal(["personalization.v1", "6", "2", "delete", "15552000000", "604800000"], Row(rows, "personalization.v1"));
        Assert.Equal(["analytics.v1", "6", "2", "delete", "63072000000", "604800000"], Row(rows, "analytics.v1"));
        Assert.Equal(["quality.v1", "6", "2", "delete", "157680000000", "604800000"], Row(rows, "quality.v1"));
        Assert.Equal(["marketing.v1", "6", "2", "delete", "7776000000", "604800000"], Row(rows, "marketing.v1"));
        Assert.Equal(["erasure.notices.v1", "3", "2", "compact,delete", "157680000000", "604800000"], Row(rows, "erasure.notices.v1"));
        Assert.Equal(["quality.escrow.v1", "3", "2", "compact,delete", "157680000000", "604800000"], Row(rows, "quality.escrow.v1"));
        Assert.Equal(["recall.audit.v1", "3", "2", "delete", "315360000000", "604800000"], Row(rows, "recall.audit.v1"));
        Assert.Equal(16, rows.Length);
        Assert.Contains("  erasure.requests.v1: identifiers: kept for the one-month answer deadline", result.Out, StringComparison.Ordinal);
        Assert.Contains("  quality.escrow.v1: restricted: readable only by the Minimizer (write) and the recall resolver (read); holds VINs under the recall key", result.Out, StringComparison.Ordinal);
        Assert.Contains("  positioning.v1: positioning: kept 7 days, the policy's retention or shorter", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dry_run_takes_retention_and_a_policy_file()
    {
        CliResult result = await CliRunner.RunAsync("topics", "provision", "--dry-run", "--policy", CliRunner.DefaultPolicyFile,
            "--retention", "positioning=2", "--retention", "analytics=400");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("default-policy.json (version 2026-11-01)", result.Out, StringComparison.Ordinal);
        string[][] rows = Rows(result.Out);
        Assert.Equal("172800000", Row(rows, "positioning.v1")[4]);
        Assert.Equal("34560000000", Row(rows, "analytics.v1")[4]);
        Assert.Equal("157680000000", Row(rows, "audit.v1")[4]);
    }

    [Fact]
    public async Task Against_the_mock_cluster_which_does_not_serve_CreateTopics_it_fails_with_one_line_within_its_timeout()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();

        CliResult result = await CliRunner.RunAsync("topics", "provision", "--bootstrap", cluster.BootstrapServers, "--replication-factor", "1", "--timeout", "2")
            .WaitAsync(Guard);

        string line = CliRunner.SingleErrorLine(result, ExitCodes.Failure);
        Assert.Contains("did not complete CreateTopics within 2 s", line, StringComparison.Ordinal);
        Assert.Contains("raise --timeout", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Existing_topics_get_their_configs_set_and_on_the_mock_that_fails_with_one_line_naming_IncrementalAlterConfigs()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        foreach (string topic in new[]
                 {
                     Topics.TelematicsRaw, Topics.WifiRaw, Topics.ConsentChanges, Topics.Positioning, Topics.Personalization, Topics.Analytics,
                     Topics.Quarantine, Topics.Audit, Topics.ErasureRequests, Topics.ErasureNotices, Topics.ErasureReceipts,
                     Topics.QualityEscrow, Topics.RecallAudit, "quality.v1", "marketing.v1",
                     Topics.PendingFor(Topics.Analytics),
                 })
        {
            cluster.CreateTopic(topic, 2);
        }

        CliResult result = await CliRunner.RunAsync("topics", "provision", "--bootstrap", cluster.BootstrapServers, "--replication-factor", "1", "--timeout", "2")
            .WaitAsync(Guard);

        string line = CliRunner.SingleErrorLine(result, ExitCodes.Failure);
        Assert.Contains("did not complete IncrementalAlterConfigs within 2 s", line, StringComparison.Ordinal);
        Assert.Contains("setting configs of 16 existing topics", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replication_factor_above_the_broker_count_is_a_usage_error_naming_the_count()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();

        CliResult result = await CliRunner.RunAsync("topics", "provision", "--bootstrap", cluster.BootstrapServers, "--timeout", "5").WaitAsync(Guard);

        string line = CliRunner.SingleErrorLine(result, ExitCodes.Usage);
        Assert.Contains("--replication-factor 3 is more than the cluster's 1 broker(s); give --replication-factor 1 or less", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_bootstrap_fails_with_one_line_within_the_timeout()
    {
        CliResult result = await CliRunner.RunAsync("topics", "provision", "--bootstrap", "127.0.0.1:1", "--timeout", "2").WaitAsync(Guard);

        string line = CliRunner.SingleErrorLine(result, ExitCodes.Failure);
        Assert.Contains("cannot read cluster metadata via 127.0.0.1:1", line, StringComparison.Ordinal);
        Assert.Contains("check --bootstrap", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--partitions 0", "--partitions must be a whole number from 1 to 10000")]
    [InlineData("--partitions many", "--partitions must be a whole number from 1 to 10000")]
    [InlineData("--replication-factor 17", "--replication-factor must be a whole number from 1 to 16")]
    [InlineData("--retention positioning", "--retention must be PURPOSE=DAYS")]
    [InlineData("--retention positioning=0", "--retention must be PURPOSE=DAYS")]
    [InlineData("--retention positioning=8", "--retention positioning: must be from 1 to the policy's retention of purpose 'positioning' (7 days)")]
    [InlineData("--retention after-sales=8", "--retention after-sales: the policy declares no purpose 'after-sales'")]
    [InlineData("--timeout 0", "--timeout must be a whole number of seconds")]
    [InlineData("--property security.protocol", "--property 'security.protocol': expected NAME=VALUE")]
    [InlineData("--property bootstrap.servers=b:9092", "give bootstrap.servers as --bootstrap")]
    [InlineData("--property no.such.property=1", "Kafka client property 'no.such.property' is not a librdkafka property or its value is not usable")]
    [InlineData("--property security.protocol=s3cret", "Kafka client property 'security.protocol' is not a librdkafka property or its value is not usable")]
    [InlineData("--property security.protocol=SSL --property ssl.ca.location=/nonexistent/ca.pem", "the Kafka client properties (security.protocol, ssl.ca.location) are not usable together")]
    [InlineData("--property security.protocol=SASL_PLAINTEXT --property sasl.mechanism=GSSAPI", "the Kafka client settings are not usable (No provider for SASL mechanism GSSAPI")]
    [InlineData("--properties /nonexistent/kafka.properties", "--properties /nonexistent/kafka.properties cannot be read")]
    [InlineData("--policy /nonexistent/policy.json", "/nonexistent/policy.json")]
    [InlineData("--partition 3", "unknown option '--partition'")]
    [InlineData("--dry-run --dry-run", "--dry-run is given more than once")]
    [InlineData("extra", "unexpected argument 'extra'")]
    public async Task Option_errors_exit_2_with_one_line(string arguments, string expected)
    {
        CliResult result = await CliRunner.RunAsync(["topics", "provision", "--bootstrap", "127.0.0.1:1", .. arguments.Split(' ')]);

        string line = CliRunner.SingleErrorLine(result, ExitCodes.Usage);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_property_value_is_never_echoed()
    {
        CliResult result = await CliRunner.RunAsync("topics", "provision", "--bootstrap", "127.0.0.1:1", "--property", "=s3cret-value");

        string line = CliRunner.SingleErrorLine(result, ExitCodes.Usage);
        Assert.Contains("expected NAME=VALUE", line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_properties_come_from_the_environment_then_the_file_then_the_command_line_and_only_names_are_shown()
    {
        string file = Path.Combine(Path.GetTempPath(), "sieve-kafka-" + Guid.NewGuid().ToString("N") + ".properties");
        await File.WriteAllTextAsync(file, "# client settings\nsecurity.protocol=SASL_SSL\nsasl.mechanism = SCRAM-SHA-512\n\nsasl.username=from-file\n");
        try
        {
            TopicsProvisionSettings? args = SieveCli.Parse<TopicsProvisionSettings>(TopicsProvisionCommand.Name,
                ["--properties", file, "--property", "sasl.username=from-flag", "--property", "sasl.password=pw=with=equals"], out string? problem);
            Assert.True(args is not null, problem);
            IDictionary environment = new Hashtable
            {
                ["Kafka__Properties__security.protocol"] = "SSL",
                ["Kafka__Properties__ssl.endpoint.identification.algorithm"] = "none",
                ["PATH"] = "/usr/bin",
            };

            KafkaClientProperties properties = KafkaClientProperties.From(args, environment);
            var config = new Confluent.Kafka.ClientConfig();
            properties.ApplyTo(config);

            Assert.Equal("SASL_SSL", config.Get("security.protocol"));
            Assert.Equal("SCRAM-SHA-512", config.Get("sasl.mechanism"));
            Assert.Equal("from-flag", config.Get("sasl.username"));
            Assert.Equal("pw=with=equals", config.Get("sasl.password"));
            Assert.Equal("none", config.Get("ssl.endpoint.identification.algorithm"));
            Assert.Equal("sasl.mechanism, sasl.password, sasl.username, security.protocol, ssl.endpoint.identification.algorithm", properties.Describe());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task A_properties_file_line_without_a_name_is_reported_with_its_line_number()
    {
        string file = Path.Combine(Path.GetTempPath(), "sieve-kafka-" + Guid.NewGuid().ToString("N") + ".properties");
        await File.WriteAllTextAsync(file, "security.protocol=SSL\n=oops\n");
        try
        {
            CliResult result = await CliRunner.RunAsync("topics", "provision", "--dry-run", "--properties", file);

            string line = CliRunner.SingleErrorLine(result, ExitCodes.Usage);
            Assert.Contains(file + ":2: expected NAME=VALUE", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string[][] Rows(string output) =>
        output.Split('\n')
            .Select(static l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(static cells => cells.Length == 6 && cells[0].EndsWith(".v1", StringComparison.Ordinal))
            .ToArray();

    private static string[] Row(string[][] rows, string topic) => Assert.Single(rows, r => r[0] == topic);
}
