using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Gateways.Events;
using Sieve.Core.Gateways;
using Sieve.Core.Teltonika.Server;
using Sieve.Hosting.Ingest;
using Sieve.Testing.Gateways;
using Sieve.Hosting.Configuration;

namespace Sieve.IntegrationTests.Gateways;

public sealed class GatewaySettingsTests
{
    [Theory]
    [InlineData("Kafka:BootstrapServers", null, "Kafka:BootstrapServers: required")]
    [InlineData("Ingest:Meraki:Validator", null, "Ingest:Meraki:Validator: required")]
    [InlineData("Ingest:Meraki:Secret", "short-secret", "Ingest:Meraki:Secret: must be at least 16 characters")]
    [InlineData("Ingest:Meraki:Networks:N_24329156:OutletId", null, "Ingest:Meraki:Networks:N_24329156:OutletId: required")]
    [InlineData("Ingest:Portal:Gateways:gw-gz-02:OutletId", null, "Ingest:Portal:Gateways:gw-gz-02:OutletId: required")]
    [InlineData("Ingest:Portal:Gateways:gw-bj-01:Token", "tiny-token", "Ingest:Portal:Gateways:gw-bj-01:Token: must be at least 16 characters")]
    [InlineData("Ingest:Portal:Gateways:gw-gz-02:Token", GatewayTestHost.PortalToken, "Ingest:Portal:Gateways:gw-gz-02:Token: is the same as another gateway's token")]
    [InlineData("Ingest:Http:Urls", "ftp://0.0.0.0:21", "Ingest:Http:Urls (entry 1): must start with http:// or https://")]
    [InlineData("Ingest:Http:Urls", "http://0.0.0.0:8080;http://dealer.example:80", "Ingest:Http:Urls (entry 2): host must be")]
    [InlineData("Ingest:Limits:PortalMaxBodyBytes", "12", "Ingest:Limits:PortalMaxBodyBytes: must be a whole number from 1024 to")]
    [InlineData("Ingest:RateLimit:TokenLimit", "lots", "Ingest:RateLimit:TokenLimit: must be a whole number")]
    [InlineData("Kafka:DeliveryTimeoutMs", "0", "Kafka:DeliveryTimeoutMs: must be a whole number from 100")]
    public void A_bad_setting_stops_start_up_with_an_error_naming_the_key_and_not_the_value(string key, string? value, string expected)
    {
        Dictionary<string, string?> config = GatewayTestHost.BaseConfiguration("127.0.0.1:9", "wifi.raw.v1");
        config[key] = value;

        SettingsException error = Assert.Throws<SettingsException>(() => Build(config));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        if (value is { Length: > 3 })
        {
            Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Gateways_without_master_keys_stop_start_up_with_an_error_naming_Keys_Path()
    {
        Dictionary<string, string?> config = GatewayTestHost.BaseConfiguration("127.0.0.1:9", "wifi.raw.v1");
        config.Remove("Keys:AllowDemoKey");

        SettingsException error = Assert.Throws<SettingsException>(() => Build(config));

        Assert.StartsWith("Keys:Path: no master keys for event ids", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("c2hvcnQ=")]
    [InlineData("not base64!")]
    [InlineData("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=")]
    public void A_leftover_Ingest_EventIdKey_is_ignored(string value)
    {
        Dictionary<string, string?> config = GatewayTestHost.BaseConfiguration("127.0.0.1:9", "wifi.raw.v1");
        config["Ingest:EventIdKey"] = value;

        using Microsoft.AspNetCore.Builder.WebApplication app = Build(config);

        Assert.Equal(MasterKeyRing.DemoKeyId, app.Services.GetRequiredService<WifiEventIds>().MasterKeyId);
    }

    [Fact]
    public void Meraki_secret_without_any_network_is_refused()
    {
        Dictionary<string, string?> config = GatewayTestHost.BaseConfiguration("127.0.0.1:9", "wifi.raw.v1");
        config.Remove("Ingest:Meraki:Networks:" + GatewayTestHost.MerakiNetwork + ":OutletId");
        config.Remove("Ingest:Meraki:Networks:" + GatewayTestHost.MerakiNetwork + ":GatewayId");

        SettingsException error = Assert.Throws<SettingsException>(() => Build(config));

        Assert.StartsWith("Ingest:Meraki:Networks:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_gateways_the_event_id_key_is_not_needed_and_the_gateway_paths_only_answer_not_configured()
    {
        var config = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9",
            ["Ingest:Http:Urls"] = "http://127.0.0.1:0",
            ["Metrics:Urls"] = "http://127.0.0.1:0",
        };

        using Microsoft.AspNetCore.Builder.WebApplication app = Build(config);

        var routes = ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources
            .SelectMany(d => d.Endpoints).OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText).ToList();

        // The gateway paths answer 404 gateway-not-configured (GatewayRefusalTests); no receiver serves them.
        string[] expected = [IngestHost.HealthPath, IngestHost.ReadyPath, GatewayIngestModule.MerakiPath, "/portal/v1/logins", "/portal/v1/sessions"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), routes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Configured_secrets_are_kept_only_as_digests()
    {
        GatewaySettings settings = GatewayIngestModule.ReadSettings(new ConfigurationBuilder()
            .AddInMemoryCollection(GatewayTestHost.BaseConfiguration("127.0.0.1:9", "wifi.raw.v1")).Build());

        Assert.Equal(32, settings.Meraki!.SecretHash.Length);
        Assert.All(settings.PortalGateways, g => Assert.Equal(32, g.TokenHash.Length));
        Assert.Equal("outlet-bj-01", settings.PortalGateways.Single(g => g.GatewayId == GatewayTestHost.PortalGateway).OutletId);
        Assert.Equal("outlet-gz-02", settings.PortalGateways.Single(g => g.GatewayId == GatewayTestHost.OtherGateway).OutletId);
        Assert.Equal(GatewayTestHost.MerakiGateway, settings.Meraki.Networks[GatewayTestHost.MerakiNetwork].GatewayId);
    }

    private static Microsoft.AspNetCore.Builder.WebApplication Build(Dictionary<string, string?> config)
    {
        string root = Directory.CreateTempSubdirectory("sieve-ingest-settings-").FullName;
        try
        {
            return IngestHost.Build(new IngestHostOptions
            {
                ContentRootPath = root,
                Modules = [GatewayIngestModule.Instance],
                ConfigureBuilder = b => b.Configuration.AddInMemoryCollection(config.Where(p => p.Value is not null)),
            });
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
