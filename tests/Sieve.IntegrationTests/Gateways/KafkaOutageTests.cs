using System.Diagnostics.Metrics;
using System.Net;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Core.Gateways;
using Sieve.Embedded;
using Sieve.Hosting.Ingest;
using Sieve.Testing.Gateways;
using Sieve.Testing.Harness;
using Sieve.Testing.Metrics;
using Sieve.Testing.Teltonika;
using static Sieve.Testing.Gateways.GatewayPayloads;

namespace Sieve.IntegrationTests.Gateways;

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
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(cluster.BootstrapServers, Topic, OutageSettings);
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

    [Fact]
    public async Task While_kafka_cannot_take_a_meraki_post_the_answer_is_503_with_retry_after_and_the_resent_post_succeeds()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        const string Topic = "wifi.raw.outage.meraki";
        cluster.CreateTopic(Topic, 1);
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(cluster.BootstrapServers, Topic, OutageSettings);
        using var metrics = MetricsRecorder.Ingest(host.Services.GetRequiredService<IMeterFactory>());
        string before = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork, MerakiObservation("3c:22:fb:30:00:01", RecentTime(3), -50)).ToJsonString();
        string during = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork,
            MerakiObservation("3c:22:fb:30:00:02", RecentTime(2), -51), MerakiObservation("3c:22:fb:30:00:03", RecentTime(2), -52)).ToJsonString();

        using (HttpResponseMessage ok = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, before))
        {
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }

        cluster.SetBrokerDown(1);
        using (HttpResponseMessage unavailable = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, during))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), unavailable.Headers.RetryAfter?.Delta);
            Assert.Equal("kafka-unavailable", await MerakiReceiverTests.ErrorCodeAsync(unavailable));
        }

        Assert.Equal(1, metrics.Total("sieve.ingest.gateway.rejects", "kafka-unavailable"));
        cluster.SetBrokerUp(1);

        // Meraki resends; until the producer has reconnected the answer is again a 503, never a 2xx.
        DateTime deadline = DateTime.UtcNow + Wait;
        HttpStatusCode status;
        do
        {
            using HttpResponseMessage retry = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, during);
            status = retry.StatusCode;
            Assert.True(status is HttpStatusCode.Accepted or HttpStatusCode.ServiceUnavailable, "unexpected " + status);
        }
        while (status != HttpStatusCode.Accepted && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Accepted, status);
        List<ConsumeResult<byte[], byte[]>> read = await KafkaTestClient.ConsumeExactlyAsync(cluster.BootstrapServers, Topic, 3, Wait);
        Assert.Equal(["3c:22:fb:30:00:01", "3c:22:fb:30:00:02", "3c:22:fb:30:00:03"], read.Select(r => DecodedWifiEvent.From(r).Key).Order());

        // Only the two posts Kafka acknowledged count as accepted: 1 + 2 records.
        Assert.Equal(3, metrics.Total("sieve.ingest.gateway.records", "meraki"));
        Assert.Equal(2, metrics.Total("sieve.ingest.gateway.accepted_requests", "meraki"));
    }

    private static Dictionary<string, string?> OutageSettings => new()
    {
        ["Kafka:DeliveryTimeoutMs"] = "1500",
        ["Kafka:Properties:reconnect.backoff.ms"] = "20",
        ["Kafka:Properties:reconnect.backoff.max.ms"] = "200",
        ["Kafka:Properties:retry.backoff.ms"] = "20",
        ["Kafka:Properties:retry.backoff.max.ms"] = "200",
        ["Ingest:Http:RetryAfterSeconds"] = "7",
    };
}
