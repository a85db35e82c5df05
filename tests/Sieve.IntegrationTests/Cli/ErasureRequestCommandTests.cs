using Sieve.Core.Privacy;
using System.Text;
using Confluent.Kafka;
using Sieve.Contracts;
using Sieve.Contracts.Identifiers;
using Sieve.Core.Erasure;
using Sieve.Embedded;
using Sieve.Testing.Cli;
using Sieve.Testing.Harness;
using Sieve.Testing;
using Sieve.Testing.Privacy;

namespace Sieve.IntegrationTests.Cli;

public sealed class ErasureRequestCommandTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Request_is_published_keyed_by_the_normalized_identifier_and_decodes_with_its_fields()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(Topics.ErasureRequests, 1);
        DateTimeOffset before = DateTimeOffset.UtcNow;

        CliResult result = await CliRunner.RunAsync("erasure", "request", "--type", "phone", "--id", "+86 139 1762 0458", "--reason", "minor",
            "--request-id", "req-42", "--bootstrap", cluster.BootstrapServers);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("req-42", result.Out, StringComparison.Ordinal);
        Assert.Contains($"{Topics.ErasureRequests} partition 0 offset 0", result.Out, StringComparison.Ordinal);
        RawIdentifierScanner.For(["+86 139 1762 0458"]).AssertClean(result.All, "erasure request output");

        ConsumeResult<byte[], byte[]> message = Assert.Single(await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, Topics.ErasureRequests, 1, Wait));
        Assert.DoesNotContain("8013917620458"[1..], Encoding.UTF8.GetString(message.Message.Key), StringComparison.Ordinal);
        Assert.True(ErasureCodec.TryDecodeRequest(message.Message.Value, out ErasureRequest? request, out string? reason), reason);
        Assert.Equal(SubjectType.Phone, request.SubjectType);
        Assert.Equal("+8613917620458", request.SubjectId);
        Assert.Equal("req-42", request.RequestId);
        Assert.Equal(ErasureReason.Minor, request.Reason);
        Assert.InRange(request.RequestedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task Without_request_id_and_reason_a_user_request_with_a_fresh_id_is_published_and_the_id_printed()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(Topics.ErasureRequests, 1);

        CliResult result = await CliRunner.RunAsync("erasure", "request", "--type", "vin", "--id", "lsvau218xn2183294", "--bootstrap", cluster.BootstrapServers);

        Assert.True(result.ExitCode == 0, result.Error);
        ConsumeResult<byte[], byte[]> message = Assert.Single(await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, Topics.ErasureRequests, 1, Wait));
        Assert.DoesNotContain("LSVAU218XN2183294", Encoding.UTF8.GetString(message.Message.Key), StringComparison.Ordinal);
        Assert.True(ErasureCodec.TryDecodeRequest(message.Message.Value, out ErasureRequest? request, out string? reason), reason);
        Assert.Equal(ErasureReason.UserRequest, request.Reason);
        Assert.False(string.IsNullOrEmpty(request.RequestId));
        Assert.Contains("published erasure request " + request.RequestId + " ", result.Out, StringComparison.Ordinal);
        RawIdentifierScanner.For(["LSVAU218XN2183294"]).AssertClean(result.All, "erasure request output");
    }

    [Theory]
    [InlineData("vin", "LSVAU2181N2183294", "invalid-vin-checksum")]
    [InlineData("mac", "01:22:fb:7a:41:d9", "invalid-mac-not-unicast")]
    [InlineData("device-id", "356172094833124", "invalid-device-id-checksum")]
    public async Task Invalid_identifier_is_one_usage_error_with_its_reason_code_and_without_the_value(string type, string id, string code)
    {
        CliResult result = await CliRunner.RunAsync("erasure", "request", "--type", type, "--id", id, "--bootstrap", "127.0.0.1:1");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains(code, line, StringComparison.Ordinal);
        Assert.DoesNotContain(id, result.All, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("--reason", "forgotten", "--reason")]
    [InlineData("--request-id", "has space", "--request-id")]
    [InlineData("--request-id", "LSVAU218XN2183294", "--request-id")]
    [InlineData("--request-id", "minor-0-1", "--request-id")]
    public async Task Bad_reason_or_request_id_is_one_usage_error(string option, string value, string named)
    {
        CliResult result = await CliRunner.RunAsync("erasure", "request", "--type", "vin", "--id", "LSVAU218XN2183294", option, value, "--bootstrap", "127.0.0.1:1");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains(named, line, StringComparison.Ordinal);
        Assert.DoesNotContain("LSVAU218XN2183294", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_properties_reach_the_producer_and_a_bad_one_is_one_usage_error()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start();
        cluster.CreateTopic(Topics.ErasureRequests, 1);

        CliResult published = await CliRunner.RunAsync("erasure", "request", "--type", "vin", "--id", "LSVAU218XN2183294", "--bootstrap", cluster.BootstrapServers,
            "--property", "security.protocol=PLAINTEXT", "--property", "client.id=sieve-ops");
        CliResult rejected = await CliRunner.RunAsync("erasure", "request", "--type", "vin", "--id", "LSVAU218XN2183294", "--bootstrap", cluster.BootstrapServers,
            "--property", "security.protocol=CARRIER_PIGEON");

        Assert.True(published.ExitCode == 0, published.Error);
        string line = CliRunner.SingleErrorLine(rejected, 2);
        Assert.Contains("Kafka client property 'security.protocol' is not a librdkafka property or its value is not usable", line, StringComparison.Ordinal);
        Assert.DoesNotContain("CARRIER_PIGEON", rejected.All, StringComparison.Ordinal);
        Assert.DoesNotContain("LSVAU218XN2183294", rejected.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_says_requests_are_keyed_by_request_id_never_the_identifier()
    {
        CliResult result = await CliRunner.RunAsync("erasure", "request", "--help");

        Assert.Contains("keyed by the request id", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("keyed by the subject", result.Out, StringComparison.Ordinal);
    }
}
