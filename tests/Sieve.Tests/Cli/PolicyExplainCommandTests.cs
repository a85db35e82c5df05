using System.Text.Json;
using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Schemas;
using Sieve.Core.Generalization;
using Sieve.Testing.Cli;

namespace Sieve.Tests.Cli;

public sealed class PolicyExplainCommandTests : IDisposable
{
    private const string Telematics = "telematics-event.json";
    private const string Wifi = "wifi-event.json";
    private readonly string _directory = Directory.CreateTempSubdirectory("sieve-cli-explain-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Telematics_sample_gives_precise_position_coarse_personalization_and_dated_analytics_key()
    {
        using JsonDocument sample = ReadSample(Telematics);
        JsonElement location = sample.RootElement.GetProperty("location");
        double latitude = location.GetProperty("latitude").GetDouble();
        double longitude = location.GetProperty("longitude").GetDouble();

        using JsonDocument report = await ExplainJsonAsync(Telematics);

        JsonElement positioning = Purpose(report, "positioning");
        Assert.Equal("forwarded", positioning.GetProperty("outcome").GetString());
        Assert.Equal(latitude, Field(positioning, "latitude").GetProperty("value").GetDouble());
        Assert.Equal(longitude, Field(positioning, "longitude").GetProperty("value").GetDouble());
        Assert.Equal("location.latitude", Field(positioning, "latitude").GetProperty("from").GetString());
        Assert.Equal("vin", Field(positioning, "subject").GetProperty("from").GetString());
        Assert.Equal(32, Field(positioning, "subject").GetProperty("value").GetString()!.Length);

        JsonElement personalization = Purpose(report, "personalization");
        Assert.Equal("forwarded", personalization.GetProperty("outcome").GetString());
        string geohash = Field(personalization, "geohash").GetProperty("value").GetString()!;
        Assert.Equal(6, geohash.Length);
        Assert.Equal(ExpectedGeohash(latitude, longitude, 6), geohash);
        Assert.Equal("location", Field(personalization, "geohash").GetProperty("from").GetString());
        Assert.Equal(24000, Field(personalization, "odometerKm").GetProperty("value").GetDouble());

        JsonElement analytics = Purpose(report, "analytics");
        Assert.Equal("held", analytics.GetProperty("outcome").GetString());
        Assert.Equal("held:release", analytics.GetProperty("code").GetString());
        Assert.Equal("segment", analytics.GetProperty("pseudonym").GetString());
        Assert.Equal("segment", Field(analytics, "keyId").GetProperty("value").GetString());
        Assert.Null(Field(analytics, "odometerKm").GetProperty("value").GetString());
        string[] release = [.. analytics.GetProperty("release").EnumerateArray().Select(r => r.GetString()!)];
        Assert.Contains(release, r => r.StartsWith("k: a (cell, bucket) is released only if at least 5 distinct vehicles", StringComparison.Ordinal));
        Assert.Contains(release, r => r.StartsWith("zones: nothing is released in Ruijin Hospital (example), Municipal government compound (example)", StringComparison.Ordinal));
        Assert.Contains(release, r => r == "parked: every record with the ignition off is withheld");
        Assert.Contains(release, r => r.StartsWith("count: each released record carries cellVehicles", StringComparison.Ordinal));
        Assert.Equal("demo-1/positioning/stable", Field(positioning, "keyId").GetProperty("value").GetString());
    }

    [Fact]
    public async Task Wifi_sample_gives_interest_categories_never_domains()
    {
        using JsonDocument sample = ReadSample(Wifi);
        string[] domains = [.. sample.RootElement.GetProperty("visitedDomains").EnumerateArray().Select(d => d.GetString()!)];
        Assert.NotEmpty(domains);

        CliResult json = await CliRunner.RunAsync("policy", "explain", "--default", "--event", CliRunner.Sample(Wifi), "--json");
        CliResult table = await CliRunner.RunAsync("policy", "explain", "--default", "--event", CliRunner.Sample(Wifi));

        Assert.Equal(0, json.ExitCode);
        Assert.Equal(0, table.ExitCode);
        using JsonDocument report = JsonDocument.Parse(json.Out);
        JsonElement personalization = Purpose(report, "personalization");
        JsonElement interests = Field(personalization, "interests");
        Assert.Equal(["automotive", "travel", "shopping"], interests.GetProperty("value").EnumerateArray().Select(i => i.GetString()));
        Assert.Equal("visitedDomains", interests.GetProperty("from").GetString());
        Assert.Equal(6, Field(personalization, "geohash").GetProperty("value").GetString()!.Length);
        Assert.Equal("phoneNumber", Field(personalization, "subject").GetProperty("from").GetString());
        foreach (string domain in domains)
        {
            Assert.DoesNotContain(domain, json.All, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(domain, table.All, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("automotive, travel, shopping", table.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Telematics, false)]
    [InlineData(Telematics, true)]
    [InlineData(Wifi, false)]
    [InlineData(Wifi, true)]
    public async Task No_raw_identifier_of_the_sample_appears_in_the_output(string sampleName, bool asJson)
    {
        List<string> identifiers = DirectValues(sampleName);
        Assert.True(identifiers.Count >= 3, "the sample should carry several direct identifiers");

        string[] args = asJson
            ? ["policy", "explain", "--default", "--event", CliRunner.Sample(sampleName), "--json"]
            : ["policy", "explain", "--default", "--event", CliRunner.Sample(sampleName)];
        CliResult result = await CliRunner.RunAsync(args);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("forwarded", result.Out, StringComparison.Ordinal);
        foreach (string identifier in identifiers)
        {
            Assert.DoesNotContain(identifier, result.All, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Dropped_fields_are_listed_with_direct_ones_marked()
    {
        CliResult table = await CliRunner.RunAsync("policy", "explain", "--default", "--event", CliRunner.Sample(Telematics));
        using JsonDocument report = await ExplainJsonAsync(Telematics);

        JsonElement dropped = Purpose(report, "positioning").GetProperty("dropped");
        var byField = dropped.EnumerateArray().ToDictionary(d => d.GetProperty("field").GetString()!, d => d.GetProperty("direct").GetBoolean());
        Assert.True(byField["deviceId"]);
        Assert.True(byField["driver.phoneNumber"]);
        Assert.True(byField["driver.licenseNumber"]);
        Assert.False(byField["status.odometerKm"]);
        Assert.False(byField["location.altitudeM"]);
        Assert.DoesNotContain("vin", byField.Keys);
        Assert.DoesNotContain("location.latitude", byField.Keys);

        // A geohash uses the position only: speed is dropped from personalization but used by positioning.
        var personalizationDropped = Purpose(report, "personalization").GetProperty("dropped").EnumerateArray()
            .Select(d => d.GetProperty("field").GetString()).ToList();
        Assert.Contains("location.speedKph", personalizationDropped);
        Assert.DoesNotContain("location.latitude", personalizationDropped);
        Assert.DoesNotContain("location.speedKph", byField.Keys);

        Assert.Contains("driver.phoneNumber (direct)", table.Out, StringComparison.Ordinal);
        Assert.Contains("deviceId (direct)", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consent_none_forwards_analytics_only()
    {
        using JsonDocument report = await ExplainJsonAsync(Wifi, "--consent", "none");
        CliResult table = await CliRunner.RunAsync("policy", "explain", "--default", "--event", CliRunner.Sample(Wifi), "--consent", "none");

        var outcomes = report.RootElement.GetProperty("purposes").EnumerateArray()
            .ToDictionary(p => p.GetProperty("purpose").GetString()!, p => p.GetProperty("code").GetString());
        Assert.Equal("withheld:no-consent", outcomes["positioning"]);
        Assert.Equal("withheld:no-consent", outcomes["personalization"]);
        Assert.Equal("withheld:no-consent", outcomes["marketing"]);
        Assert.Equal("withheld:not-applicable", outcomes["quality"]);
        Assert.Equal("held:release", outcomes["analytics"]);
        Assert.Empty(report.RootElement.GetProperty("consent").GetProperty("granted").EnumerateArray());

        Assert.Equal(0, table.ExitCode);
        Assert.Equal(3, CountOf(table.Out, "withheld (withheld:no-consent)"));
        Assert.Single(table.Out.Split('\n'), line => line.Trim().StartsWith("held for release:", StringComparison.Ordinal));
        Assert.Contains("release k: a (cell, bucket) is released only if at least 5", table.Out.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_purpose_shows_its_consent_max_age()
    {
        using JsonDocument report = await ExplainJsonAsync(Telematics);
        CliResult table = await CliRunner.RunAsync("policy", "explain", "--default", "--event", CliRunner.Sample(Telematics));

        Assert.Equal("365d", Purpose(report, "positioning").GetProperty("consentMaxAge").GetString());
        Assert.Equal("365d", Purpose(report, "personalization").GetProperty("consentMaxAge").GetString());
        Assert.Equal("365d", Purpose(report, "marketing").GetProperty("consentMaxAge").GetString());
        Assert.False(Purpose(report, "analytics").TryGetProperty("consentMaxAge", out _));
        Assert.False(Purpose(report, "quality").TryGetProperty("consentMaxAge", out _));
        Assert.Equal(3, CountOf(table.Out, "consent required, max age 365d"));
        Assert.Equal(2, CountOf(table.Out, "no consent required"));

        // Each purpose's legal basis, and the law the quality purpose rests on.
        Assert.Equal("legal-obligation", Purpose(report, "quality").GetProperty("legalBasis").GetString());
        Assert.Equal("anonymized", Purpose(report, "analytics").GetProperty("legalBasis").GetString());
        Assert.Equal("consent", Purpose(report, "positioning").GetProperty("legalBasis").GetString());
        Assert.Equal("quality.escrow.v1", Purpose(report, "quality").GetProperty("recallEscrow").GetString());
        Assert.Contains("legal basis: legal-obligation, under Regulation on the Administration of Recall of Defective Auto Products", table.Out.ReplaceLineEndings(" "), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consent_list_grants_only_the_named_purposes()
    {
        using JsonDocument report = await ExplainJsonAsync(Telematics, "--consent", "positioning");

        Assert.Equal("forwarded", Purpose(report, "positioning").GetProperty("outcome").GetString());
        Assert.Equal("withheld:no-consent", Purpose(report, "personalization").GetProperty("code").GetString());
        Assert.Equal("held", Purpose(report, "analytics").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Minor_is_withheld_from_every_purpose()
    {
        using JsonDocument report = await ExplainJsonAsync(Wifi, "--minor");

        // Quality takes no Wi-Fi input at all; every purpose that does withholds the minor.
        Assert.All(report.RootElement.GetProperty("purposes").EnumerateArray(),
            p => Assert.Equal(p.GetProperty("purpose").GetString() == "quality" ? "withheld:not-applicable" : "withheld:minor", p.GetProperty("code").GetString()));
        Assert.Equal(4, report.RootElement.GetProperty("purposes").EnumerateArray().Count(p => p.GetProperty("code").GetString() == "withheld:minor"));
        Assert.True(report.RootElement.GetProperty("consent").GetProperty("minor").GetBoolean());
    }

    [Fact]
    public async Task Invalid_identifier_is_shown_as_quarantined_with_its_reason()
    {
        string text = File.ReadAllText(CliRunner.Sample(Telematics));
        string vin = ReadSample(Telematics).RootElement.GetProperty("vin").GetString()!;
        string broken = vin[..8] + (vin[8] == '0' ? '1' : '0') + vin[9..];
        string path = Path.Combine(_directory, "bad-vin.json");
        File.WriteAllText(path, text.Replace(vin, broken, StringComparison.Ordinal));

        CliResult table = await CliRunner.RunAsync("policy", "explain", "--default", "--event", path);
        CliResult json = await CliRunner.RunAsync("policy", "explain", "--default", "--event", path, "--json");

        Assert.Equal(0, table.ExitCode);
        Assert.Contains("quarantined", table.Out, StringComparison.Ordinal);
        Assert.Contains("invalid-vin-checksum", table.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(broken, table.All, StringComparison.OrdinalIgnoreCase);
        using JsonDocument report = JsonDocument.Parse(json.Out);
        Assert.Equal("invalid-vin-checksum", report.RootElement.GetProperty("quarantine").GetProperty("code").GetString());
        Assert.Contains("vin", report.RootElement.GetProperty("quarantine").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(report.RootElement.GetProperty("purposes").EnumerateArray());
    }

    [Fact]
    public async Task Policy_file_gives_the_same_result_as_default()
    {
        CliResult fromFile = await CliRunner.RunAsync("policy", "explain", CliRunner.DefaultPolicyFile, "--event", CliRunner.Sample(Telematics), "--json");
        CliResult fromDefault = await CliRunner.RunAsync("policy", "explain", "--default", "--event", CliRunner.Sample(Telematics), "--json");

        Assert.Equal(0, fromFile.ExitCode);
        using JsonDocument a = JsonDocument.Parse(fromFile.Out);
        using JsonDocument b = JsonDocument.Parse(fromDefault.Out);
        Assert.Equal(b.RootElement.GetProperty("purposes").GetRawText(), a.RootElement.GetProperty("purposes").GetRawText());
        Assert.Equal(CliRunner.DefaultPolicyFile, a.RootElement.GetProperty("policy").GetProperty("source").GetString());
    }

    [Fact]
    public async Task Misspelt_field_in_the_sample_is_one_usage_error_naming_its_path()
    {
        string path = Path.Combine(_directory, "typo.json");
        File.WriteAllText(path, """{ "type": "wifi", "eventId": "w-1", "gatewayId": "g", "outletId": "o", "eventTime": 0, "clientMac": "3c:22:fb:7a:41:d9", "locaton": {} }""");

        CliResult result = await CliRunner.RunAsync("policy", "explain", "--default", "--event", path);

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("$.locaton", line, StringComparison.Ordinal);
        Assert.DoesNotContain("3c:22", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--consent", "billing")]
    [InlineData("--nope")]
    public async Task Bad_options_are_one_usage_error(params string[] extra)
    {
        CliResult result = await CliRunner.RunAsync(["policy", "explain", "--default", "--event", CliRunner.Sample(Wifi), .. extra]);

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.StartsWith("sieve policy explain: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Policy_file_and_default_together_are_a_usage_error()
    {
        CliResult result = await CliRunner.RunAsync("policy", "explain", CliRunner.DefaultPolicyFile, "--default", "--event", CliRunner.Sample(Wifi));

        CliRunner.SingleErrorLine(result, 2);
    }

    private static async Task<JsonDocument> ExplainJsonAsync(string sampleName, params string[] extra)
    {
        CliResult result = await CliRunner.RunAsync(["policy", "explain", "--default", "--event", CliRunner.Sample(sampleName), "--json", .. extra]);
        Assert.True(result.ExitCode == 0, result.Error);
        return JsonDocument.Parse(result.Out);
    }

    private static JsonDocument ReadSample(string name) => JsonDocument.Parse(File.ReadAllText(CliRunner.Sample(name)));

    private static JsonElement Purpose(JsonDocument report, string name) =>
        Assert.Single(report.RootElement.GetProperty("purposes").EnumerateArray(), p => p.GetProperty("purpose").GetString() == name);

    private static JsonElement Field(JsonElement purpose, string name) =>
        Assert.Single(purpose.GetProperty("fields").EnumerateArray(), f => f.GetProperty("name").GetString() == name);

    private static string ExpectedGeohash(double latitude, double longitude, int precision)
    {
        Span<byte> hash = stackalloc byte[12];
        int n = Geohash.Encode(latitude, longitude, precision, hash);
        return Encoding.ASCII.GetString(hash[..n]);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Every value of a direct field of the sample (by the schema's classification), as written and in its
    /// normalized forms, so neither spelling can slip through.
    /// </summary>
    private static List<string> DirectValues(string sampleName)
    {
        using JsonDocument sample = ReadSample(sampleName);
        string schemaName = sample.RootElement.GetProperty("type").GetString() == "wifi" ? "WifiEvent" : "TelematicsEvent";
        var values = new List<string>();
        foreach (SchemaField field in SchemaCatalog.Flatten(SchemaCatalog.Default.Get(schemaName).Schema))
        {
            if (field.IsRecord || field.Classification != "direct")
            {
                continue;
            }

            JsonElement element = sample.RootElement;
            bool found = true;
            foreach (string part in field.Path.Split('.'))
            {
                found &= element.ValueKind == JsonValueKind.Object && element.TryGetProperty(part, out element);
            }

            if (found && element.ValueKind == JsonValueKind.String)
            {
                string raw = element.GetString()!;
                values.Add(raw);
                values.Add(new string([.. raw.Where(char.IsAsciiLetterOrDigit)]));
                foreach (SubjectType type in Enum.GetValues<SubjectType>())
                {
                    byte[] normalized = new byte[IdentifierNormalizer.MaxNormalizedLength];
                    if (IdentifierNormalizer.TryNormalize(type, Encoding.UTF8.GetBytes(raw), normalized, out int n, out _) == NormalizeStatus.Ok)
                    {
                        string canonical = Encoding.ASCII.GetString(normalized, 0, n);
                        values.Add(canonical);
                        if (type == SubjectType.Phone && canonical.StartsWith("+86", StringComparison.Ordinal))
                        {
                            values.Add(canonical[3..]);
                        }
                    }
                }
            }
        }

        return values;
    }
}
