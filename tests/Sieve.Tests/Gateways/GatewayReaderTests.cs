using System.Text.Json.Nodes;
using System.Text;
using Sieve.Contracts.Pseudonymization;
using Sieve.Hosting.Configuration;
using Sieve.Core.Gateways.Events;
using Sieve.Core.Gateways.Http;
using Sieve.Core.Gateways.Meraki;
using Sieve.Core.Gateways.Portal;
using Sieve.Hosting.Ingest;
using Sieve.Testing.Gateways;
using static Sieve.Testing.Gateways.GatewayPayloads;

namespace Sieve.Tests.Gateways;

/// <summary>The parsers and helpers behind the endpoints, without a host.</summary>
public sealed class GatewayReaderTests
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Fact]
    public void Envelope_reads_secret_version_and_type_and_finds_malformed_json_anywhere()
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"type\":\"WiFi\",\"data\":{\"x\":[1,2,{}]},\"secret\":\"s\\u0065cret\",\"version\":\"3.1\"}");
        Assert.True(MerakiEnvelope.TryRead(json, out MerakiEnvelope envelope, out _));
        Assert.Equal("secret"u8.ToArray(), envelope.Secret);
        Assert.Equal(3, envelope.MajorVersion);
        Assert.True(envelope.IsWifi);

        Assert.True(MerakiEnvelope.TryRead("{\"version\":3.0}"u8, out envelope, out _));
        Assert.Equal(3, envelope.MajorVersion);
        Assert.Null(envelope.Secret);
        Assert.False(envelope.HasType);

        foreach (string broken in new[] { "{\"secret\":\"s\"", "{\"secret\":\"s\"} x", "{\"a\":[1,]}", "", "{\"a\":" + new string('[', 40) + new string(']', 40) + "}" })
        {
            Assert.False(MerakiEnvelope.TryRead(Encoding.UTF8.GetBytes(broken), out _, out GatewayError error));
            Assert.Equal("invalid-json", error.Code);
            Assert.Null(error.Field);
        }

        Assert.False(MerakiEnvelope.TryRead("[1]"u8, out _, out GatewayError notObject));
        Assert.Equal(("invalid-field-type", "$"), (notObject.Code, notObject.Field));
    }

    [Fact]
    public void Payload_reader_keeps_the_newest_located_fix_and_the_strongest_reading_of_it()
    {
        DateTimeOffset t1 = RecentTime(9);
        DateTimeOffset t2 = RecentTime(8);
        DateTimeOffset t3 = RecentTime(7);
        JsonObject observation = MerakiObservation("aa:bb:cc:00:00:01", null, null,
            MerakiLocation(30.0, 120.0, t2, -70, -50),
            MerakiLocation(31.0, 121.0, t1, -40));
        JsonObject unlocated = MerakiLocation(0, 0, t3);
        unlocated["lat"] = null;
        unlocated["lng"] = null;
        observation["locations"]!.AsArray().Add(unlocated);
        byte[] json = Encoding.UTF8.GetBytes(MerakiPost("s", "N_1", observation).ToJsonString());

        Assert.True(new MerakiPayloadReader(Now, 10).TryRead(json, out MerakiPayload? payload, out _));

        MerakiObservation o = Assert.Single(payload!.Observations);
        Assert.Equal("N_1", payload.NetworkId);
        Assert.True(o.HasCoordinates);
        Assert.Equal((30.0, 120.0), (o.Latitude, o.Longitude));
        Assert.Equal(-50, o.Rssi);
        Assert.Equal(t3.ToUnixTimeMilliseconds(), o.EventTime);
    }

    [Fact]
    public void Payload_reader_caps_observations_and_skips_unknown_fields()
    {
        JsonObject post = MerakiPost("s", "N_1",
            MerakiObservation("aa:bb:cc:00:00:01", RecentTime(1), 10),
            MerakiObservation("aa:bb:cc:00:00:02", RecentTime(1), 11));
        post["data"]!["futureField"] = new JsonObject { ["nested"] = new JsonArray(1, 2, 3) };
        post["data"]!["observations"]![0]!["futureField"] = "x";
        byte[] json = Encoding.UTF8.GetBytes(post.ToJsonString());

        Assert.True(new MerakiPayloadReader(Now, 2).TryRead(json, out MerakiPayload? payload, out _));
        Assert.Equal(2, payload!.Observations.Count);

        Assert.False(new MerakiPayloadReader(Now, 1).TryRead(json, out _, out GatewayError error));
        Assert.Equal(("too-many-items", "data.observations"), (error.Code, error.Field));
    }

    [Fact]
    public void Invalid_utf8_or_a_lone_surrogate_in_a_string_is_a_specific_error_and_an_unusable_secret()
    {
        // Byte literals: 0xFF is never UTF-8; \ud800 is an unpaired surrogate escape.
        byte[] badMac = [.. "{\"data\":{\"networkId\":\"N_1\",\"observations\":[{\"clientMac\":\"aa:"u8, 0xFF, .. "\"}]}}"u8];
        Assert.False(new MerakiPayloadReader(Now, 10).TryRead(badMac, out _, out GatewayError error));
        Assert.Equal("invalid-text", error.Code);
        Assert.Equal("data.observations[0].clientMac", error.Field);

        byte[] loneSurrogate = "{\"data\":{\"networkId\":\"N_1\",\"observations\":[{\"clientMac\":\"\\ud800\"}]}}"u8.ToArray();
        Assert.False(new MerakiPayloadReader(Now, 10).TryRead(loneSurrogate, out _, out error));
        Assert.Equal("invalid-text", error.Code);

        byte[] badNetwork = [.. "{\"data\":{\"networkId\":\""u8, 0xC3, 0x28, .. "\",\"observations\":[]}}"u8];
        Assert.False(new MerakiPayloadReader(Now, 10).TryRead(badNetwork, out _, out error));
        Assert.Equal(("invalid-text", "data.networkId"), (error.Code, error.Field));

        byte[] badSecret = [.. "{\"secret\":\""u8, 0xFF, 0xFE, .. "\",\"version\":\"3.0\",\"type\":\"WiFi\"}"u8];
        Assert.True(MerakiEnvelope.TryRead(badSecret, out MerakiEnvelope envelope, out _));
        Assert.Null(envelope.Secret);
    }

    // Harness meraki (fuzz/Sieve.Fuzz.Harnesses/MerakiHarness.cs), minimized from its 16 crash inputs: an unpaired
    // surrogate escape in a property name, in the type value and in a nested property name.
    // Utf8JsonReader.ValueTextEquals threw InvalidOperationException out of both readers.
    private static readonly byte[] LoneSurrogateRootName = [0x7B, 0x22, 0x74, 0x5C, 0x75, 0x64, 0x63, 0x30, 0x30, 0x22, 0x3A, 0x31, 0x7D];
    private static readonly byte[] LoneSurrogateTypeValue = [0x7B, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3A, 0x22, 0x57, 0x5C, 0x75, 0x64, 0x63, 0x30, 0x30, 0x69, 0x46, 0x69, 0x22, 0x7D];
    private static readonly byte[] LoneSurrogateObservationName = [0x7B, 0x22, 0x64, 0x61, 0x74, 0x61, 0x22, 0x3A, 0x7B, 0x22, 0x6E, 0x65, 0x74, 0x77, 0x6F, 0x72, 0x6B, 0x49, 0x64, 0x22, 0x3A, 0x22, 0x4E, 0x5F, 0x31, 0x22, 0x2C, 0x22, 0x6F, 0x62, 0x73, 0x65, 0x72, 0x76, 0x61, 0x74, 0x69, 0x6F, 0x6E, 0x73, 0x22, 0x3A, 0x5B, 0x7B, 0x22, 0x63, 0x6C, 0x69, 0x65, 0x6E, 0x74, 0x4D, 0x61, 0x63, 0x22, 0x3A, 0x22, 0x61, 0x61, 0x3A, 0x62, 0x62, 0x3A, 0x63, 0x63, 0x3A, 0x30, 0x30, 0x3A, 0x30, 0x30, 0x3A, 0x30, 0x31, 0x22, 0x2C, 0x22, 0x6C, 0x6F, 0x63, 0x61, 0x74, 0x69, 0x6F, 0x6E, 0x73, 0x5C, 0x75, 0x64, 0x38, 0x30, 0x30, 0x22, 0x3A, 0x5B, 0x5D, 0x7D, 0x5D, 0x7D, 0x7D];

    [Fact]
    public void Fuzz_regression_an_unpaired_surrogate_in_a_compared_name_or_value_is_invalid_text_at_its_offset()
    {
        Assert.False(MerakiEnvelope.TryRead(LoneSurrogateRootName, out _, out GatewayError error));
        Assert.Equal(("invalid-text", null, 1L), (error.Code, error.Field, error.BytePosition));

        Assert.False(MerakiEnvelope.TryRead(LoneSurrogateTypeValue, out _, out error));
        Assert.Equal(("invalid-text", null, 8L), (error.Code, error.Field, error.BytePosition));

        Assert.True(MerakiEnvelope.TryRead(LoneSurrogateObservationName, out _, out _));
        Assert.False(new MerakiPayloadReader(Now, 10).TryRead(LoneSurrogateObservationName, out _, out error));
        Assert.Equal(("invalid-text", null), (error.Code, error.Field));
        Assert.Equal(LoneSurrogateObservationName.AsSpan().IndexOf("\"locations\\ud800\""u8), error.BytePosition);
    }

    [Theory]
    [InlineData("{\"secret\":\"a\",\"type\":\"WiFi\",\"secret\":\"b\"}", "secret")]
    [InlineData("{\"version\":\"3.0\",\"version\":\"2.0\"}", "version")]
    [InlineData("{\"type\":\"WiFi\",\"t\\u0079pe\":\"BLE\"}", "type")]
    public void Envelope_refuses_a_repeated_secret_version_or_type(string json, string field)
    {
        Assert.False(MerakiEnvelope.TryRead(Encoding.UTF8.GetBytes(json), out MerakiEnvelope envelope, out GatewayError error));
        Assert.Equal(("duplicate-field", field), (error.Code, error.Field));
        Assert.Null(envelope.Secret);
    }

    [Fact]
    public void Payload_reader_refuses_duplicate_fields()
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"data\":{\"networkId\":\"N_1\",\"networkId\":\"N_2\",\"observations\":[]}}");
        Assert.False(new MerakiPayloadReader(Now, 10).TryRead(json, out _, out GatewayError error));
        Assert.Equal(("duplicate-field", "data.networkId"), (error.Code, error.Field));
    }

    [Fact]
    public void Portal_reader_reads_a_session_and_checks_required_fields_per_kind()
    {
        DateTimeOffset start = RecentTime(30);
        byte[] session = Encoding.UTF8.GetBytes(Session("gw", "outlet", "aa:bb:cc:00:00:01", null, "dev-1", start, start.AddSeconds(90), "a.example", "b.example").ToJsonString());
        Assert.True(new PortalRequestReader(Now).TryRead(session, PortalRecordKind.Session, out PortalRecord? record, out _));
        Assert.Equal(["a.example", "b.example"], record!.VisitedDomains);
        Assert.Equal(90_000, record.End - record.Time);
        Assert.Null(record.PhoneNumber);

        // A session body is not a login: start, end and visitedDomains are unknown there, and time is missing.
        Assert.False(new PortalRequestReader(Now).TryRead(session, PortalRecordKind.Login, out _, out GatewayError error));
        Assert.Equal("unknown-field", error.Code);

        byte[] longSession = Encoding.UTF8.GetBytes(Session("gw", "outlet", "aa:bb:cc:00:00:01", null, null, start.AddDays(-8), start).ToJsonString());
        Assert.False(new PortalRequestReader(Now).TryRead(longSession, PortalRecordKind.Session, out _, out error));
        Assert.Equal(("invalid-session-length", "end"), (error.Code, error.Field));
    }

    // Harness portal (fuzz/Sieve.Fuzz.Harnesses/PortalHarness.cs): an unpaired surrogate escape in a field name.
    // Utf8JsonReader.ValueTextEquals threw InvalidOperationException out of PortalRequestReader while matching it.
    private static readonly byte[] PortalLoneSurrogateName = [0x7B, 0x22, 0x67, 0x61, 0x74, 0x65, 0x77, 0x61, 0x79, 0x49, 0x64, 0x22, 0x3A, 0x22, 0x67, 0x77, 0x22, 0x2C, 0x22, 0x63, 0x6C, 0x69, 0x65, 0x6E, 0x74, 0x4D, 0x61, 0x63, 0x5C, 0x75, 0x64, 0x63, 0x30, 0x30, 0x22, 0x3A, 0x22, 0x61, 0x61, 0x3A, 0x62, 0x62, 0x3A, 0x63, 0x63, 0x3A, 0x30, 0x30, 0x3A, 0x30, 0x30, 0x3A, 0x30, 0x31, 0x22, 0x7D];

    [Fact]
    public void Fuzz_regression_an_unpaired_surrogate_in_a_portal_field_name_is_invalid_text_at_its_offset()
    {
        foreach (PortalRecordKind kind in new[] { PortalRecordKind.Login, PortalRecordKind.Session })
        {
            Assert.False(new PortalRequestReader(Now).TryRead(PortalLoneSurrogateName, kind, out _, out GatewayError error));
            Assert.Equal(("invalid-text", null, 18L), (error.Code, error.Field, error.BytePosition));
        }
    }

    [Theory]
    [InlineData("example.com", true)]
    [InlineData("news.example.co.uk", true)]
    [InlineData("xn--fiqs8s.cn", true)]
    [InlineData("localhost", true)]
    [InlineData("a-b.c", true)]
    [InlineData("", false)]
    [InlineData("example.com.", false)]
    [InlineData(".example.com", false)]
    [InlineData("-a.example", false)]
    [InlineData("a-.example", false)]
    [InlineData("a..b", false)]
    [InlineData("http://example.com", false)]
    [InlineData("example.com/path", false)]
    [InlineData("例子.cn", false)]
    public void Host_names_are_letters_digits_and_hyphens_in_labels(string name, bool valid) =>
        Assert.Equal(valid, HostName.IsValid(name));

    [Fact]
    public void Host_name_labels_and_names_are_capped()
    {
        Assert.True(HostName.IsValid(new string('a', 63) + ".cn"));
        Assert.False(HostName.IsValid(new string('a', 64) + ".cn"));
        string name = string.Join('.', Enumerable.Repeat(new string('a', 62), 5));
        Assert.True(name.Length > 253);
        Assert.False(HostName.IsValid(name));
    }

    [Fact]
    public void Event_ids_depend_on_key_scope_mac_and_time()
    {
        using var ids = new WifiEventIds(MasterKeyRing.CreateDemo());
        byte[] mac = "aa:bb:cc:00:00:01"u8.ToArray();
        string id = ids.Create("meraki", "N_1", mac, 1_700_000_000_000);

        Assert.Matches("^[a-z2-7]{32}$", id);
        using var same = new WifiEventIds(MasterKeyRing.CreateDemo());
        Assert.Equal(id, same.Create("meraki", "N_1", mac, 1_700_000_000_000));
        using var otherKey = new WifiEventIds(new MasterKeyRing([new MasterKey("k2", Enumerable.Repeat((byte)7, 32).ToArray())], "k2"));
        Assert.NotEqual(id, otherKey.Create("meraki", "N_1", mac, 1_700_000_000_000));
        Assert.NotEqual(id, ids.Create("meraki", "N_2", mac, 1_700_000_000_000));
        Assert.NotEqual(id, ids.Create("portal-login", "N_1", mac, 1_700_000_000_000));
        Assert.NotEqual(id, ids.Create("meraki", "N_1", "aa:bb:cc:00:00:02"u8, 1_700_000_000_000));
        Assert.NotEqual(id, ids.Create("meraki", "N_1", mac, 1_700_000_000_001));
        Assert.NotEqual(id, ids.Create("meraki", "N_1", mac, 1_700_000_000_000, 1));

        // Length prefixes keep field boundaries: moving a character from one field to the next changes the id.
        Assert.NotEqual(ids.Create("ab", "c", mac, 1), ids.Create("a", "bc", mac, 1));
        Assert.Throws<ArgumentException>(() => new WifiEventIds(MasterKeyRing.CreateDemo(), "no-such-key"));
    }

    [Fact]
    public void Secret_match_finds_the_one_matching_digest()
    {
        byte[][] hashes =
        [
            System.Security.Cryptography.SHA256.HashData("first-token-000001"u8),
            System.Security.Cryptography.SHA256.HashData("second-token-00002"u8),
        ];
        Assert.Equal(1, SecretMatch.IndexOf("second-token-00002"u8, hashes));
        Assert.Equal(-1, SecretMatch.IndexOf("second-token-0000"u8, hashes));
        Assert.Equal(-1, SecretMatch.IndexOf(""u8, hashes));
        Assert.True(SecretMatch.Matches("first-token-000001"u8, hashes[0]));
        Assert.False(SecretMatch.Matches("first-token-000001"u8, hashes[1]));
    }

    [Theory]
    [InlineData("http://0.0.0.0:8080", false, null, false, 8080)]
    [InlineData("http://*:80/", false, null, false, 80)]
    [InlineData("http://localhost:5000", false, null, true, 5000)]
    [InlineData("https://127.0.0.1:0", true, "127.0.0.1", false, 0)]
    [InlineData("http://[::1]:8081", false, "::1", false, 8081)]
    public void Listen_urls_parse_to_kestrel_bindings(string url, bool https, string? address, bool localhost, int port)
    {
        ListenAddress parsed = Assert.Single(ListenAddress.ParseList(url, "Ingest:Http:Urls", allowHttps: true, IngestSettings.DefaultHttpUrls));
        Assert.Equal((https, address, localhost, port), (parsed.Https, parsed.Address?.ToString(), parsed.IsLocalhost, parsed.Port));
    }

    [Theory]
    [InlineData("")]
    [InlineData("http://0.0.0.0")]
    [InlineData("http://0.0.0.0:99999")]
    [InlineData("http://0.0.0.0:80/ingest")]
    [InlineData("http://localhost:0")]
    public void Bad_listen_urls_name_the_key(string urls)
    {
        SettingsException error = Assert.Throws<SettingsException>(() => ListenAddress.ParseList(urls, "Ingest:Http:Urls", allowHttps: true, IngestSettings.DefaultHttpUrls));
        Assert.StartsWith("Ingest:Http:Urls", error.Message, StringComparison.Ordinal);
    }
}
