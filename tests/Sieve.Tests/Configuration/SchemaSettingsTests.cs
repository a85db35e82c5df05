using Microsoft.Extensions.Configuration;
using Sieve.Contracts.Schemas;
using Sieve.Hosting.Configuration;
using Sieve.Hosting.Minimizer;
using Sieve.Hosting.Sink;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Configuration;

/// <summary><c>SchemaRegistry:*</c> and <c>Minimizer:WriterSchemasPath</c>, as the services read them at start-up.</summary>
public sealed class SchemaSettingsTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "sieve-writers-" + Guid.NewGuid().ToString("N"));

    public SchemaSettingsTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Without_a_registry_url_the_services_run_single_object_and_a_url_that_is_not_http_is_named()
    {
        Assert.False(MinimizerSettings.From(Config([])).SchemaRegistry.IsSet);
        Assert.False(SinkSettings.From(Config(new() { ["Sink:ErasureEnabled"] = "false" })).SchemaRegistry.IsSet);

        MinimizerSettings settings = MinimizerSettings.From(Config(new()
        {
            ["SchemaRegistry:Url"] = "https://registry-a:8081, https://registry-b:8081",
            ["SchemaRegistry:BasicAuthUserInfo"] = "sieve:secret-4b1d",
            ["SchemaRegistry:SslCaLocation"] = "/etc/sieve/ca.pem",
        }));
        Confluent.SchemaRegistry.SchemaRegistryConfig client = settings.SchemaRegistry.ClientConfig();
        Assert.Equal("https://registry-a:8081, https://registry-b:8081", client.Url);
        Assert.Equal(Confluent.SchemaRegistry.AuthCredentialsSource.UserInfo, client.BasicAuthCredentialsSource);
        Assert.Equal("/etc/sieve/ca.pem", client.SslCaLocation);

        Assert.Equal(5, settings.SchemaRegistry.MissingIdGraceSeconds);

        SettingsException error = Assert.Throws<SettingsException>(() => MinimizerSettings.From(Config(new() { ["SchemaRegistry:Url"] = "registry-7f3a:8081" })));
        Assert.Equal("SchemaRegistry:Url: must be an http:// or https:// URL, or a comma-separated list of them.", error.Message);
        error = Assert.Throws<SettingsException>(() => SinkSettings.From(Config(new() { ["Sink:ErasureEnabled"] = "false", ["SchemaRegistry:MissingIdGraceSeconds"] = "7201" })));
        Assert.Equal("SchemaRegistry:MissingIdGraceSeconds: must be a whole number from 0 to 3600.", error.Message);
    }

    [Fact]
    public void A_folder_of_newer_writer_schemas_is_read_and_a_file_the_current_schema_cannot_read_stops_the_start_naming_it()
    {
        Assert.Empty(MinimizerSettings.From(Config([])).WriterSchemas);

        File.WriteAllText(Path.Combine(_folder, "telematics-event-v2.avsc"), EvolvedSchemas.TelematicsWithTripId().Json);
        IReadOnlyList<SchemaInfo> writers = MinimizerSettings.From(Config(new() { ["Minimizer:WriterSchemasPath"] = _folder })).WriterSchemas;
        Assert.Equal([EvolvedSchemas.TelematicsWithTripId().Fingerprint], writers.Select(w => w.Fingerprint));

        File.WriteAllText(Path.Combine(_folder, "telematics-event-v3.avsc"), EvolvedSchemas.TelematicsWithTextTime().Json);
        SettingsException error = Assert.Throws<SettingsException>(() => MinimizerSettings.From(Config(new() { ["Minimizer:WriterSchemasPath"] = _folder })));
        Assert.Equal("Minimizer:WriterSchemasPath: telematics-event-v3.avsc cannot be read as sieve.raw.TelematicsEvent: TelematicsEvent.eventTime: the writer's string cannot be read as long", error.Message);

        File.Delete(Path.Combine(_folder, "telematics-event-v3.avsc"));
        File.WriteAllText(Path.Combine(_folder, "audit.avsc"), SchemaCatalog.Default.Get("AuditRecord").Json);
        error = Assert.Throws<SettingsException>(() => MinimizerSettings.From(Config(new() { ["Minimizer:WriterSchemasPath"] = _folder })));
        Assert.Equal("Minimizer:WriterSchemasPath: audit.avsc is a sieve.ops.AuditRecord; only TelematicsEvent and WifiEvent writers are read.", error.Message);

        File.WriteAllText(Path.Combine(_folder, "audit.avsc"), "{ not json");
        error = Assert.Throws<SettingsException>(() => MinimizerSettings.From(Config(new() { ["Minimizer:WriterSchemasPath"] = _folder })));
        Assert.StartsWith("Minimizer:WriterSchemasPath: audit.avsc is not an Avro record schema", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<SettingsException>(() => MinimizerSettings.From(Config(new() { ["Minimizer:WriterSchemasPath"] = _folder + "-missing" })));
        Assert.Equal("Minimizer:WriterSchemasPath: the folder does not exist.", error.Message);
    }

    [Fact]
    public void A_policy_with_a_recall_escrow_needs_the_recall_key_or_an_explicit_opt_out()
    {
        var bare = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9",
            ["Redis:Configuration"] = "127.0.0.1:9",
            ["Keys:AllowDemoKey"] = "true",
        };
        SettingsException error = Assert.Throws<SettingsException>(() => MinimizerSettings.From(new ConfigurationBuilder().AddInMemoryCollection(bare).Build()));
        Assert.Equal("Recall:KeyPath", error.Key);
        Assert.Contains("purpose 'quality' keeps a recall escrow", error.Message, StringComparison.Ordinal);
        Assert.Contains("sieve recall keygen", error.Message, StringComparison.Ordinal);

        bare["Recall:EscrowDisabled"] = "true";
        Assert.Null(MinimizerSettings.From(new ConfigurationBuilder().AddInMemoryCollection(bare).Build()).RecallKey);

        bare["Recall:KeyPath"] = Sieve.Testing.Recall.TestRecallKey.Path;
        Assert.Equal(Sieve.Testing.Recall.TestRecallKey.Key.Id, MinimizerSettings.From(new ConfigurationBuilder().AddInMemoryCollection(bare).Build()).RecallKey!.Id);
    }

    private static IConfiguration Config(Dictionary<string, string?> values) => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Kafka:BootstrapServers"] = "127.0.0.1:9",
        ["Redis:Configuration"] = "127.0.0.1:9",
        ["Keys:AllowDemoKey"] = "true",
        ["Recall:KeyPath"] = Sieve.Testing.Recall.TestRecallKey.Path,
    }.Concat(values).ToDictionary()).Build();
}
