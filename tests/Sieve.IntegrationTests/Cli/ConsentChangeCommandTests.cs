using System.Text;
using Confluent.Kafka;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Contracts;
using Sieve.Core.Consent;
using Sieve.Embedded;
using Sieve.Testing.Cli;
using Sieve.Testing.Harness;

namespace Sieve.IntegrationTests.Cli;

public sealed class ConsentChangeCommandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Grant_is_published_keyed_by_the_normalized_identifier_and_translates_to_the_subjects_consent_key()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(Topics.ConsentChanges, 1);

        CliResult result = await CliRunner.RunAsync("consent", "grant", "--type", "phone", "--id", "+86 139 1762 0458", "--purpose", "personalization",
            "--bootstrap", cluster.BootstrapServers, "--effective", "2026-11-25T08:00:00Z", "--minor", "--policy-version", "2026-11-01");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains($"{Topics.ConsentChanges} partition 0 offset 0", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("1762", result.All, StringComparison.Ordinal);

        ConsumeResult<byte[], byte[]> message = Assert.Single(await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, Topics.ConsentChanges, 1, Wait));
        Assert.Equal("PHONE/+8613917620458/personalization", Encoding.UTF8.GetString(message.Message.Key));
        byte[] value = message.Message.Value;
        Assert.Equal(AvroStatus.Ok, ConsentChangeCodec.TryReadMessage(value, out ConsentChange change));
        Assert.Equal(SubjectType.Phone, change.SubjectType);
        Assert.Equal("personalization", change.Purpose.ToString(value));
        Assert.True(change.Granted);
        Assert.Equal(DateTimeOffset.Parse("2026-11-25T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), change.EffectiveTime);
        Assert.Equal("2026-11-01", change.PolicyVersion.ToString(value));
        Assert.True(change.Minor);

        // The loader's translation lands on the same consent key as the identifier as people write it.
        var factory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        using PseudonymKey index = factory.Create(PseudonymKeyFactory.ConsentIndexPurpose, PseudonymKeyFactory.StableEpoch);
        Assert.True(new ConsentChangeTranslator(index).TryTranslate(value, out ConsentUpdate update, out string? reason), reason);
        Assert.Equal(index.ComputeString(SubjectType.Phone, "+8613917620458"), update.ConsentKey);
    }

    [Fact]
    public async Task Withdraw_publishes_a_withdrawal()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(Topics.ConsentChanges, 1);

        CliResult result = await CliRunner.RunAsync("consent", "withdraw", "--type", "vin", "--id", "lsvau218xn2183294", "--purpose", "positioning",
            "--bootstrap", cluster.BootstrapServers);

        Assert.True(result.ExitCode == 0, result.Error);
        ConsumeResult<byte[], byte[]> message = Assert.Single(await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, Topics.ConsentChanges, 1, Wait));
        Assert.Equal("VIN/LSVAU218XN2183294/positioning", Encoding.UTF8.GetString(message.Message.Key));
        Assert.Equal(AvroStatus.Ok, ConsentChangeCodec.TryReadMessage(message.Message.Value, out ConsentChange change));
        Assert.False(change.Granted);
        Assert.False(change.Minor);
        Assert.Equal("positioning", change.Purpose.ToString(message.Message.Value));
        Assert.False(string.IsNullOrEmpty(change.PolicyVersion.ToString(message.Message.Value)));
    }

    [Theory]
    [InlineData("vin", "LSVAU2181N2183294", "invalid-vin-checksum")]
    [InlineData("mac", "01:22:fb:7a:41:d9", "invalid-mac-not-unicast")]
    [InlineData("phone", "12", "invalid-phone-length")]
    [InlineData("device-id", "356172094833124", "invalid-device-id-checksum")]
    public async Task Invalid_identifier_is_one_usage_error_with_its_reason_code(string type, string id, string code)
    {
        CliResult result = await CliRunner.RunAsync("consent", "grant", "--type", type, "--id", id, "--purpose", "positioning", "--bootstrap", "127.0.0.1:1");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains(code, line, StringComparison.Ordinal);
        Assert.Contains(type, line, StringComparison.Ordinal);
        Assert.DoesNotContain(id, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--type", "email")]
    [InlineData("--purpose", "billing")]
    [InlineData("--effective", "yesterday")]
    public async Task Bad_option_values_are_one_usage_error(string option, string value)
    {
        var args = new Dictionary<string, string>
        {
            ["--type"] = "vin",
            ["--id"] = "LSVAU218XN2183294",
            ["--purpose"] = "positioning",
            ["--bootstrap"] = "127.0.0.1:1",
        };
        args[option] = value;

        CliResult result = await CliRunner.RunAsync(["consent", "grant", .. args.SelectMany(p => new[] { p.Key, p.Value })]);

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains(option, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreachable_broker_is_one_failure_line()
    {
        CliResult result = await CliRunner.RunAsync("consent", "grant", "--type", "vin", "--id", "LSVAU218XN2183294", "--purpose", "positioning",
            "--bootstrap", "127.0.0.1:1", "--timeout", "2");

        string line = CliRunner.SingleErrorLine(result, 1);
        Assert.Contains("could not publish", line, StringComparison.Ordinal);
        Assert.Contains("--bootstrap", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_client_property_is_one_usage_error_that_names_the_property_but_not_its_value()
    {
        CliResult result = await CliRunner.RunAsync("consent", "grant", "--type", "vin", "--id", "LSVAU218XN2183294", "--purpose", "positioning",
            "--bootstrap", "127.0.0.1:1", "--property", "sasl.password");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("--property 'sasl.password': expected NAME=VALUE", line, StringComparison.Ordinal);
    }
}
