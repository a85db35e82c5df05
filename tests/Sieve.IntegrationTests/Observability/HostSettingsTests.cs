using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using Sieve.Core.Gateways;
using Sieve.Hosting.Configuration;
using Sieve.Hosting.Ingest;
using Sieve.Hosting.Minimizer;
using Sieve.Hosting.Observability;
using Sieve.Hosting.Sink;
using Sieve.Hosting;
using Sieve.Testing;
using Sieve.Testing.Gateways;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Policy;

namespace Sieve.IntegrationTests.Observability;

/// <summary>
/// Every service validates its settings while it is built, before anything listens or connects, and a wrong one is
/// one line naming the key and the problem. Nothing here starts a service.
/// </summary>
public sealed class HostSettingsTests
{
    public static TheoryData<string, string, string, string> WrongSettings => new()
    {
        { "ingest", "Metrics:Urls", "ftp://0.0.0.0:9464", "Metrics:Urls (entry 1): must start with http://" },
        { "minimizer", "Metrics:Urls", "http://0.0.0.0:9465/metrics", "Metrics:Urls (entry 1): must be http://host:port with no path" },
        { "sink", "Metrics:Urls", "http://metrics.example:9466", "Metrics:Urls (entry 1): host must be *, +, localhost or an IP address." },
        { "ingest", "Logging:Format", "xml", "Logging:Format: must be simple or json." },
        { "minimizer", "Logging:Format", "yaml", "Logging:Format: must be simple or json." },
        { "sink", "Logging:Format", "text", "Logging:Format: must be simple or json." },
        { "minimizer", "Minimizer:BatchMaxMessages", "0", "Minimizer:BatchMaxMessages: " },
        { "minimizer", "Minimizer:Delivery", "Sometimes", "Minimizer:Delivery: " },
        { "minimizer", "Kafka:BootstrapServers", "", "Kafka:BootstrapServers: required." },
        { "sink", "Sink:RollRows", "many", "Sink:RollRows: " },
        { "sink", "Redis:Configuration", " ", "Redis:Configuration: required." },
        { "ingest", "Kafka:DeliveryTimeoutMs", "5", "Kafka:DeliveryTimeoutMs: must be a whole number from 100 to 300000." },
        { "minimizer", "Metrics:Token", "too-short", "Metrics:Token: must be at least 16 characters." },
        { "sink", "Metrics:Token", "has a space in it 0123", "Metrics:Token: must be printable ASCII without spaces." },
    };

    public static TheoryData<string> ServiceNames => ["ingest", "minimizer", "sink"];

    /// <summary>A value no setting accepts, distinctive enough that any echo of it (or of a part) shows.</summary>
    private const string WrongValue = "not-a-number-7f3a";

    public static TheoryData<string, string> KeysOfEveryService => new()
    {
        { "ingest", "Kafka:DeliveryTimeoutMs" },
        { "ingest", "Ingest:Http:RetryAfterSeconds" },
        { "ingest", "Ingest:Http:Urls" },
        { "ingest", "Ingest:RateLimit:TokenLimit" },
        { "ingest", "Metrics:Urls" },
        { "ingest", "Logging:Format" },
        { "minimizer", "Minimizer:BatchMaxMessages" },
        { "minimizer", "Minimizer:Delivery" },
        { "minimizer", "Minimizer:CommitOffsetsOutsideTransaction" },
        { "minimizer", "Consent:RetentionDays" },
        { "minimizer", "Consent:CacheCapacity" },
        { "minimizer", "Consent:LoaderEnabled" },
        { "minimizer", "Keys:AllowDemoKey" },
        { "minimizer", "Metrics:Urls" },
        { "sink", "Sink:RollRows" },
        { "sink", "Sink:RollBytes" },
        { "sink", "Sink:Retention:analytics" },
        { "sink", "Sink:ErasureEnabled" },
        { "sink", "Sink:EraseMinors" },
        { "sink", "Metrics:Urls" },
    };

