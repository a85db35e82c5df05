using System.Globalization;
using Confluent.Kafka;
using Sieve.Commands.Policy;
using Sieve.Core.Policy;
using Sieve.Core.Retention;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.TopicProvisioning;

/// <summary>
/// <c>sieve topics provision</c> (folder <c>Topics</c>; the namespace is not <c>Topics</c> so it does not hide
/// <see cref="Sieve.Contracts.Topics"/>): creates every Sieve topic on a real broker with the planned partitions, replicas
/// and configs (<see cref="TopicPlanner"/>), sets the planned configs on topics that already exist, and reports
/// partition counts that differ. Never deletes a topic or changes its partitions.
/// </summary>
internal sealed class TopicsProvisionCommand(CliSession session) : SieveCommand<TopicsProvisionSettings>(session)
{
    public const string Name = "topics provision";

    public const string Summary = "create or update every Sieve topic on a Kafka cluster (partitions, compaction, retention)";

    public const string DefaultBootstrap = "localhost:9092";

    public const int DefaultTimeoutSeconds = 30;

    /// <summary>Most partitions a topic may be planned with.</summary>
    public const int MaxPartitions = 10_000;

    /// <summary>Most replicas a topic may be planned with.</summary>
    public const short MaxReplicationFactor = 16;

    public static string Usage => $"""
        Usage: sieve topics provision [--bootstrap HOST:PORT] [--partitions N] [--replication-factor N]
                                      [--policy FILE] [--retention PURPOSE=DAYS]... [--dry-run]
                                      [--property NAME=VALUE]... [--properties FILE] [--timeout SECONDS]

        Creates every topic Sieve uses: telematics.raw.v1 and wifi.raw.v1, consent.changes.v1 (compacted), one
        topic per purpose of the policy (retention.ms = the purpose's retention in the policy),
        quarantine.v1, audit.v1 and the erasure topics. Topics that exist get the planned configs
        (IncrementalAlterConfigs); their partitions are reported when they differ, never changed, and nothing
        is ever deleted. --dry-run prints the plan and contacts no broker.

        Options:
          --bootstrap HOST:PORT  Kafka bootstrap servers (default {DefaultBootstrap})
          --partitions N         partitions of the raw and purpose topics, 1 to {MaxPartitions} (default
                                 {TopicPlanner.DefaultPartitions}); the other topics get at most {TopicPlanner.MaxControlPartitions}
          --replication-factor N replicas per partition, 1 to {MaxReplicationFactor} (default {TopicPlanner.DefaultReplicationFactor});
                                 min.insync.replicas is 2 from 3 replicas on, else 1
          --policy FILE          the policy whose purposes get topics (default: the shipped policy)
          --retention P=DAYS     keep purpose P's topic DAYS days, shorter than the policy's retention (as the
                                 Sink's Sink:Retention:P may shorten the lake's); repeat for more
          --dry-run              print the plan as a table and stop
          --timeout SECONDS      how long each step may wait for the cluster (default {DefaultTimeoutSeconds})
        {KafkaClientProperties.UsageLines}

        Example:
          sieve topics provision --bootstrap kafka-1:9093,kafka-2:9093 --property security.protocol=SASL_SSL \
            --properties /etc/sieve/kafka-client.properties
        """;

    protected override async Task<int> RunAsync(TopicsProvisionSettings settings, CancellationToken cancellationToken)
    {
        IAnsiConsole console = Console;
        int partitions = settings.PartitionCount;
        short replicationFactor = settings.Replicas;
        string bootstrap = settings.Bootstrap;
        int timeoutSeconds = settings.TimeoutSeconds;
        KafkaClientProperties properties = KafkaClientProperties.From(settings);
        CompiledPolicy policy = PolicyFiles.Load(settings.Policy);
        RetentionPolicy retention = ParseRetention(policy, settings.Retention);
        IReadOnlyList<TopicPlan> plans = TopicPlanner.Plan(policy, retention, partitions, replicationFactor);

        if (settings.DryRun)
        {
            PlainText.WriteLine(console, string.Create(CultureInfo.InvariantCulture,
                $"plan: {plans.Count} topics for policy {policy.Source} (version {policy.PolicyVersion}); dry run, no broker contacted"));
            console.Write(TopicTables.Plan(plans));
            PlainText.WriteLine(console, TopicTables.SharedConfigs(plans));
            foreach (TopicPlan plan in plans)
            {
                PlainText.WriteLine(console, $"  {plan.Name}: {plan.Why}");
            }
            return ExitCodes.Ok;
        }

        using IAdminClient admin = BuildAdmin(bootstrap, properties, timeoutSeconds);
        var provisioner = new TopicProvisioner(admin, bootstrap, TimeSpan.FromSeconds(timeoutSeconds));
        PlainText.WriteLine(console, $"provisioning {plans.Count} topics via {bootstrap} (client properties: {properties.Describe()})");

        List<TopicOutcome> outcomes = await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new SpinnerColumn(), new ElapsedTimeColumn())
            .StartAsync(context => ProvisionAsync(context, provisioner, plans, replicationFactor, cancellationToken)).ConfigureAwait(false);

