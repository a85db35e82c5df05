using System.Net.Http.Headers;
using System.Net;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using Confluent.Kafka;
using Sieve.Core.Gateways;
using Sieve.Hosting.Ingest;
using Sieve.Testing.Gateways;
using Sieve.Testing.Harness;
using static Sieve.Testing.Gateways.GatewayPayloads;

namespace Sieve.IntegrationTests.Gateways;

[Collection(KafkaCollection.Name)]
public sealed class PortalReceiverTests(KafkaFixture kafka)
{
    private const string Logins = "/portal/v1/logins";
    private const string Sessions = "/portal/v1/sessions";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Login_is_published_with_the_phone_as_received_and_keyed_by_the_normalized_phone()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync();
        await using GatewayTestHost _ = host;
        DateTimeOffset time = RecentTime(2);
        JsonObject login = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "F0:18:98:AA:BB:01", "138 0013 8000", "android-7f2c9e01", time);

        using HttpResponseMessage response = await host.PostJsonAsync(Logins, login.ToJsonString(), GatewayTestHost.PortalToken);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        DecodedWifiEvent e = DecodedWifiEvent.From(Assert.Single(await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, 1, Wait)));
        Assert.Equal("+8613800138000", e.Key);
        Assert.Equal("138 0013 8000", e.PhoneNumber);
        Assert.Equal("android-7f2c9e01", e.DeviceId);
        Assert.Equal("F0:18:98:AA:BB:01", e.ClientMac);
        Assert.Equal(GatewayTestHost.PortalGateway, e.GatewayId);
        Assert.Equal(GatewayTestHost.PortalOutlet, e.OutletId);
        Assert.Equal(time.ToUnixTimeMilliseconds(), e.EventTime);
        Assert.Matches("^[a-z2-7]{32}$", e.EventId);
        Assert.Empty(e.VisitedDomains);
        Assert.Null(e.DwellSeconds);
        Assert.Null(e.Location);
    }

    [Fact]
    public async Task Session_carries_domains_and_dwell_and_is_keyed_by_phone_else_device_else_mac()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync();
        await using GatewayTestHost _ = host;
        DateTimeOffset start = RecentTime(40);
        DateTimeOffset end = start.AddMinutes(25).AddSeconds(7);
        JsonObject withPhone = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:02", "+86 139 0013 9000", "dev-01",
            start, end, "www.autohome.com.cn", "news.example.com");
        withPhone["rssi"] = -48;
        JsonObject withDevice = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:03", null, "IOS-Device.42",
            start, end, "www.dianping.com");
        JsonObject macOnly = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "F018.98AA.BB04", null, null, start, end);

        foreach (JsonObject session in new[] { withPhone, withDevice, macOnly })
        {
            using HttpResponseMessage response = await host.PostJsonAsync(Sessions, session.ToJsonString(), GatewayTestHost.PortalToken);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Dictionary<string, DecodedWifiEvent> byMac = (await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, 3, Wait))
            .Select(DecodedWifiEvent.From).ToDictionary(e => e.ClientMac);

        DecodedWifiEvent phone = byMac["f0:18:98:aa:bb:02"];
        Assert.Equal("+8613900139000", phone.Key);
        Assert.Equal("+86 139 0013 9000", phone.PhoneNumber);
        Assert.Equal(["www.autohome.com.cn", "news.example.com"], phone.VisitedDomains);
        Assert.Equal((25 * 60) + 7, phone.DwellSeconds);
        Assert.Equal(start.ToUnixTimeMilliseconds(), phone.EventTime);
        Assert.Equal(-48, phone.Rssi);

        DecodedWifiEvent device = byMac["f0:18:98:aa:bb:03"];
        Assert.Equal("ios-device.42", device.Key);
        Assert.Equal("IOS-Device.42", device.DeviceId);
        Assert.Null(device.PhoneNumber);
        Assert.Equal(["www.dianping.com"], device.VisitedDomains);

        DecodedWifiEvent mac = byMac["F018.98AA.BB04"];
        Assert.Equal("f0:18:98:aa:bb:04", mac.Key);
        Assert.Empty(mac.VisitedDomains);
    }

    [Fact]
    public async Task Missing_or_wrong_token_is_401_with_a_bearer_challenge()
    {
        await using GatewayTestHost host = await StartAsync();
        string login = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:05", "13800138000", null, RecentTime(1)).ToJsonString();

        foreach (string? token in new[] { null, "portal-token-bj-01-7f3a9d", GatewayTestHost.PortalToken + "x" })
        {
            using HttpResponseMessage response = await host.PostJsonAsync(Logins, login, token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            Assert.Equal("invalid-token", await MerakiReceiverTests.ErrorCodeAsync(response));
        }
    }

    [Fact]
    public async Task A_token_only_speaks_for_its_gateway_and_its_outlet()
    {
        await using GatewayTestHost host = await StartAsync();
        string asOther = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:06", "13800138000", null, RecentTime(1)).ToJsonString();
        string otherOutlet = Login(GatewayTestHost.PortalGateway, "outlet-sh-09", "f0:18:98:aa:bb:06", "13800138000", null, RecentTime(1)).ToJsonString();

        using (HttpResponseMessage response = await host.PostJsonAsync(Logins, asOther, GatewayTestHost.OtherToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("gateway-mismatch", await MerakiReceiverTests.ErrorCodeAsync(response));
        }

        using (HttpResponseMessage response = await host.PostJsonAsync(Logins, otherOutlet, GatewayTestHost.PortalToken))
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("outlet-not-allowed", await MerakiReceiverTests.ErrorCodeAsync(response));
        }
    }

    [Fact]
    public async Task Bad_fields_are_400_with_specific_reasons_and_never_echo_identifiers()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync();
        await using GatewayTestHost _ = host;
        DateTimeOffset now = RecentTime(1);
        JsonObject badPhone = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:07", "1380013", null, now);
        JsonObject badDevice = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:07", "13800138000", "dev ice#9", now);
        JsonObject noPhone = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:07", null, null, now);
        JsonObject unknownField = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:07", "13800138000", null, now);
        unknownField["13912345678"] = true;
        JsonObject badDomain = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:07", null, null, now.AddMinutes(-5), now,
            "ok.example.com", "user=13912345678&x");
        JsonObject backwards = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:07", null, null, now, now.AddMinutes(-5));
        JsonObject sessionWithTime = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:07", null, null, now.AddMinutes(-5), now);
        sessionWithTime["time"] = Iso(now);

        (string Path, JsonObject Body, string Code, string? Field)[] cases =
        [
            (Logins, badPhone, "invalid-phone-length", "phoneNumber"),
            (Logins, badDevice, "invalid-device-id-format", "deviceId"),
            (Logins, noPhone, "missing-field", "phoneNumber"),
            (Logins, unknownField, "unknown-field", null),
            (Sessions, badDomain, "invalid-domain-format", "visitedDomains[1]"),
            (Sessions, backwards, "invalid-session-length", "end"),
            (Sessions, sessionWithTime, "unknown-field", null),
        ];
        foreach ((string path, JsonObject body, string code, string? field) in cases)
        {
            using HttpResponseMessage response = await host.PostJsonAsync(path, body.ToJsonString(), GatewayTestHost.PortalToken);
            string text = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            JsonElement error = JsonDocument.Parse(text).RootElement;
            Assert.Equal(code, error.GetProperty("error").GetString());
            Assert.Equal(field, error.TryGetProperty("field", out JsonElement f) ? f.GetString() : null);
            foreach (string value in new[] { "1380013", "13912345678", "dev ice", "f0:18:98", "user=" })
            {
                Assert.DoesNotContain(value, text, StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.Empty(await KafkaTestClient.ConsumeAllAsync(kafka.BootstrapServers, topic, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Unknown_field_answer_gives_its_offset()
    {
        await using GatewayTestHost host = await StartAsync();
        const string Body = "{\"gatewayId\":\"gw-bj-01\",\"13912345678\":1}";

        using HttpResponseMessage response = await host.PostJsonAsync(Logins, Body, GatewayTestHost.PortalToken);

        JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("unknown-field", error.GetProperty("error").GetString());
        Assert.Equal(Body.IndexOf("\"1391", StringComparison.Ordinal), error.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Rate_limit_is_per_gateway_and_answers_429_with_retry_after()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync(new Dictionary<string, string?>
        {
            ["Ingest:RateLimit:TokenLimit"] = "2",
            ["Ingest:RateLimit:TokensPerPeriod"] = "1",
            ["Ingest:RateLimit:PeriodMs"] = "3600000",
        });
        await using GatewayTestHost _ = host;
        string mine = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:08", "13800138000", null, RecentTime(1)).ToJsonString();
        string other = Login(GatewayTestHost.OtherGateway, GatewayTestHost.OtherOutlet, "f0:18:98:aa:bb:09", "13800138001", null, RecentTime(1)).ToJsonString();

        for (int i = 0; i < 2; i++)
        {
            using HttpResponseMessage ok = await host.PostJsonAsync(Logins, mine, GatewayTestHost.PortalToken);
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }

        using (HttpResponseMessage limited = await host.PostJsonAsync(Logins, mine, GatewayTestHost.PortalToken))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("rate-limited", await MerakiReceiverTests.ErrorCodeAsync(limited));
            TimeSpan? retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.True(retryAfter >= TimeSpan.FromSeconds(1));
        }

        // Another gateway has its own bucket.
        using (HttpResponseMessage response = await host.PostJsonAsync(Logins, other, GatewayTestHost.OtherToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(3, (await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, 3, Wait)).Count);
    }

    [Fact]
    public async Task Body_over_the_limit_is_413_with_or_without_content_length()
    {
        await using GatewayTestHost host = await StartAsync();
        JsonObject session = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:0a", null, null, RecentTime(5), RecentTime(1),
            Enumerable.Range(0, 300).Select(i => "d" + i + ".example.com").ToArray());
        byte[] body = Encoding.UTF8.GetBytes(session.ToJsonString());
        Assert.True(body.Length > 4096);

        using (HttpResponseMessage sized = await host.PostJsonAsync(Sessions, session.ToJsonString(), GatewayTestHost.PortalToken))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, sized.StatusCode);
            Assert.Equal("body-too-large", await MerakiReceiverTests.ErrorCodeAsync(sized));
        }

        // A stream of unknown length goes chunked: the limit applies as it is read.
        using var request = new HttpRequestMessage(HttpMethod.Post, Sessions) { Content = new StreamContent(new UnknownLengthStream(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayTestHost.PortalToken);
        using HttpResponseMessage chunked = await host.Client.SendAsync(request);
        Assert.True(request.Headers.TransferEncodingChunked ?? false);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, chunked.StatusCode);
    }

    [Fact]
    public async Task A_record_over_the_raw_topic_cap_is_400_and_too_many_domains_are_refused()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync(new Dictionary<string, string?>
        {
            ["Ingest:Limits:PortalMaxBodyBytes"] = "1048576",
        });
        await using GatewayTestHost _ = host;
        string label = new('a', 60);
        string[] longDomains = Enumerable.Range(0, 300).Select(i => label + "." + label + "." + label + "." + label + ".d" + i + ".cn").ToArray();
        JsonObject huge = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:0c", null, null, RecentTime(5), RecentTime(1), longDomains);
        JsonObject many = Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:bb:0c", null, null, RecentTime(5), RecentTime(1),
            Enumerable.Range(0, 513).Select(i => "d" + i + ".cn").ToArray());

        using (HttpResponseMessage response = await host.PostJsonAsync(Sessions, huge.ToJsonString(), GatewayTestHost.PortalToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("record-too-large", await MerakiReceiverTests.ErrorCodeAsync(response));
        }

        using (HttpResponseMessage response = await host.PostJsonAsync(Sessions, many.ToJsonString(), GatewayTestHost.PortalToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(("too-many-items", "visitedDomains"), (error.GetProperty("error").GetString(), error.GetProperty("field").GetString()));
        }

        Assert.Empty(await KafkaTestClient.ConsumeAllAsync(kafka.BootstrapServers, topic, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Healthz_answers_ok()
    {
        await using GatewayTestHost host = await StartAsync();

        using HttpResponseMessage response = await host.Client.GetAsync(IngestHost.HealthPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Logs_never_contain_identifiers_or_tokens()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync();
        await using GatewayTestHost _ = host;
        DateTimeOffset now = RecentTime(1);
        string[] identifiers = ["f0:18:98:aa:bb:0b", "F0-18-98-AA-BB-0B", "13700137000", "+8613700137000", "dev-secret-77", "badphone99"];

        await host.PostJsonAsync(Logins, Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "F0-18-98-AA-BB-0B", "13700137000", "dev-secret-77", now).ToJsonString(), GatewayTestHost.PortalToken);
        await host.PostJsonAsync(Logins, Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "F0-18-98-AA-BB-0B", "badphone99", null, now).ToJsonString(), GatewayTestHost.PortalToken);
        await host.PostJsonAsync(Sessions, Session(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "F0-18-98-AA-BB-0B", "13700137000", null, now.AddMinutes(-3), now, "x.example.com").ToJsonString(), GatewayTestHost.PortalToken);
        await host.PostJsonAsync(Logins, "{\"clientMac\":\"f0:18:98:aa:bb:0b\",", GatewayTestHost.PortalToken);
        await host.PostJsonAsync(Logins, "{}", "dev-secret-77");
        await host.PostJsonAsync(GatewayIngestModule.MerakiPath, MerakiPost(GatewayTestHost.MerakiSecret, "13700137000",
            MerakiObservation("f0:18:98:aa:bb:0b", now, -50)).ToJsonString());
        await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, 2, Wait);

        string logs = host.Logs.All;
        Assert.Contains("accepted 1 record(s) from gateway gw-bj-01", logs, StringComparison.Ordinal);
        Assert.Contains("invalid-phone-format", logs, StringComparison.Ordinal);
        foreach (string value in identifiers.Concat([GatewayTestHost.PortalToken, GatewayTestHost.MerakiSecret, "13700137000"]))
        {
            Assert.DoesNotContain(value, logs, StringComparison.OrdinalIgnoreCase);
        }
    }

    private async Task<GatewayTestHost> StartAsync() => (await StartWithTopicAsync()).Host;

    private async Task<(GatewayTestHost Host, string Topic)> StartWithTopicAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        string topic = kafka.UniqueTopic("gateways.portal");
        await kafka.CreateTopicAsync(topic, 3);
        return (await GatewayTestHost.StartAsync(kafka.BootstrapServers, topic, overrides), topic);
    }

    /// <summary>A read-only stream that does not report its length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
