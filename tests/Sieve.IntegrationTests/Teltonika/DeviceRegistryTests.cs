using Sieve.Core.Privacy;
using Microsoft.Extensions.Configuration;
using Sieve.Core.Devices;
using Sieve.Core.Teltonika.Server;
using Sieve.Hosting.Configuration;
using Sieve.Hosting.Ingest;
using Sieve.Testing.Harness;
using Sieve.Testing.Privacy;
using Sieve.Testing.Teltonika;
using StackExchange.Redis;
using Sieve.Testing;

namespace Sieve.IntegrationTests.Teltonika;

public sealed class DeviceRegistryTests
{
    private static readonly string Registered = TestVehicles.Imei(101);
    private static readonly string RegisteredWithoutVin = TestVehicles.Imei(102);
    private static readonly string Unregistered = TestVehicles.Imei(103);

    [Theory]
    [InlineData("356307042441013", true)]
    [InlineData("356307042441014", false)]
    [InlineData("35630704244101", false)]
    [InlineData("3563070424410130", false)]
    [InlineData("35630704244101a", false)]
    [InlineData("", false)]
    public void Imei_check_is_15_digits_with_luhn(string imei, bool valid)
    {
        Assert.Equal(valid, ImeiCheck.IsValid(imei));
        Assert.Equal(valid, ImeiCheck.IsValid(System.Text.Encoding.ASCII.GetBytes(imei)));
    }

    [Fact]
    public async Task Luhn_registry_accepts_any_valid_imei_and_knows_no_vin()
    {
        var registry = new LuhnDeviceRegistry();
        Assert.True(await registry.IsAllowedAsync(Unregistered, default));
        Assert.False(await registry.IsAllowedAsync(TestVehicles.BreakLuhn(Unregistered), default));
        Assert.Null(await registry.TryGetVinAsync(Unregistered, default));
    }

    [Theory]
    [InlineData(".csv")]
    [InlineData(".json")]
    [InlineData(".array.json")]
    public async Task File_registry_restricts_to_registered_units_and_returns_normalized_vins(string format)
    {
        string text = format switch
        {
            ".csv" => $"imei,vin\n# fleet A\n\n{Registered}, {TestVehicles.Vin1.ToLowerInvariant()}\n{RegisteredWithoutVin},\n",
            ".json" => $"{{ \"{Registered}\": \"{TestVehicles.Vin1.ToLowerInvariant()}\", \"{RegisteredWithoutVin}\": null }}",
            _ => $"[ {{ \"imei\": \"{Registered}\", \"vin\": \"{TestVehicles.Vin1.ToLowerInvariant()}\" }}, {{ \"imei\": \"{RegisteredWithoutVin}\" }} ]",
        };
        string path = WriteTemp(text, format.EndsWith(".json", StringComparison.Ordinal) ? ".json" : ".csv");
        FileDeviceRegistry registry = FileDeviceRegistry.Load(path);
        Assert.Equal(2, registry.Count);
        Assert.True(await registry.IsAllowedAsync(Registered, default));
        Assert.True(await registry.IsAllowedAsync(RegisteredWithoutVin, default));
        Assert.False(await registry.IsAllowedAsync(Unregistered, default));
        Assert.Equal(TestVehicles.Vin1, await registry.TryGetVinAsync(Registered, default));
        Assert.Null(await registry.TryGetVinAsync(RegisteredWithoutVin, default));

        FileDeviceRegistry open = FileDeviceRegistry.Load(path, acceptUnregistered: true);
        Assert.True(await open.IsAllowedAsync(Unregistered, default));
        Assert.False(await open.IsAllowedAsync(TestVehicles.BreakLuhn(Unregistered), default));
    }

