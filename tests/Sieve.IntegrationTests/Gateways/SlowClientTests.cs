using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Sieve.Testing.Gateways;
using Sieve.Testing.Harness;
using static Sieve.Testing.Gateways.GatewayPayloads;

namespace Sieve.IntegrationTests.Gateways;

/// <summary>
/// Slowloris against the gateway listener: clients that trickle their headers or their body are cut off by Kestrel's
/// limits while a normal gateway is served. Both limits are Kestrel's defaults, which the Ingest host keeps: 30 s to
/// send the request headers, and at least 240 bytes/s of body after a 5 s grace.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class SlowClientTests(KafkaFixture kafka, Xunit.Abstractions.ITestOutputHelper output)
{
    private const int SlowClients = 100;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Clients_trickling_headers_or_body_are_cut_off_while_a_normal_gateway_is_served()
    {
        string topic = kafka.UniqueTopic("gateways.slow");
        await kafka.CreateTopicAsync(topic, 1);
        await using GatewayTestHost host = await GatewayTestHost.StartAsync(kafka.BootstrapServers, topic);
        var endpoint = new IPEndPoint(IPAddress.Loopback, host.Client.BaseAddress!.Port);
        using var stop = new CancellationTokenSource();

        // Half send their headers a byte at a time, half announce a body and send it a byte at a time.
        Task<TimeSpan>[] slow = [.. Enumerable.Range(0, SlowClients).Select(i => TrickleAsync(endpoint, headersOnly: i % 2 == 0, stop.Token))];

        // Meanwhile a gateway with a normal request is answered at once.
        JsonObject login = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "F0:18:98:AA:BB:07", "138 0013 8007", "android-slow-07", RecentTime(1));
        long asked = Stopwatch.GetTimestamp();
        using HttpResponseMessage response = await host.PostJsonAsync("/portal/v1/logins", login.ToJsonString(), GatewayTestHost.PortalToken);
        TimeSpan answered = Stopwatch.GetElapsedTime(asked);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // Every slow client is cut off by the server (the trickling goes on until then, so one kept open fails the wait).
        TimeSpan[] cutOff = await Task.WhenAll(slow).WaitAsync(Wait);
        await stop.CancelAsync();
        output.WriteLine($"normal request answered in {answered.TotalMilliseconds:0} ms with {SlowClients} slow clients connected; "
            + $"slow clients cut off after {cutOff.Min().TotalSeconds:0.0} to {cutOff.Max().TotalSeconds:0.0} s");
    }

    // Connects and trickles one byte every 250 ms until the server closes the connection; returns how long that took.
    private static async Task<TimeSpan> TrickleAsync(IPEndPoint endpoint, bool headersOnly, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint, cancellationToken);
        long start = Stopwatch.GetTimestamp();
        string head = headersOnly
            ? "POST /portal/v1/logins HTTP/1.1\r\nHost: localhost\r\nX-Slow: "
            : "POST /portal/v1/logins HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, cancellationToken);
        byte[] one = "a"u8.ToArray();
        byte[] sink = new byte[4096];
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await socket.SendAsync(one, SocketFlags.None, cancellationToken);

                // The server answers 408 or just closes; either way a read returns what is left, then 0.
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                tick.CancelAfter(TimeSpan.FromMilliseconds(250));
                try
                {
                    int read = await socket.ReceiveAsync(sink, SocketFlags.None, tick.Token);
                    if (read == 0)
                    {
                        return Stopwatch.GetElapsedTime(start);
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // Nothing from the server within the tick: trickle on.
                }
            }
            catch (SocketException)
            {
                return Stopwatch.GetElapsedTime(start);
            }
        }

        return Stopwatch.GetElapsedTime(start);
    }
}
