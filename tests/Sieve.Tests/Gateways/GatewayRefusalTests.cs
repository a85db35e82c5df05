using System.Net;
using System.Text;
using Sieve.Commands.Load;
using Sieve.Simulation;
using Sieve.Testing.Gateways;

namespace Sieve.Tests.Gateways;

/// <summary>
/// A gateway endpoint that is not configured answers 404 with a reason, and <c>sieve load</c>'s counters say which
/// settings to set, without an identifier or token.
/// </summary>
public sealed class GatewayRefusalTests
{
    private static readonly WifiSighting Visitor = new("f0:18:98:aa:bb:01", "13800138000", 31.2213, 121.5447, -60);

    [Fact]
    public async Task Unconfigured_portal_answers_404_with_a_reason_and_the_load_summary_names_the_settings()
    {
        Dictionary<string, string?> config = GatewayTestHost.BaseConfiguration("127.0.0.1:1", "wifi.raw.unconfigured");
        foreach (string key in config.Keys.Where(k => k.StartsWith("Ingest:Portal:", StringComparison.Ordinal)).ToList())
        {
            config.Remove(key);
        }

        await using GatewayTestHost host = await GatewayTestHost.StartAsync(config);

        using (HttpResponseMessage response = await host.PostJsonAsync("/portal/v1/sessions", "{}", GatewayTestHost.PortalToken))
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("{\"error\":\"gateway-not-configured\"}", await response.Content.ReadAsStringAsync());
        }

        var stats = new LoadStats();
        var client = new GatewayClient(host.Client, new GatewayTargets { BaseAddress = host.Client.BaseAddress! }) { Refused = stats.HttpRefusal };
        DateTimeOffset now = DateTimeOffset.UtcNow;
        Assert.Equal(-1, await client.PostPortalSessionAsync(Visitor, now.AddMinutes(-5), now, [], CancellationToken.None));
        Assert.Equal(-1, await client.PostPortalSessionAsync(Visitor, now.AddMinutes(-5), now, [], CancellationToken.None));

        KeyValuePair<GatewayRefusal, long> refusal = Assert.Single(stats.Refusals);
        Assert.Equal(new GatewayRefusal("portal-session", 404, "gateway-not-configured"), refusal.Key);
        Assert.Equal(2, refusal.Value);
        string line = Assert.Single(stats.DescribeRefusals());
        Assert.Equal(
            "2 portal (/portal/v1/sessions): 404 gateway-not-configured; set Ingest:Portal:Gateways:<gatewayId>:Token and "
            + "Ingest:Portal:Gateways:<gatewayId>:OutletId (and Keys:Path) on Ingest",
            line);
        Assert.DoesNotContain(GatewayTestHost.PortalToken, line, StringComparison.Ordinal);
        Assert.DoesNotContain(GatewayTestHost.PortalGateway, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusals_are_counted_by_status_and_reason_and_an_empty_404_says_what_is_not_configured()
    {
        var answers = new Queue<(HttpStatusCode Status, string Body)>(
        [
            (HttpStatusCode.NotFound, ""),
            (HttpStatusCode.Unauthorized, "{\"error\":\"invalid-secret\"}"),
            (HttpStatusCode.Unauthorized, "{\"error\":\"invalid-secret\"}"),
            (HttpStatusCode.BadRequest, "{\"error\":\"Not a code: 13800138000\"}"),
        ]);
        using var http = new HttpClient(new Answers(answers));
        var stats = new LoadStats();
        var client = new GatewayClient(http, new GatewayTargets { BaseAddress = new Uri("http://127.0.0.1:9/") }) { Refused = stats.HttpRefusal };
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(-1, await client.PostMerakiAsync([Visitor], DateTimeOffset.UtcNow, CancellationToken.None));
        }

        Assert.Equal(
        [
            "2 Meraki (/meraki/v3): 401 invalid-secret",
            "1 Meraki (/meraki/v3): 400 with no reason",
            "1 Meraki (/meraki/v3): 404 with no reason: the endpoint or its gateway is not configured on Ingest; "
                + "set Ingest:Meraki:Validator, Ingest:Meraki:Secret and Ingest:Meraki:Networks:<networkId>:OutletId (and Keys:Path) on Ingest",
        ],
        stats.DescribeRefusals());
    }

    private sealed class Answers(Queue<(HttpStatusCode Status, string Body)> answers) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            (HttpStatusCode status, string body) = answers.Dequeue();
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
