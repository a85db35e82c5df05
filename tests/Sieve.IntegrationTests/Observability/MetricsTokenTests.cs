using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Hosting.Observability;
using Sieve.Testing.Gateways;
using Sieve.Testing.Harness;

namespace Sieve.IntegrationTests.Observability;

/// <summary><c>Metrics:Token</c>: <c>/metrics</c> answers only with the bearer token; health and readiness stay open.</summary>
[Collection(KafkaCollection.Name)]
public sealed class MetricsTokenTests(KafkaFixture kafka)
{
    private const string Token = "scrape-token-0123456789abcdef";

    [Fact]
    public async Task With_a_token_set_metrics_answers_401_without_it_and_200_with_it()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(kafka.BootstrapServers, kafka.UniqueTopic("metrics.token"),
            new Dictionary<string, string?> { ["Metrics:Token"] = Token });
        using HttpClient ops = OpsClient(host);

        using (HttpResponseMessage none = await ops.GetAsync(OpsEndpoints.MetricsPath))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", Assert.Single(none.Headers.WwwAuthenticate).Scheme);
            Assert.Empty(await none.Content.ReadAsStringAsync());
        }

        using (HttpResponseMessage wrong = await SendAsync(ops, "Bearer", Token + "x"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using (HttpResponseMessage basic = await SendAsync(ops, "Basic", Token))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        }

        using (HttpResponseMessage right = await SendAsync(ops, "Bearer", Token))
        {
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
            Assert.Contains("# TYPE", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Probes need no token.
        using (HttpResponseMessage health = await ops.GetAsync(OpsEndpoints.HealthPath))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        // The token is kept only as a digest, and never written to the log.
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_token_metrics_answers_without_authentication()
    {
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(kafka.BootstrapServers, kafka.UniqueTopic("metrics.open"));
        Assert.Null(host.Services.GetRequiredService<OpsSettings>().TokenHash);
        using HttpClient ops = OpsClient(host);
        using HttpResponseMessage response = await ops.GetAsync(OpsEndpoints.MetricsPath);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpClient OpsClient(GatewayTestHost host)
    {
        int port = Assert.Single(host.Services.GetRequiredService<OpsSettings>().Listeners).BoundPort;
        return new HttpClient { BaseAddress = new Uri("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture)), Timeout = TimeSpan.FromSeconds(60) };
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string scheme, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, OpsEndpoints.MetricsPath);
        request.Headers.Authorization = new AuthenticationHeaderValue(scheme, token);
        return client.SendAsync(request);
    }
}