        console.Write(TopicTables.Outcomes(outcomes));
        int created = outcomes.Count(static o => o.Action == TopicAction.Created);
        int differing = outcomes.Count(static o => o.Differences.Length > 0);
        PlainText.WriteLine(console, string.Create(CultureInfo.InvariantCulture,
            $"created {created}, configs set on {outcomes.Count - created} existing; {differing} differ from the plan in partitions or replicas (not changed)"));
        return ExitCodes.Ok;
    }

    private static async Task<List<TopicOutcome>> ProvisionAsync(ProgressContext context, TopicProvisioner provisioner,
        IReadOnlyList<TopicPlan> plans, short replicationFactor, CancellationToken cancellationToken)
    {
        ProgressTask reading = context.AddTask("reading cluster metadata", maxValue: 1);
        ClusterTopics cluster = await provisioner.ReadClusterAsync(cancellationToken).ConfigureAwait(false);
        reading.Increment(1);
        if (replicationFactor > cluster.Brokers)
        {
            ThrowHelper.Usage($"--replication-factor {replicationFactor} is more than the cluster's {cluster.Brokers} broker(s); give --replication-factor {cluster.Brokers} or less");
        }

        var missing = new List<TopicPlan>();
        var existing = new List<TopicPlan>();
        foreach (TopicPlan plan in plans)
        {
            (cluster.TryGet(plan.Name, out _, out _) ? existing : missing).Add(plan);
        }

        ProgressTask creating = context.AddTask($"creating {missing.Count} topics", maxValue: Math.Max(1, missing.Count));
        IReadOnlyList<string> raced = await provisioner.CreateAsync(missing, cancellationToken).ConfigureAwait(false);
        creating.Value = creating.MaxValue;
        foreach (string name in raced)
        {
            TopicPlan plan = missing.First(p => p.Name == name);
            missing.Remove(plan);
            existing.Add(plan);
        }

        ProgressTask updating = context.AddTask($"setting configs of {existing.Count} existing topics", maxValue: Math.Max(1, existing.Count));
        await provisioner.UpdateAsync(existing, cancellationToken).ConfigureAwait(false);
        updating.Value = updating.MaxValue;

        // Read again: created topics now show their real layout, and existing ones their unchanged partitions.
        ProgressTask checking = context.AddTask("checking the result", maxValue: 1);
        ClusterTopics after = await provisioner.ReadClusterAsync(cancellationToken).ConfigureAwait(false);
        checking.Increment(1);
        var outcomes = new List<TopicOutcome>(plans.Count);
        foreach (TopicPlan plan in plans)
        {
            TopicAction action = missing.Contains(plan) ? TopicAction.Created : TopicAction.Updated;
            if (!after.TryGet(plan.Name, out int actualPartitions, out int actualReplicas))
            {
                (actualPartitions, actualReplicas) = cluster.TryGet(plan.Name, out int p, out int r) ? (p, r) : (plan.Partitions, plan.ReplicationFactor);
            }

            outcomes.Add(new TopicOutcome(plan, action, actualPartitions, actualReplicas));
        }

        return outcomes;
    }

    private static IAdminClient BuildAdmin(string bootstrap, KafkaClientProperties properties, int timeoutSeconds)
    {
        var config = new AdminClientConfig { ClientId = "sieve-cli" };
        properties.ApplyTo(config);
        config.BootstrapServers = bootstrap;
        config.SocketTimeoutMs = Math.Min(timeoutSeconds * 1000, 60_000);
        try
        {
            // librdkafka's own log and error lines would bury the one line that says what went wrong.
            return new AdminClientBuilder(config)
                .SetLogHandler(static (_, _) => { })
                .SetErrorHandler(static (_, _) => { })
                .Build();
        }
        catch (Exception e) when (e is KafkaException or ArgumentException or InvalidOperationException)
        {
            return ThrowHelper.Usage<IAdminClient>(
                $"the Kafka client settings are not usable ({FirstLine(e.Message)}); check --bootstrap and the --property/--properties names and values");
        }
    }

    /// <summary>The retention per purpose: the policy's, shortened by each <c>--retention PURPOSE=DAYS</c>.</summary>
    internal static RetentionPolicy ParseRetention(CompiledPolicy policy, IReadOnlyList<string> pairs)
    {
        var days = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            int value = 0;
            if (equals <= 0 || !int.TryParse(pair.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out value) || value is < 1 or > 36_500)
            {
                ThrowHelper.Usage("--retention must be PURPOSE=DAYS with DAYS from 1 to 36500, e.g. --retention positioning=7");
            }

            string purpose = pair[..equals];
            string? problem = RetentionPolicy.Check(policy, purpose, value);
            if (problem is not null)
            {
                ThrowHelper.Usage("--retention " + purpose + ": " + problem);
            }

            days[purpose] = value;
        }

        return new RetentionPolicy(policy, days);
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline >= 0 ? message[..newline] : message;
    }
}