    [Theory]
    [InlineData("imei,vin\n{0},{1}\n{2},{1}\n12345,\n", "line 4: the IMEI is not 15 digits")]
    [InlineData("{0},LSVAU2180N2183294\n", "line 1: the VIN is not a valid VIN")]
    [InlineData("{0},{1}\n{0},\n", "line 2: the IMEI is listed twice")]
    [InlineData("{0},{1},extra\n", "line 1: expected two fields")]
    public void Malformed_csv_is_rejected_naming_the_line_not_the_value(string template, string expected)
    {
        string path = WriteTemp(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Registered, TestVehicles.Vin1, RegisteredWithoutVin), ".csv");
        DeviceRegistryFormatException e = Assert.Throws<DeviceRegistryFormatException>(() => FileDeviceRegistry.Load(path));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        RawIdentifierScanner.For([Registered, RegisteredWithoutVin, TestVehicles.Vin1, "LSVAU2180N2183294"]).AssertClean(e.Message, "exception message");
    }

    [Theory]
    [InlineData("{\"" + "356307042441013\": 5}", "property 0: the VIN must be a string or null")]
    [InlineData("[{\"vin\": \"x\"}]", "element 0: expected an object with a string \"imei\"")]
    [InlineData("\"356307042441013\"", "the JSON root must be")]
    [InlineData("{\"356307042441013\": \"LSVAU218XN2183294\"", "invalid JSON at line 1")]
    public void Malformed_json_is_rejected_naming_the_position_not_the_value(string json, string expected)
    {
        DeviceRegistryFormatException e = Assert.Throws<DeviceRegistryFormatException>(() => FileDeviceRegistry.Load(WriteTemp(json, ".json")));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        RawIdentifierScanner.For(["356307042441013", "LSVAU218XN2183294"]).AssertClean(e.Message, "exception message");
    }

    [Fact]
    public async Task Without_a_registry_every_unit_is_refused_unless_any_valid_imei_is_accepted()
    {
        IDeviceRegistry closed = DeviceRegistryConfiguration.Create(Config([]));
        Assert.IsType<UnconfiguredDeviceRegistry>(closed);
        Assert.False(await closed.IsAllowedAsync(Unregistered, default));
        Assert.Null(await closed.TryGetVinAsync(Unregistered, default));

        IDeviceRegistry open = DeviceRegistryConfiguration.Create(Config(new() { ["Devices:AcceptAnyValidImei"] = "true" }));
        Assert.IsType<LuhnDeviceRegistry>(open);
        Assert.True(await open.IsAllowedAsync(Unregistered, default));
    }

    [Fact]
    public void Configuration_selects_the_registry()
    {
        Assert.IsType<UnconfiguredDeviceRegistry>(DeviceRegistryConfiguration.Create(Config([])));
        Assert.IsType<LuhnDeviceRegistry>(DeviceRegistryConfiguration.Create(Config(new() { ["Devices:AcceptAnyValidImei"] = "true" })));
        string path = WriteTemp($"{Registered},{TestVehicles.Vin1}\n", ".csv");
        Assert.IsType<FileDeviceRegistry>(DeviceRegistryConfiguration.Create(Config(new() { ["Devices:Path"] = path })));
        Assert.Throws<SettingsException>(() => DeviceRegistryConfiguration.Create(Config(new() { ["Devices:Path"] = path, ["Devices:Redis"] = "127.0.0.1:1" })));
        Assert.Throws<SettingsException>(() => DeviceRegistryConfiguration.Create(Config(new() { ["Devices:AcceptUnregistered"] = "maybe" })));
        SettingsException both = Assert.Throws<SettingsException>(() => DeviceRegistryConfiguration.Create(Config(new() { ["Devices:Path"] = path, ["Devices:AcceptAnyValidImei"] = "true" })));
        Assert.StartsWith("Devices:AcceptAnyValidImei: ", both.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ingest:Teltonika:Port", "70000")]
    [InlineData("Ingest:Teltonika:MaxFrameBytes", "10")]
    [InlineData("Ingest:Teltonika:IdleTimeoutSeconds", "0")]
    [InlineData("Ingest:Teltonika:MaxConnectionsPerAddress", "many")]
    [InlineData("Ingest:Teltonika:MaxConnections", "0")]
    [InlineData("Ingest:Teltonika:BindAddress", "localhost:5027")]
    public void Wrong_settings_fail_naming_the_key(string key, string value)
    {
        SettingsException e = Assert.Throws<SettingsException>(() => TeltonikaIngestExtensions.ReadOptions(Config(new() { [key] = value })));
        Assert.StartsWith(key + ":", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_are_read_with_their_defaults()
    {
        TeltonikaOptions defaults = TeltonikaIngestExtensions.ReadOptions(Config([]));
        Assert.Equal((5027, 65536, 300.0, 256, 10_000, "telematics.raw.v1"),
            (defaults.Port, defaults.MaxFrameBytes, defaults.IdleTimeout.TotalSeconds, defaults.MaxConnectionsPerAddress, defaults.MaxConnections, defaults.Topic));
        TeltonikaOptions set = TeltonikaIngestExtensions.ReadOptions(Config(new()
        {
            ["Ingest:Teltonika:Port"] = "6000",
            ["Ingest:Teltonika:BindAddress"] = "::1",
            ["Ingest:Teltonika:MaxFrameBytes"] = "4096",
            ["Ingest:Teltonika:IdleTimeoutSeconds"] = "30",
            ["Ingest:Teltonika:MaxConnectionsPerAddress"] = "3",
            ["Ingest:Teltonika:MaxConnections"] = "5",
            ["Ingest:Teltonika:EventIdMasterKeyId"] = "k1",
            ["Topics:TelematicsRaw"] = "raw.t",
        }));
        Assert.Equal((6000, "::1", 4096, 30.0, 3, 5, "k1", "raw.t"),
            (set.Port, set.BindAddress.ToString(), set.MaxFrameBytes, set.IdleTimeout.TotalSeconds, set.MaxConnectionsPerAddress, set.MaxConnections, set.EventIdMasterKeyId, set.Topic));
    }

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    private static string WriteTemp(string text, string extension)
    {
        string path = Path.Combine(Path.GetTempPath(), "sieve-devices-" + Guid.NewGuid().ToString("N") + extension);
        File.WriteAllText(path, text);
        return path;
    }
}

[Collection(RedisCollection.Name)]
public sealed class RedisDeviceRegistryTests(RedisFixture redis)
{
    [Fact]
    public async Task Redis_hash_maps_imeis_to_vins_and_restricts_unless_told_otherwise()
    {
        string key = "sieve:devices:test:" + Guid.NewGuid().ToString("N");
        string registered = TestVehicles.Imei(201);
        string withoutVin = TestVehicles.Imei(202);
        string badVin = TestVehicles.Imei(203);
        using (ConnectionMultiplexer setup = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            await setup.GetDatabase().HashSetAsync(key,
            [
                new HashEntry(registered, TestVehicles.Vin2.ToLowerInvariant()),
                new HashEntry(withoutVin, ""),
                new HashEntry(badVin, "not-a-vin"),
            ]);
        }

        using RedisDeviceRegistry registry = RedisDeviceRegistry.Connect(redis.Configuration, key);
        Assert.True(await registry.IsAllowedAsync(registered, default));
        Assert.True(await registry.IsAllowedAsync(withoutVin, default));
        Assert.False(await registry.IsAllowedAsync(TestVehicles.Imei(204), default));
        Assert.False(await registry.IsAllowedAsync(TestVehicles.BreakLuhn(registered), default));
        Assert.Equal(TestVehicles.Vin2, await registry.TryGetVinAsync(registered, default));
        Assert.Null(await registry.TryGetVinAsync(withoutVin, default));
        Assert.Null(await registry.TryGetVinAsync(badVin, default));
        Assert.Null(await registry.TryGetVinAsync(TestVehicles.Imei(204), default));

        using RedisDeviceRegistry open = RedisDeviceRegistry.Connect(redis.Configuration, key, acceptUnregistered: true);
        Assert.True(await open.IsAllowedAsync(TestVehicles.Imei(204), default));
    }

    [Fact]
    public async Task Unreachable_redis_is_reported_as_unavailable_without_identifiers()
    {
        using Sieve.Embedded.RedisServerProcess server = await redis.StartDedicatedAsync();
        using RedisDeviceRegistry registry = RedisDeviceRegistry.Connect(server.Configuration + ",connectTimeout=500,syncTimeout=500,asyncTimeout=500");
        string imei = TestVehicles.Imei(205);
        Assert.False(await registry.IsAllowedAsync(imei, default));
        server.Stop();
        DeviceRegistryUnavailableException e = await Assert.ThrowsAsync<DeviceRegistryUnavailableException>(async () => await registry.IsAllowedAsync(imei, default));
        RawIdentifierScanner.For([imei]).AssertClean(e.Message, "exception message");
        Assert.Null(e.InnerException);
    }
}