    [Theory]
    [MemberData(nameof(WrongSettings))]
    public void A_wrong_setting_stops_the_build_with_one_line_naming_the_key(string service, string key, string value, string expected)
    {
        Exception error = Assert.ThrowsAny<Exception>(() => Build(service, new() { [key] = value }).DisposeAsync().AsTask().GetAwaiter().GetResult());

        Assert.True(ServiceEntryPoint.IsConfigurationError(error),
            "unexpected " + error.GetType().Name + ": " + error.Message);
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [MemberData(nameof(KeysOfEveryService))]
    public void A_wrong_value_in_any_service_is_one_settings_error_naming_the_key_and_never_the_value(string service, string key)
    {
        SettingsException error = Assert.Throws<SettingsException>(() => Build(service, new() { [key] = WrongValue }).DisposeAsync().AsTask().GetAwaiter().GetResult());

        Assert.True(ServiceEntryPoint.IsConfigurationError(error));
        Assert.StartsWith(key, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(key, error.Key, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain('\r', error.Message);
        Assert.DoesNotContain(WrongValue, error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("not-a-number", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("7f3a", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public void Several_wrong_values_are_reported_together_on_one_line(string service)
    {
        string first = service switch { "ingest" => "Ingest:Http:RetryAfterSeconds", "minimizer" => "Minimizer:BatchMaxWaitMs", _ => "Sink:RollSeconds" };
        SettingsException error = Assert.Throws<SettingsException>(() => Build(service, new()
        {
            [first] = WrongValue,
            ["Metrics:Urls"] = "ftp://" + WrongValue,
        }).DisposeAsync().AsTask().GetAwaiter().GetResult());

        Assert.Contains(first + ": ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Metrics:Urls (entry 1): ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
        Assert.DoesNotContain("7f3a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ingest_service_with_all_its_modules_checks_the_event_id_keys_when_it_is_built()
    {
        // The gateways' module registers the key ring first; the Teltonika endpoint's check of the same keys must
        // still run with the other settings, before anything listens.
        string folder = Directory.CreateTempSubdirectory("sieve-settings-test-").FullName;
        Dictionary<string, string?> config = GatewayTestHost.BaseConfiguration("127.0.0.1:9", "wifi.raw.v1");
        config["Ingest:Teltonika:Port"] = "0";
        config["Ingest:Teltonika:EventIdMasterKeyId"] = "no-such-key";
        config["Ingest:Http:RetryAfterSeconds"] = WrongValue;

        SettingsException error = Assert.Throws<SettingsException>(() => IngestHost.Build(new IngestHostOptions
        {
            ContentRootPath = folder,
            Modules = IngestHost.Modules(),
            ConfigureBuilder = b => b.Configuration.AddInMemoryCollection(config),
        }).DisposeAsync().AsTask().GetAwaiter().GetResult());

        // Reported together with the other wrong setting: both came from the one validation pass.
        Assert.Contains("Ingest:Teltonika:EventIdMasterKeyId: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Ingest:Http:RetryAfterSeconds: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Unless_configured_the_operations_listener_is_on_loopback_only(string service)
    {
        await using WebApplication app = Build(service, new() { ["Metrics:Urls"] = null });

        ListenAddress listener = Assert.Single(app.Services.GetRequiredService<OpsSettings>().Listeners);
        Assert.Equal(System.Net.IPAddress.Loopback, listener.Address);
        Assert.False(listener.IsLocalhost);

        // The shipped appsettings.json says the same.
        string shipped = Path.Combine(RepoPaths.Root, "src", char.ToUpperInvariant(service[0]) + service[1..], "appsettings.json");
        using var settings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(shipped), new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip });
        string urls = settings.RootElement.GetProperty("Metrics").GetProperty("Urls").GetString()!;
        Assert.StartsWith("http://127.0.0.1:", urls, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unless_configured_the_gateway_and_teltonika_listeners_are_on_loopback_only()
    {
        Assert.Equal("http://127.0.0.1:8080", new IngestHttpOptions().Urls);
        Assert.Null(new TeltonikaListenerOptions().BindAddress);
        Assert.Equal(System.Net.IPAddress.Loopback, new Sieve.Core.Teltonika.Server.TeltonikaOptions().BindAddress);

        string folder = Directory.CreateTempSubdirectory("sieve-settings-test-").FullName;
        Dictionary<string, string?> config = GatewayTestHost.BaseConfiguration("127.0.0.1:9", "wifi.raw.v1");
        config["Ingest:Http:Urls"] = null;
        config["Ingest:Teltonika:BindAddress"] = null;
        config["Ingest:Teltonika:Port"] = "0";
        await using WebApplication app = IngestHost.Build(new IngestHostOptions
        {
            ContentRootPath = folder,
            Modules = IngestHost.Modules(),
            ConfigureBuilder = b => b.Configuration.AddInMemoryCollection(config),
        });

        ListenAddress http = Assert.Single(app.Services.GetRequiredService<IngestSettings>().HttpListeners);
        Assert.Equal((System.Net.IPAddress.Loopback, 8080), (http.Address, http.Port));
        Assert.Equal(System.Net.IPAddress.Loopback, app.Services.GetRequiredService<Sieve.Core.Teltonika.Server.TeltonikaOptions>().BindAddress);

        // The shipped appsettings.json says the same.
        string shipped = Path.Combine(RepoPaths.Root, "src", "Ingest", "appsettings.json");
        using var settings = System.Text.Json.JsonDocument.Parse(File.ReadAllText(shipped), new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip });
        System.Text.Json.JsonElement ingest = settings.RootElement.GetProperty("Ingest");
        Assert.StartsWith("http://127.0.0.1:", ingest.GetProperty("Http").GetProperty("Urls").GetString(), StringComparison.Ordinal);
        Assert.False(ingest.TryGetProperty("Teltonika", out System.Text.Json.JsonElement teltonika) && teltonika.TryGetProperty("BindAddress", out _),
            "the shipped appsettings.json sets Ingest:Teltonika:BindAddress");
    }

    [Fact]
    public void File_errors_are_reported_under_their_key()
    {
        Assert.StartsWith("Keys:Path: ", ServiceEntryPoint.Describe(new KeyRingException("the keys file does not exist.")), StringComparison.Ordinal);
        Assert.StartsWith("Policy:Path: ", ServiceEntryPoint.Describe(new PolicyValidationException("policy.json", [])), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ServiceNames))]
    public async Task Logging_format_json_selects_the_json_console_formatter_in_every_service(string service)
    {
        await using WebApplication json = Build(service, new() { ["Logging:Format"] = "json" });
        await using WebApplication simple = Build(service, new() { ["Logging:Format"] = "simple" });

        Assert.Equal(ConsoleFormatterNames.Json, json.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
        Assert.Equal(ConsoleFormatterNames.Simple, simple.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Theory]
    [InlineData("ingest")]
    [InlineData("minimizer")]
    [InlineData("sink")]
    public void The_service_exits_with_code_2_on_a_wrong_setting(string service)
    {
        string[] args = ["--Metrics:Urls=ftp://0.0.0.0:1", "--Keys:AllowDemoKey=true", "--Recall:KeyPath=" + Sieve.Testing.Recall.TestRecallKey.Path];
        int code = service switch
        {
            "ingest" => ServiceEntryPoint.Run(() => IngestHost.Build(new IngestHostOptions { Args = args, Modules = IngestHost.Modules() })),
            "minimizer" => ServiceEntryPoint.Run(() => MinimizerHost.Build(new MinimizerHostOptions { Args = args })),
            _ => ServiceEntryPoint.Run(() => SinkHost.Build(new SinkHostOptions { Args = args })),
        };

        Assert.Equal(2, code);
    }

    private static WebApplication Build(string service, Dictionary<string, string?> overrides)
    {
        string folder = Directory.CreateTempSubdirectory("sieve-settings-test-").FullName;
        Dictionary<string, string?> config = service == "ingest"
            ? GatewayTestHost.BaseConfiguration("127.0.0.1:9", "wifi.raw.v1")
            : new()
            {
                ["Kafka:BootstrapServers"] = "127.0.0.1:9",
                ["Redis:Configuration"] = "127.0.0.1:9",
                ["Keys:AllowDemoKey"] = "true",
                ["Recall:KeyPath"] = Sieve.Testing.Recall.TestRecallKey.Path,
                ["Metrics:Urls"] = "http://127.0.0.1:0",
                ["Sink:Root"] = Path.Combine(folder, "lake"),
            };
        foreach (KeyValuePair<string, string?> pair in overrides)
        {
            config[pair.Key] = pair.Value;
        }

        Action<WebApplicationBuilder> configure = b => b.Configuration.AddInMemoryCollection(config);
        return service switch
        {
            "ingest" => IngestHost.Build(new IngestHostOptions { ContentRootPath = folder, Modules = [GatewayIngestModule.Instance], ConfigureBuilder = configure }),
            "minimizer" => MinimizerHost.Build(new MinimizerHostOptions { ContentRootPath = folder, ConfigureBuilder = configure }),
            _ => SinkHost.Build(new SinkHostOptions { ContentRootPath = folder, ConfigureBuilder = configure }),
        };
    }
}
