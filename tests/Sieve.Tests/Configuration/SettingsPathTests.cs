using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sieve.Core.Devices;
using Sieve.Core.Publishing;
using Sieve.Hosting;
using Sieve.Hosting.Configuration;
using Sieve.Hosting.Ingest;
using Sieve.Hosting.Minimizer;
using Sieve.Hosting.Sink;

namespace Sieve.Tests.Configuration;

/// <summary>
/// The one configuration path (options bound from sections, validated, errors as <see cref="SettingsException"/>)
/// without building a host.
/// </summary>
public sealed class SettingsPathTests
{
    private const string WrongValue = "not-a-number-7f3a";

    [Fact]
    public void Kafka_delivery_timeout_has_one_cap_for_every_ingest_module()
    {
        Assert.Equal(300_000, KafkaDeliveryOptions.MaxDeliveryTimeoutMs);
        Assert.Equal(TimeSpan.FromMilliseconds(300_000), Publisher(new() { ["Kafka:DeliveryTimeoutMs"] = "300000" }).DeliveryTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(5000), Publisher([]).DeliveryTimeout);

        SettingsException error = Assert.Throws<SettingsException>(() => Publisher(new() { ["Kafka:DeliveryTimeoutMs"] = "300001" }));
        Assert.Equal("Kafka:DeliveryTimeoutMs: must be a whole number from 100 to 300000.", error.Message);
        Assert.Equal("Kafka:DeliveryTimeoutMs", error.Key);
    }

    [Fact]
    public void The_raw_event_publisher_is_registered_once_when_the_host_and_the_teltonika_module_both_ask_for_it()
    {
        var services = new ServiceCollection();
        IConfiguration config = Config(new() { ["Kafka:BootstrapServers"] = "127.0.0.1:9" });
        IngestSettings.Register(services, config);
        services.AddTeltonikaIngest(config);

        Assert.Single(services, d => d.ServiceType == typeof(RawEventPublisher));
        Assert.Single(services, d => d.ServiceType == typeof(RawPublisherOptions));
    }

    [Fact]
    public void A_blank_number_keeps_its_default_and_a_wrong_one_is_named_without_its_value()
    {
        Dictionary<string, string?> values = new()
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9",
            ["Redis:Configuration"] = "127.0.0.1:9",
            ["Keys:AllowDemoKey"] = "true",
            ["Recall:KeyPath"] = Sieve.Testing.Recall.TestRecallKey.Path,
            ["Minimizer:BatchMaxMessages"] = " ",
        };
        Assert.Equal(5000, MinimizerSettings.From(Config(values)).Engine.BatchMaxMessages);

        values["Minimizer:BatchMaxMessages"] = WrongValue;
        SettingsException error = Assert.Throws<SettingsException>(() => MinimizerSettings.From(Config(values)));
        Assert.Equal("Minimizer:BatchMaxMessages: must be a whole number from 1 to 1000000.", error.Message);
    }

    [Theory]
    [InlineData("Minimizer:Delivery", "Minimizer:Delivery: must be one of ")]
    [InlineData("Consent:LoaderEnabled", "Consent:LoaderEnabled: must be true or false.")]
    [InlineData("Redis:Configuration", null)]
    public void Minimizer_values_are_named_not_echoed(string key, string? expected)
    {
        Dictionary<string, string?> values = new()
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9",
            ["Redis:Configuration"] = "127.0.0.1:9",
            ["Keys:AllowDemoKey"] = "true",
            ["Recall:KeyPath"] = Sieve.Testing.Recall.TestRecallKey.Path,
            [key] = key == "Redis:Configuration" ? "" : WrongValue,
        };

        SettingsException error = Assert.Throws<SettingsException>(() => MinimizerSettings.From(Config(values)));

        Assert.StartsWith(expected ?? "Redis:Configuration: required.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("7f3a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sink_keys_are_required_only_while_erasure_runs()
    {
        Dictionary<string, string?> values = new() { ["Kafka:BootstrapServers"] = "127.0.0.1:9", ["Redis:Configuration"] = "127.0.0.1:9" };

        SettingsException error = Assert.Throws<SettingsException>(() => SinkSettings.From(Config(values)));
        Assert.StartsWith("Keys:Path: erasure needs the master keys", error.Message, StringComparison.Ordinal);
        Assert.Contains("Sink:ErasureEnabled=false", error.Message, StringComparison.Ordinal);

        values["Sink:ErasureEnabled"] = "false";
        Assert.Null(SinkSettings.From(Config(values)).Keys);
    }

    [Fact]
    public void Options_validation_errors_become_one_settings_error_with_every_failure_on_one_line()
    {
        var first = new OptionsValidationException("", typeof(KafkaOptions), ["Kafka:BootstrapServers: required."]);
        var second = new OptionsValidationException("", typeof(RedisOptions), ["Redis:Configuration: required.", "Redis:Other: bad\nthing."]);

        SettingsException error = SettingsException.From(new AggregateException(first, second))!;

        Assert.Equal("Kafka:BootstrapServers", error.Key);
        Assert.Equal("Kafka:BootstrapServers: required.; Redis:Configuration: required.; Redis:Other: bad thing.", error.Message);
        Assert.Null(SettingsException.From(new InvalidOperationException("x")));
    }

    [Fact]
    public void A_missing_device_registry_file_is_a_settings_error_that_does_not_name_the_path()
    {
        string path = Path.Combine(Path.GetTempPath(), "sieve-no-such-registry-7f3a", "devices.csv");

        SettingsException error = Assert.Throws<SettingsException>(() => DeviceRegistryConfiguration.Create(Config(new() { ["Devices:Path"] = path })));

        Assert.Equal("Devices:Path: no such file; set it to a JSON or CSV device registry.", error.Message);
    }

    [Fact]
    public void Device_registry_file_errors_count_as_configuration_errors()
    {
        Assert.True(ServiceEntryPoint.IsConfigurationError(new DeviceRegistryFormatException("line 2: expected an IMEI")));
        Assert.True(ServiceEntryPoint.IsConfigurationError(new SettingsException("Devices:Path", "cannot be set together with Devices:Redis.")));
        Assert.False(ServiceEntryPoint.IsConfigurationError(new InvalidOperationException("x")));
    }

    private static RawPublisherOptions Publisher(Dictionary<string, string?> values)
    {
        values["Kafka:BootstrapServers"] = "127.0.0.1:9";
        return SettingsValidation.Resolve<RawPublisherOptions>(Config(values), IngestSettings.AddRawEventPublisher);
    }

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
