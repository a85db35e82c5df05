using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sieve.Commands.Policy;
using Sieve.Commands.TopicProvisioning;
using Sieve.Core.Policy;
using Sieve.Core.Retention;
using Sieve.Embedded;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.EmbeddedKafka;

/// <summary>
/// <c>sieve kafka</c> (folder <c>Kafka</c>; the namespace is not <c>Kafka</c> so it does not hide Confluent's): runs
/// librdkafka's mock cluster (<see cref="MockKafkaCluster"/>) as a Kafka for this machine, with every topic of the
/// provisioning plan (<see cref="TopicPlanner"/>) created at its planned partition count, reachable on a chosen
/// bootstrap address (<see cref="BootstrapForwarder"/>), until Ctrl+C or SIGTERM.
/// </summary>
internal sealed class KafkaCommand(CliSession session) : SieveCommand<KafkaSettings>(session)
{
    public const string Name = "kafka";

    public const string Summary = "run an in-memory Kafka on this machine (librdkafka's mock cluster) with every Sieve topic, until Ctrl+C";

    public const string DefaultListen = "127.0.0.1:9092";

    public const int DefaultBrokers = 1;

    /// <summary>Most brokers the mock may be asked for.</summary>
    public const int MaxBrokers = 9;

    /// <summary>Most partitions per topic: every partition of the mock keeps its records in this process's memory.</summary>
    public const int MaxPartitions = 1000;

    /// <summary>The line that says what this cluster is, printed once it runs.</summary>
    public const string InMemoryNotice =
        "in-memory test cluster: everything in it is lost when it stops, and each partition keeps only its last ~5 MiB (older records are dropped)";

    public static string Usage => $"""
        Usage: sieve kafka [--listen HOST:PORT] [--brokers N] [--partitions N] [--policy FILE]

        Runs librdkafka's mock cluster, an in-memory stand-in for Kafka that speaks the real wire protocol, so that
        the services and the other commands can run on a machine without a broker or Docker. It creates every
        topic 'sieve topics provision --dry-run' plans (the raw topics, consent.changes.v1, one topic per purpose of
        the policy, the ops, erasure and recall topics) with its planned partition count (topic configs such as
        retention and compaction are not applied: the mock keeps at most ~5 MiB per partition whatever they say),
        prints the bootstrap address, and runs until Ctrl+C or SIGTERM. Everything is lost when it stops. The
        brokers listen on loopback ports the system picks; --listen is a relay to the first broker that clients
        bootstrap from, after which they connect to the brokers' own loopback addresses. Not for production: no
        durability, no CreateTopics or DeleteTopics, no security.

        Options:
          --listen HOST:PORT  the bootstrap address to listen on, a loopback address or localhost (default {DefaultListen});
                              port 0 picks a free port, printed at start
          --brokers N         brokers in the cluster, 1 to {MaxBrokers} (default {DefaultBrokers}); topics get min(N, 3) replicas
          --partitions N      partitions of the raw and purpose topics, 1 to {MaxPartitions} (default {TopicPlanner.DefaultPartitions});
                              the other topics get at most {TopicPlanner.MaxControlPartitions}
          --policy FILE       the policy whose purposes get topics (default: the shipped policy)

        Example:
          sieve kafka --listen 127.0.0.1:9092 --partitions 4
        """;

    protected override async Task<int> RunAsync(KafkaSettings settings, CancellationToken cancellationToken)
    {
        IAnsiConsole console = Console;
        CompiledPolicy policy = PolicyFiles.Load(settings.Policy);
        RetentionPolicy retention = TopicsProvisionCommand.ParseRetention(policy, []);
        short replicas = (short)Math.Min(settings.BrokerCount, 3);
        IReadOnlyList<TopicPlan> plans = TopicPlanner.Plan(policy, retention, settings.PartitionCount, replicas);

        using MockKafkaCluster cluster = MockKafkaCluster.Start(settings.BrokerCount);
        foreach (TopicPlan plan in plans)
        {
            cluster.CreateTopic(plan.Name, plan.Partitions, plan.ReplicationFactor);
        }

        BootstrapForwarder forwarder;
        try
        {
            forwarder = BootstrapForwarder.Start(settings.ListenEndPoint!, FirstBroker(cluster.BootstrapServers));
        }
        catch (SocketException e)
        {
            return ThrowHelper.Failure<int>($"cannot listen on {settings.Listen} ({e.SocketErrorCode}); stop what listens there or give another --listen");
        }

        await using (forwarder.ConfigureAwait(false))
        {
            string bootstrap = Address(settings.ListenEndPoint!.Address, forwarder.Listening.Port);
            PlainText.WriteLine(console, string.Create(CultureInfo.InvariantCulture,
                $"librdkafka mock cluster: {cluster.BrokerCount} broker(s) on {cluster.BootstrapServers}; {plans.Count} topics for policy {policy.Source} (version {policy.PolicyVersion}):"));
            int width = plans.Max(static p => p.Name.Length);
            foreach (TopicPlan plan in plans)
            {
                PlainText.WriteLine(console, string.Create(CultureInfo.InvariantCulture, $"  {plan.Name.PadRight(width)}  {plan.Partitions} partition(s)"));
            }

            PlainText.WriteLine(console, InMemoryNotice);
            PlainText.WriteLine(console, "bootstrap: " + bootstrap);
            PlainText.WriteLine(console, "running; Ctrl+C stops it");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: the normal way to stop.
            }
        }

