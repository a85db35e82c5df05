using System.Net;
using Confluent.Kafka;
using Sieve.Cli.Embedded;
using Sieve.Tests.Harness;
using static Sieve.Tests.Gateways.GatewayPayloads;

namespace Sieve.Tests.Gateways;

/// <summary>With its own mock cluster, so the broker can be taken down without disturbing other tests.</summary>
public sealed class KafkaOutageTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task While_kafka_cannot_take_the_data_the_gateway_gets_503_with_retry_after_and_a_retry_after_recovery_succeeds()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        const string Topic = "wifi.raw.outage";
        cluster.CreateTopic(Topic, 1);
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(cluster.BootstrapServers, Topic, new Dictionary<string, string?>
        {
            ["Kafka:DeliveryTimeoutMs"] = "1500",
            ["Kafka:Properties:reconnect.backoff.ms"] = "20",
            ["Kafka:Properties:reconnect.backoff.max.ms"] = "200",
            ["Kafka:Properties:retry.backoff.ms"] = "20",
            ["Kafka:Properties:retry.backoff.max.ms"] = "200",
            ["Ingest:Http:RetryAfterSeconds"] = "7",
        });
        string before = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:cc:01", "13800138000", null, RecentTime(3)).ToJsonString();
        string during = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:cc:02", "13800138001", null, RecentTime(2)).ToJsonString();

        using (HttpResponseMessage ok = await host.PostJsonAsync("/portal/v1/logins", before, GatewayTestHost.PortalToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }

        cluster.SetBrokerDown(1);
        using (HttpResponseMessage unavailable = await host.PostJsonAsync("/portal/v1/logins", during, GatewayTestHost.PortalToken))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), unavailable.Headers.RetryAfter?.Delta);
            Assert.Equal("kafka-unavailable", await MerakiReceiverTests.ErrorCodeAsync(unavailable));
        }

        // Nothing but the first record reached the log while the broker was down.
        cluster.SetBrokerUp(1);

        // The gateway resends as Retry-After tells it; the producer may need a moment to reconnect, during which
        // the answer is again a 503, never a 2xx.
        DateTime deadline = DateTime.UtcNow + Wait;
        HttpStatusCode status;
        do
        {
            using HttpResponseMessage retry = await host.PostJsonAsync("/portal/v1/logins", during, GatewayTestHost.PortalToken);
            status = retry.StatusCode;
            Assert.True(status is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, "unexpected " + status);
        }
        while (status != HttpStatusCode.Accepted && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Accepted, status);
        List<ConsumeResult<byte[], byte[]>> read = await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, Topic, 2, Wait);
        Assert.Equal(["+8613800138000", "+8613800138001"], read.Select(r => DecodedWifiEvent.From(r).Key));
    }
}
