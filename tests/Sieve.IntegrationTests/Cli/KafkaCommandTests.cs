using System.Text;
using Confluent.Kafka;
using Sieve.Commands;
using Sieve.Commands.EmbeddedKafka;
using Sieve.Commands.Policy;
using Sieve.Commands.TopicProvisioning;
using Sieve.Contracts;
using Sieve.Core.Policy;
using Sieve.Embedded;
using Sieve.Testing.Cli;
using Sieve.Testing.Harness;

namespace Sieve.IntegrationTests.Cli;

public sealed class KafkaCommandTests
{
    // Hang guard only: the mock starts in milliseconds.
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task It_serves_every_planned_topic_with_its_planned_partitions_and_a_record_goes_through_the_printed_bootstrap()
    {
        int port = LoopbackPorts.Free();
        await using RunningCommand kafka = RunningCommand.Start("kafka", "--listen", "127.0.0.1:" + port, "--partitions", "5");
        string bootstrap = await kafka.WaitForLineAsync("bootstrap: ", Guard);

        Assert.Equal("127.0.0.1:" + port, bootstrap);
        Assert.Contains(KafkaCommand.InMemoryNotice, kafka.Out, StringComparison.Ordinal);

        CompiledPolicy policy = PolicyFiles.Load(null);
        IReadOnlyList<TopicPlan> plans = TopicPlanner.Plan(policy, TopicsProvisionCommand.ParseRetention(policy, []), 5, 1);
        using (IAdminClient admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build())
        {
            Metadata metadata = admin.GetMetadata(TimeSpan.FromSeconds(30));
            Dictionary<string, int> served = metadata.Topics.Where(t => t.Error.Code == ErrorCode.NoError).ToDictionary(t => t.Topic, t => t.Partitions.Count);
            foreach (TopicPlan plan in plans)
            {
                Assert.True(served.TryGetValue(plan.Name, out int partitions), plan.Name + " is not served; served: " + string.Join(", ", served.Keys));
                Assert.True(plan.Partitions == partitions, $"{plan.Name}: {partitions} partitions, planned {plan.Partitions}");
            }

            Assert.Equal(5, served[Topics.TelematicsRaw]);
            Assert.Equal(3, served[Topics.ConsentChanges]);
        }

        await KafkaTestClient.ProduceAsync(bootstrap, Topics.TelematicsRaw, [KafkaTestClient.Utf8Message("k", "through the bootstrap relay")]);
        List<ConsumeResult<byte[], byte[]>> read = await KafkaTestClient.ConsumeExactlyAsync(bootstrap, Topics.TelematicsRaw, 1, Guard);
        Assert.Equal("through the bootstrap relay", Encoding.UTF8.GetString(Assert.Single(read).Message.Value));

        Assert.Equal(ExitCodes.Ok, await kafka.StopAsync(Guard));
        Assert.Contains("stopped; its topics and records are gone", kafka.Out, StringComparison.Ordinal);
        Assert.Equal("", kafka.Error);
    }

    [Fact]
    public async Task A_taken_listen_address_is_one_line_naming_the_option()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        CliResult result = await CliRunner.RunAsync("kafka", "--listen", "127.0.0.1:" + port);

        string line = CliRunner.SingleErrorLine(result, ExitCodes.Failure);
        Assert.StartsWith("sieve kafka: cannot listen on 127.0.0.1:" + port + " (AddressAlreadyInUse)", line, StringComparison.Ordinal);
        Assert.Contains("--listen", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--listen", "9092", "--listen must be HOST:PORT")]
    [InlineData("--listen", "example.com:9092", "--listen must be HOST:PORT")]
    [InlineData("--listen", "0.0.0.0:9092", "--listen must be a loopback address")]
    [InlineData("--brokers", "0", "--brokers must be a whole number from 1 to 9")]
    [InlineData("--partitions", "1001", "--partitions must be a whole number from 1 to 1000")]
    public async Task A_wrong_option_is_a_usage_error_naming_it(string option, string value, string problem)
    {
        CliResult result = await CliRunner.RunAsync("kafka", option, value);

        Assert.StartsWith("sieve kafka: " + problem, CliRunner.SingleErrorLine(result, ExitCodes.Usage), StringComparison.Ordinal);
    }
}