        PlainText.WriteLine(console, "stopped; its topics and records are gone");
        return ExitCodes.Ok;
    }

    private static DnsEndPoint FirstBroker(string bootstrapServers)
    {
        string first = bootstrapServers.Split(',')[0];
        int colon = first.LastIndexOf(':');
        return new DnsEndPoint(first[..colon], int.Parse(first[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture));
    }

    private static string Address(IPAddress address, int port) =>
        (address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString())
        + ":" + port.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The options of <c>sieve kafka</c>.</summary>
internal sealed class KafkaSettings : SieveSettings
{
    /// <summary><c>--listen HOST:PORT</c>, as given.</summary>
    [CommandOption("--listen <HOST:PORT>")]
    public string Listen { get; init; } = KafkaCommand.DefaultListen;

    /// <summary><c>--brokers N</c>, as given.</summary>
    [CommandOption("--brokers <N>")]
    public string? Brokers { get; init; }

    /// <summary><c>--partitions N</c>, as given.</summary>
    [CommandOption("--partitions <N>")]
    public string? Partitions { get; init; }

    /// <summary><c>--policy FILE</c>; null for the shipped policy.</summary>
    [CommandOption("--policy <FILE>")]
    public string? Policy { get; init; }

    /// <summary>The address to listen on, once validated.</summary>
    public IPEndPoint? ListenEndPoint { get; private set; }

    /// <summary>Brokers, once validated.</summary>
    public int BrokerCount { get; private set; } = KafkaCommand.DefaultBrokers;

    /// <summary>Partitions of the raw and purpose topics, once validated.</summary>
    public int PartitionCount { get; private set; } = TopicPlanner.DefaultPartitions;

    protected override string CommandName => KafkaCommand.Name;

    public override ValidationResult Validate()
    {
        int colon = Listen.LastIndexOf(':');
        string host = colon > 0 ? Listen[..colon].Trim('[', ']') : "";
        IPAddress? address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed : null;
        if (address is null || !TryDigits(Listen[(colon + 1)..], 0, 65535, out int port))
        {
            return ValidationResult.Error("--listen must be HOST:PORT with an IP address or localhost and a port from 0 to 65535, e.g. " + KafkaCommand.DefaultListen);
        }

        if (!IPAddress.IsLoopback(address))
        {
            // The brokers behind it listen on loopback only: another address would only expose an unauthenticated port.
            return ValidationResult.Error("--listen must be a loopback address (127.0.0.1, ::1 or localhost): the mock's brokers listen on loopback only");
        }

        ListenEndPoint = new IPEndPoint(address, port);
        if (Brokers is not null)
        {
            if (!TryDigits(Brokers, 1, KafkaCommand.MaxBrokers, out int brokers))
            {
                return ValidationResult.Error(string.Create(CultureInfo.InvariantCulture, $"--brokers must be a whole number from 1 to {KafkaCommand.MaxBrokers}"));
            }

            BrokerCount = brokers;
        }

        if (Partitions is not null)
        {
            if (!TryDigits(Partitions, 1, KafkaCommand.MaxPartitions, out int partitions))
            {
                return ValidationResult.Error(string.Create(CultureInfo.InvariantCulture, $"--partitions must be a whole number from 1 to {KafkaCommand.MaxPartitions}"));
            }

            PartitionCount = partitions;
        }

        return ValidationResult.Success();
    }
}
