using Confluent.Kafka;
using Sieve.Commands.Load;
using Sieve.Contracts;
using Sieve.Embedded;
using Sieve.Testing.Cli;
using Sieve.Testing.Harness;
using Xunit;

namespace Sieve.IntegrationTests.Load;

public sealed class LoadConsentRunTests
{
    [Fact]
    public async Task Consent_mix_demo_publishes_the_populations_consent_before_sending_and_a_gateway_with_no_answer_is_named()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(Topics.ConsentChanges, 3);
        var expected = new LoadGenerator(new LoadOptions { Vehicles = 0, Visitors = 30, Seed = 11, ConsentMix = LoadConsentMix.Demo }).Consent(0);
        Assert.NotEmpty(expected);

        // Port 1 on loopback: nothing listens, so every gateway request goes unanswered.
        CliResult result = await CliRunner.RunAsync("load", "--http", "http://127.0.0.1:1", "--vehicles", "0", "--visitors", "30", "--seed", "11",
            "--seconds", "1", "--consent-mix", "demo", "--bootstrap", cluster.BootstrapServers);

        Assert.True(result.ExitCode == 1, result.All);
        Assert.Contains($"consent (demo mix): published {expected.Count} changes ({expected.Count} grants) for 30 subjects to {Topics.ConsentChanges}", result.Out, StringComparison.Ordinal);
        Assert.Matches(@"refused: [0-9]+ (Meraki \(/meraki/v3\)|portal \(/portal/v1/sessions\)): no answer", result.Out);

        List<ConsumeResult<byte[], byte[]>> consumed =
            await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, Topics.ConsentChanges, expected.Count, TimeSpan.FromSeconds(30));
        Assert.Equal(expected.Select(c => Convert.ToHexString(c.MessageKey())).Order(StringComparer.Ordinal),
            consumed.Select(c => Convert.ToHexString(c.Message.Key)).Order(StringComparer.Ordinal));
    }
}
