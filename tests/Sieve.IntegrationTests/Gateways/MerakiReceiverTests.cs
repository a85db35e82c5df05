using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using Confluent.Kafka;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Gateways.Events;
using Sieve.Core.Gateways;
using Sieve.Hosting.Ingest;
using Sieve.Testing.Gateways;
using Sieve.Testing.Harness;
using static Sieve.Testing.Gateways.GatewayPayloads;

namespace Sieve.IntegrationTests.Gateways;

[Collection(KafkaCollection.Name)]
public sealed class MerakiReceiverTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Get_answers_the_configured_validator_as_plain_text()
    {
        await using GatewayTestHost host = await StartAsync();

        using HttpResponseMessage response = await host.Client.GetAsync(GatewayIngestModule.MerakiPath);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(GatewayTestHost.MerakiValidator, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Valid_post_answers_202_and_every_observation_is_on_the_raw_topic_keyed_by_its_mac()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync();
        await using GatewayTestHost _ = host;
        DateTimeOffset t1 = RecentTime(6);
        DateTimeOffset t2 = RecentTime(5);
        DateTimeOffset t3 = RecentTime(4);
        JsonObject post = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork,
            // latestRecord with a numeric RSSI; two locations, the newer one wins.
            MerakiObservation("AA:BB:CC:00:11:22", t2, -52,
                MerakiLocation(31.2301, 121.4731, t1, -60),
                MerakiLocation(31.2305, 121.4738, t2, -55, -70)),
            // latestRecord with the RSSI as a string (the documentation types it so) and no locations.
            MerakiObservation("a4-5e-60-11-22-33", t3, "-61"),
            // No latestRecord: time from the newest location, RSSI from its strongest reading.
            MerakiObservation("5c:cf:7f:01:02:03", null, null,
                MerakiLocation(31.1, 121.2, t1, -80),
                MerakiLocation(31.3, 121.4, t3, -75, -58, -66)));

        using HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, post.ToJsonString());

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("accepted").GetInt32());

        List<ConsumeResult<byte[], byte[]>> read = await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, 3, Wait);
        Dictionary<string, DecodedWifiEvent> byMac = read.Select(DecodedWifiEvent.From).ToDictionary(e => e.ClientMac);

        DecodedWifiEvent first = byMac["AA:BB:CC:00:11:22"];
        Assert.Equal("aa:bb:cc:00:11:22", first.Key);
        Assert.Equal(GatewayTestHost.MerakiGateway, first.GatewayId);
        Assert.Equal(GatewayTestHost.MerakiOutlet, first.OutletId);
        Assert.Equal(t2.ToUnixTimeMilliseconds(), first.EventTime);
        Assert.Equal((31.2305, 121.4738), first.Location);
        Assert.Equal(-52, first.Rssi);
        Assert.Null(first.PhoneNumber);
        Assert.Null(first.DeviceId);
        Assert.Empty(first.VisitedDomains);
        Assert.Null(first.DwellSeconds);
        Assert.Equal(ExpectedEventId("aa:bb:cc:00:11:22", t2), first.EventId);

        DecodedWifiEvent second = byMac["a4-5e-60-11-22-33"];
        Assert.Equal("a4:5e:60:11:22:33", second.Key);
        Assert.Equal(t3.ToUnixTimeMilliseconds(), second.EventTime);
        Assert.Null(second.Location);
        Assert.Equal(-61, second.Rssi);

        DecodedWifiEvent third = byMac["5c:cf:7f:01:02:03"];
        Assert.Equal(t3.ToUnixTimeMilliseconds(), third.EventTime);
        Assert.Equal((31.3, 121.4), third.Location);
        Assert.Equal(-58, third.Rssi);

        // Ids are keyed: not the unkeyed SHA-256 of the MAC (nor of MAC and time), and distinct per observation.
        string unkeyed = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("aa:bb:cc:00:11:22")));
        Assert.DoesNotContain(first.EventId, unkeyed, StringComparison.Ordinal);
        Assert.Equal(3, byMac.Values.Select(e => e.EventId).Distinct().Count());
    }

    [Fact]
    public async Task A_resent_post_carries_the_same_event_ids()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync();
        await using GatewayTestHost _ = host;
        string post = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork,
            MerakiObservation("3c:22:fb:10:20:30", RecentTime(3), -40)).ToJsonString();

        using (HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, post))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using (HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, post))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        List<ConsumeResult<byte[], byte[]>> read = await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, topic, 2, Wait);
        Assert.Single(read.Select(r => DecodedWifiEvent.From(r).EventId).Distinct());
    }

    [Fact]
    public async Task Wrong_or_missing_secret_is_401_and_publishes_nothing()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync();
        await using GatewayTestHost _ = host;
        JsonObject wrong = MerakiPost("meraki-shared-secret-0002", GatewayTestHost.MerakiNetwork,
            MerakiObservation("3c:22:fb:10:20:31", RecentTime(3), -40));
        JsonObject missing = MerakiPost("x", GatewayTestHost.MerakiNetwork, MerakiObservation("3c:22:fb:10:20:31", RecentTime(3), -40));
        missing.Remove("secret");

        // The secret is checked before the fields: a post with a wrong secret and a bad MAC is still a 401.
        JsonObject wrongAndBad = MerakiPost("nope", GatewayTestHost.MerakiNetwork, MerakiObservation("not-a-mac", RecentTime(3), -40));

        foreach (JsonObject post in new[] { wrong, missing, wrongAndBad })
        {
            using HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, post.ToJsonString());
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("invalid-secret", await ErrorCodeAsync(response));
        }

        Assert.Empty(await KafkaTestClient.ConsumeAllAsync(kafka.BootstrapServers, topic, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task Invalid_utf8_a_lone_surrogate_or_a_repeated_envelope_key_is_a_specific_4xx_never_a_500()
    {
        await using GatewayTestHost host = await StartAsync();
        byte[] Post(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> mac) =>
            [.. "{\"version\":\"3.0\",\"type\":\"WiFi\",\"secret\":\""u8, .. secret, .. "\",\"data\":{\"networkId\":\""u8,
                .. Encoding.UTF8.GetBytes(GatewayTestHost.MerakiNetwork), .. "\",\"observations\":[{\"clientMac\":\""u8, .. mac, .. "\"}]}}"u8];
        byte[] secretBytes = Encoding.UTF8.GetBytes(GatewayTestHost.MerakiSecret);

        foreach (byte[] mac in new[] { [0x61, 0x61, 0xFF], "\\ud800"u8.ToArray() })
        {
            using HttpResponseMessage response = await host.PostBytesAsync(GatewayIngestModule.MerakiPath, Post(secretBytes, mac));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid-text", await ErrorCodeAsync(response));
        }

        // An undecodable secret needs no valid secret to send: it is refused as no secret, not as a server fault.
        using (HttpResponseMessage response = await host.PostBytesAsync(GatewayIngestModule.MerakiPath, Post([0xFF, 0xFE], "aa:bb:cc:dd:ee:ff"u8)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        byte[] twice = Encoding.UTF8.GetBytes("{\"secret\":\"" + GatewayTestHost.MerakiSecret + "\",\"secret\":\"other\",\"version\":\"3.0\",\"type\":\"WiFi\",\"data\":{}}");
        using (HttpResponseMessage response = await host.PostBytesAsync(GatewayIngestModule.MerakiPath, twice))
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("duplicate-field", await ErrorCodeAsync(response));
        }

        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("unexpected", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Malformed_json_is_400_invalid_json_with_its_position_not_its_text()
    {
        await using GatewayTestHost host = await StartAsync();
        const string Body = "{\"version\":\"3.0\",\"secret\":\"meraki-shared-secret-0001\",\n\"data\":{\"observations\":[{\"clientMac\":\"ab:cd:ef:12:34:56\" \"x\"}]}}";

        using HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, Body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid-json", error.GetProperty("error").GetString());
        Assert.Equal(1, error.GetProperty("line").GetInt64());
        Assert.True(error.GetProperty("bytePositionInLine").GetInt64() > 0);
        Assert.DoesNotContain("ab:cd:ef", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Invalid_mac_is_400_naming_the_field_never_the_value_and_refuses_the_whole_post()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync();
        await using GatewayTestHost _ = host;
        const string BadMac = "AA:BB:CC:DD:EE:GZ";
        JsonObject post = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork,
            MerakiObservation("3c:22:fb:10:20:32", RecentTime(3), -40),
            MerakiObservation(BadMac, RecentTime(3), -41));

        using HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, post.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        string body = await response.Content.ReadAsStringAsync();
        JsonElement error = JsonDocument.Parse(body).RootElement;
        Assert.Equal("invalid-mac-format", error.GetProperty("error").GetString());
        Assert.Equal("data.observations[1].clientMac", error.GetProperty("field").GetString());
        Assert.DoesNotContain("EE:GZ", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("3c:22:fb", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("EE:GZ", host.Logs.All, StringComparison.OrdinalIgnoreCase);

        // All or nothing: the valid first observation was not published either.
        Assert.Empty(await KafkaTestClient.ConsumeAllAsync(kafka.BootstrapServers, topic, TimeSpan.FromMilliseconds(300)));
    }

    [Theory]
    [InlineData("multicast", "01:00:5e:00:00:fb", "invalid-mac-not-unicast")]
    [InlineData("short", "aa:bb:cc:dd:ee", "invalid-mac-length")]
    [InlineData("empty", "   ", "invalid-mac-empty")]
    public async Task Each_kind_of_bad_mac_has_its_reason(string name, string mac, string code)
    {
        _ = name;
        await using GatewayTestHost host = await StartAsync();
        JsonObject post = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork, MerakiObservation(mac, RecentTime(3), -40));

        using HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, post.ToJsonString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Wrong_version_type_or_shape_is_400_with_a_specific_reason()
    {
        await using GatewayTestHost host = await StartAsync();
        JsonObject Valid() => MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork, MerakiObservation("3c:22:fb:10:20:33", RecentTime(3), -40));

        JsonObject ble = Valid();
        ble["type"] = "BLE";
        JsonObject v2 = Valid();
        v2["version"] = "2.0";
        JsonObject noTime = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork, MerakiObservation("3c:22:fb:10:20:33", null, null));
        JsonObject latitude = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork,
            MerakiObservation("3c:22:fb:10:20:33", RecentTime(3), -40, MerakiLocation(91.5, 121.4, RecentTime(3), -50)));
        JsonObject macType = Valid();
        macType["data"]!["observations"]![0]!["clientMac"] = 12345;
        JsonObject noNetwork = Valid();
        noNetwork["data"]!.AsObject().Remove("networkId");
        JsonObject oldTime = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork,
            MerakiObservation("3c:22:fb:10:20:33", DateTimeOffset.Parse("1999-12-31T23:59:59Z", System.Globalization.CultureInfo.InvariantCulture), -40));
        JsonObject localTime = Valid();
        localTime["data"]!["observations"]![0]!["latestRecord"]!["time"] = "2026-01-01T10:00:00";

        (JsonObject Post, string Code, string Field)[] cases =
        [
            (ble, "unsupported-type", "type"),
            (v2, "unsupported-version", "version"),
            (noTime, "missing-observation-time", "data.observations[0].latestRecord.time"),
            (latitude, "out-of-range", "data.observations[0].locations[0].lat"),
            (macType, "invalid-field-type", "data.observations[0].clientMac"),
            (noNetwork, "missing-field", "data.networkId"),
            (oldTime, "time-out-of-range", "data.observations[0].latestRecord.time"),
            (localTime, "invalid-time-format", "data.observations[0].latestRecord.time"),
        ];
        foreach ((JsonObject post, string code, string field) in cases)
        {
            using HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, post.ToJsonString());
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            JsonElement error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal((code, field), (error.GetProperty("error").GetString(), error.GetProperty("field").GetString()));
        }
    }

    [Fact]
    public async Task Unconfigured_network_is_403()
    {
        await using GatewayTestHost host = await StartAsync();
        JsonObject post = MerakiPost(GatewayTestHost.MerakiSecret, "N_99999999", MerakiObservation("3c:22:fb:10:20:34", RecentTime(3), -40));

        using HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, post.ToJsonString());

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("unknown-network", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Body_over_the_limit_is_413()
    {
        await using GatewayTestHost host = await StartAsync();
        var observations = new List<JsonObject>();
        for (int i = 0; i < 400; i++)
        {
            observations.Add(MerakiObservation("3c:22:fb:10:" + (i / 256).ToString("x2", System.Globalization.CultureInfo.InvariantCulture) + ":" + (i % 256).ToString("x2", System.Globalization.CultureInfo.InvariantCulture), RecentTime(3), -40));
        }

        string body = MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork, [.. observations]).ToJsonString();
        Assert.True(body.Length > 65536);

        using HttpResponseMessage response = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("body-too-large", await ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Rate_limit_is_per_network_gateway_and_answers_429_with_retry_after_and_publishes_nothing()
    {
        (GatewayTestHost host, string topic) = await StartWithTopicAsync(new Dictionary<string, string?>
        {
            ["Ingest:RateLimit:TokenLimit"] = "2",
            ["Ingest:RateLimit:TokensPerPeriod"] = "1",
            ["Ingest:RateLimit:PeriodMs"] = "3600000",
        });
        await using GatewayTestHost _ = host;
        string Post(string mac) => MerakiPost(GatewayTestHost.MerakiSecret, GatewayTestHost.MerakiNetwork, MerakiObservation(mac, RecentTime(2), -50)).ToJsonString();

        foreach (string mac in new[] { "3c:22:fb:20:00:01", "3c:22:fb:20:00:02" })
        {
            using HttpResponseMessage ok = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, Post(mac));
            Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        }

        using (HttpResponseMessage limited = await host.PostJsonAsync(GatewayIngestModule.MerakiPath, Post("3c:22:fb:20:00:03")))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("rate-limited", await ErrorCodeAsync(limited));
            TimeSpan? retryAfter = limited.Headers.RetryAfter?.Delta;
            Assert.NotNull(retryAfter);
            Assert.True(retryAfter >= TimeSpan.FromSeconds(1), "Retry-After " + retryAfter);
        }

        // A bad secret is refused before the bucket is consulted: it neither uses nor is told about the limit.
        using (HttpResponseMessage unauthorized = await host.PostJsonAsync(GatewayIngestModule.MerakiPath,
            MerakiPost("not-the-secret-000000", GatewayTestHost.MerakiNetwork, MerakiObservation("3c:22:fb:20:00:04", RecentTime(2), -50)).ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        // The portal gateways have buckets of their own.
        string login = Login(GatewayTestHost.PortalGateway, GatewayTestHost.PortalOutlet, "f0:18:98:aa:dd:01", "13800138000", null, RecentTime(1)).ToJsonString();
        using (HttpResponseMessage portal = await host.PostJsonAsync("/portal/v1/logins", login, GatewayTestHost.PortalToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, portal.StatusCode);
        }

        // Exactly the three accepted records are on the topic: the limited post published nothing.
        List<ConsumeResult<byte[], byte[]>> read = await KafkaTestClient.ConsumeAllAsync(kafka.BootstrapServers, topic, idle: TimeSpan.FromSeconds(1));
        Assert.Equal(["+8613800138000", "3c:22:fb:20:00:01", "3c:22:fb:20:00:02"], read.Select(r => DecodedWifiEvent.From(r).Key).Order());
    }

    internal static async Task<string?> ErrorCodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString();

    private static string ExpectedEventId(string normalizedMac, DateTimeOffset time)
    {
        // The test hosts run on the demo master key (Keys:AllowDemoKey).
        using var ids = new WifiEventIds(MasterKeyRing.CreateDemo());
        return ids.Create("meraki", GatewayTestHost.MerakiNetwork, Encoding.ASCII.GetBytes(normalizedMac), time.ToUnixTimeMilliseconds());
    }

    private async Task<GatewayTestHost> StartAsync() => (await StartWithTopicAsync()).Host;

    private async Task<(GatewayTestHost Host, string Topic)> StartWithTopicAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        string topic = kafka.UniqueTopic("gateways.meraki");
        await kafka.CreateTopicAsync(topic, 3);
        return (await GatewayTestHost.StartAsync(kafka.BootstrapServers, topic, overrides), topic);
    }
}
