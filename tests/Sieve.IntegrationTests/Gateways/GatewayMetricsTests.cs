using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Core.Gateways;
using Sieve.Hosting.Ingest;
using Sieve.Testing.Gateways;
using Sieve.Testing.Harness;
using Sieve.Testing.Metrics;
using Sieve.Testing.Teltonika;
using static Sieve.Testing.Gateways.GatewayPayloads;

namespace Sieve.IntegrationTests.Gateways;

/// <summary>The gateway endpoints' instruments on the <c>Sieve.Ingest</c> meter, read with a MeterListener.</summary>
[Collection(KafkaCollection.Name)]
public sealed class GatewayMetricsTests(KafkaFixture kafka)
{
    private const string Logins = "/portal/v1/logins";
    private const string Sessions = "/portal/v1/sessions";

    [Fact]
    public async Task Accepted_records_rejects_by_reason_durations_and_ack_latency_are_measured_with_bounded_tags_only()
    {
        string topic = kafka.UniqueTopic("gateways.metrics");
        await kafka.CreateTopicAsync(topic, 2);
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(kafka.BootstrapServers, topic);
        using var metrics = MetricsRecorder.Ingest(host.Services.GetRequiredService<IMeterFactory>());
        const string Mac1 = "3c:22:fb:40:00:01";
        const string Mac2 = "3e:22:fb:40:00:02"; // locally administered: a randomized MAC
        const string Phone = "13800138077";

        // Accepted: a Meraki post of two observations (one from a randomized MAC), a login (subject: the phone, whatever
        // the MAC) and a session with no phone or device id from the randomized MAC.
        string meraki = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork,
            MerakiObservation(Mac1, RecentTime(3), -50), MerakiObservation(Mac2, RecentTime(3), -60)).ToJsonString();
        await ExpectAsync(HttpStatusCode.Accepted, host.PostJsonAsync(GatewayIngestModule.MerakiPath, meraki));
        string login = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, Mac1, Phone, null, RecentTime(2)).ToJsonString();
        await ExpectAsync(HttpStatusCode.Accepted, host.PostJsonAsync(Logins, login, GatewayTestHost.PortalToken));
        string session = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, Mac2, null, null, RecentTime(2), RecentTime(1), "www.autohome.com.cn").ToJsonString();
        await ExpectAsync(HttpStatusCode.Accepted, host.PostJsonAsync(Sessions, session, GatewayTestHost.PortalToken));

        // Refused: a bad Meraki secret, a bad MAC in a login, a wrong token (twice), and the wrong outlet.
        string badSecret = MerakiPost("not-the-secret-000000", GatewayTestHost.MerakiNetwork, MerakiObservation(Mac1, RecentTime(3), -50)).ToJsonString();
        await ExpectAsync(HttpStatusCode.Unauthorized, host.PostJsonAsync(GatewayIngestModule.MerakiPath, badSecret));
        string badMac = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "3c:22:fb:40:00:zz", Phone, null, RecentTime(2)).ToJsonString();
        await ExpectAsync(HttpStatusCode.BadRequest, host.PostJsonAsync(Logins, badMac, GatewayTestHost.PortalToken));
        await ExpectAsync(HttpStatusCode.Unauthorized, host.PostJsonAsync(Logins, login, "portal-token-guessed-000000"));
        await ExpectAsync(HttpStatusCode.Unauthorized, host.PostJsonAsync(Sessions, session, "portal-token-guessed-000000"));
        string otherOutlet = Login(GatewayTestHost.PortalGateway, GatewayTestHost.OtherOutlet, Mac2, Phone, null, RecentTime(2)).ToJsonString();
        await ExpectAsync(HttpStatusCode.Forbidden, host.PostJsonAsync(Logins, otherOutlet, GatewayTestHost.PortalToken));

        // Recorded before each answer was written, so all of it is in by now.
        Assert.Equal(4, metrics.Total("sieve.ingest.gateway.records"));
        Assert.Equal(2, metrics.Total("sieve.ingest.gateway.records", "meraki"));
        Assert.Equal(1, metrics.Total("sieve.ingest.gateway.records", "portal-login"));
        Assert.Equal(1, metrics.Total("sieve.ingest.gateway.records", "portal-session"));
        Assert.Equal(3, metrics.Total("sieve.ingest.gateway.accepted_requests"));
        Assert.Equal(3, metrics.Count("sieve.ingest.gateway.ack_latency"));
        Assert.Equal(2, metrics.Total("sieve.ingest.gateway.randomized_mac_records"));
        Assert.Equal(1, metrics.Total("sieve.ingest.gateway.randomized_mac_records", "meraki"));
        Assert.Equal(1, metrics.Total("sieve.ingest.gateway.randomized_mac_records", "portal-session"));

        Assert.Equal(5, metrics.Total("sieve.ingest.gateway.rejects"));
        Assert.Equal(1, metrics.Total("sieve.ingest.gateway.rejects", "invalid-secret"));
        Assert.Equal(1, metrics.Total("sieve.ingest.gateway.rejects", "invalid-mac-format"));
        Assert.Equal(2, metrics.Total("sieve.ingest.gateway.rejects", "invalid-token"));
        Assert.Equal(1, metrics.Total("sieve.ingest.gateway.rejects", "outlet-not-allowed"));
        Assert.Equal(3, metrics.Total("sieve.ingest.gateway.rejects", "401"));

        // One duration per answered request, by endpoint and status; the duration is recorded as the handler ends,
        // which may be just after the client read the answer.
        await metrics.WaitForAsync(m => m.Count("sieve.ingest.gateway.request_duration") == 8, "8 request durations");
        Assert.Equal(2, metrics.Count("sieve.ingest.gateway.request_duration", "meraki"));
        Assert.Equal(4, metrics.Count("sieve.ingest.gateway.request_duration", "portal-login"));
        Assert.Equal(2, metrics.Count("sieve.ingest.gateway.request_duration", "portal-session"));
        Assert.Equal(3, metrics.Count("sieve.ingest.gateway.request_duration", "202"));

        // Tags are endpoint names, statuses, reason codes and the configured raw topic (the publisher's counters share
        // the meter): nothing from a request.
        string[] allowed = ["meraki", "portal-login", "portal-session", "202", "400", "401", "403", "invalid-secret", "invalid-mac-format", "invalid-token", "outlet-not-allowed", topic];
        Assert.All(metrics.TagValues, v => Assert.Contains(v, allowed));
    }

    private static async Task ExpectAsync(HttpStatusCode expected, Task<HttpResponseMessage> request)
    {
        using HttpResponseMessage response = await request;
        Assert.Equal(expected, response.StatusCode);
    }
}