/// <summary>The options of <c>sieve topics provision</c>.</summary>
internal sealed class TopicsProvisionSettings : KafkaClientSettings
{
    /// <summary><c>--bootstrap</c>.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string Bootstrap { get; init; } = TopicsProvisionCommand.DefaultBootstrap;

    /// <summary><c>--partitions</c>, as given.</summary>
    [CommandOption("--partitions <N>")]
    public string? Partitions { get; init; }

    /// <summary><c>--replication-factor</c>, as given.</summary>
    [CommandOption("--replication-factor <N>")]
    public string? ReplicationFactor { get; init; }

    /// <summary><c>--policy FILE</c>; null for the shipped policy.</summary>
    [CommandOption("--policy <FILE>")]
    public string? Policy { get; init; }

    /// <summary><c>--retention PURPOSE=DAYS</c>, repeatable.</summary>
    [CommandOption("--retention <PURPOSE=DAYS>")]
    public string[] Retention { get; init; } = [];

    /// <summary><c>--dry-run</c>.</summary>
    [CommandOption("--dry-run")]
    public bool DryRun { get; init; }

    /// <summary><c>--timeout</c>, as given.</summary>
    [CommandOption("--timeout <SECONDS>")]
    public string? Timeout { get; init; }

    /// <summary>Partitions of the raw and purpose topics, once validated.</summary>
    public int PartitionCount { get; private set; } = TopicPlanner.DefaultPartitions;

    /// <summary>Replicas per partition, once validated.</summary>
    public short Replicas { get; private set; } = TopicPlanner.DefaultReplicationFactor;

    /// <summary>Seconds each step may wait, once validated.</summary>
    public int TimeoutSeconds { get; private set; }

    protected override string CommandName => TopicsProvisionCommand.Name;

    public override ValidationResult Validate()
    {
        if (Partitions is not null)
        {
            if (!TryDigits(Partitions, 1, TopicsProvisionCommand.MaxPartitions, out int partitions))
            {
                return ValidationResult.Error(string.Create(CultureInfo.InvariantCulture, $"--partitions must be a whole number from 1 to {TopicsProvisionCommand.MaxPartitions}"));
            }

            PartitionCount = partitions;
        }

        if (ReplicationFactor is not null)
        {
            if (!TryDigits(ReplicationFactor, 1, TopicsProvisionCommand.MaxReplicationFactor, out int replicas))
            {
                return ValidationResult.Error(string.Create(CultureInfo.InvariantCulture, $"--replication-factor must be a whole number from 1 to {TopicsProvisionCommand.MaxReplicationFactor}"));
            }

            Replicas = (short)replicas;
        }

        if (string.IsNullOrWhiteSpace(Bootstrap))
        {
            return ValidationResult.Error("--bootstrap must not be empty; give HOST:PORT[,HOST:PORT]");
        }

        ValidationResult result = CheckTimeout(Timeout, TopicsProvisionCommand.DefaultTimeoutSeconds, out int seconds);
        TimeoutSeconds = seconds;
        return result;
    }
}
