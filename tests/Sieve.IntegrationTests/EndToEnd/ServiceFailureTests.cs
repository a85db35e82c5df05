using System.Collections.Concurrent;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>The Minimizer service process when its engine cannot run.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ServiceFailureTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_engine_that_cannot_start_stops_the_process_with_an_error_instead_of_leaving_the_loader_running_alone()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "engine-failure", rawPartitions: 1);
        string policyPath = Path.Combine(Path.GetTempPath(), "sieve-e2e-policy-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(policyPath, topics.PolicyJson());
        var lines = new ConcurrentQueue<string>();
        try
        {
            // A transactional producer cannot be made without idempotence: the engine fails as it starts, while the
            // consent loader (a consumer, which ignores producer settings) would run on.
            using ServiceProcess process = MinimizerProcess.Start(
                [.. MinimizerProcess.Arguments(kafka.BootstrapServers, redis.Configuration, topics, policyPath, "engine-failure"), "--Kafka:Properties:enable.idempotence=false"],
                lines);

            int? exitCode = await process.WaitForExitAsync(Wait);

            output.WriteLine(string.Join(Environment.NewLine, lines));
            Assert.True(exitCode is not null, "The process kept running " + Wait.TotalSeconds + " s after its engine failed.");
            Assert.NotEqual(0, exitCode);
            Assert.Contains(lines, l => l.Contains("crit", StringComparison.OrdinalIgnoreCase) && l.Contains("engine", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            File.Delete(policyPath);
        }
    }

    [Fact]
    public async Task An_output_schema_the_registry_subject_would_not_accept_stops_the_service_with_one_line_before_anything_is_written()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "registry-mismatch", rawPartitions: 1);
        string policyPath = Path.Combine(Path.GetTempPath(), "sieve-e2e-policy-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(policyPath, topics.PolicyJson());
        await using Sieve.Embedded.SchemaRegistry.EmbeddedSchemaRegistry registry = await Sieve.Embedded.SchemaRegistry.EmbeddedSchemaRegistry.StartAsync();
        using var client = new Confluent.SchemaRegistry.CachedSchemaRegistryClient(new Confluent.SchemaRegistry.SchemaRegistryConfig { Url = registry.Url });

        // The positioning topic's subject already holds a record the policy's output schema cannot read.
        const string Other = """{"type":"record","name":"PositioningRecord","namespace":"sieve.minimized","fields":[{"name":"legacy","type":"string"}]}""";
        await client.RegisterSchemaAsync(topics.Positioning + "-value", new Confluent.SchemaRegistry.Schema(Other, Confluent.SchemaRegistry.SchemaType.Avro));
        var lines = new ConcurrentQueue<string>();
        try
        {
            using ServiceProcess process = MinimizerProcess.Start(
                [.. MinimizerProcess.Arguments(kafka.BootstrapServers, redis.Configuration, topics, policyPath, "registry-mismatch"), "--SchemaRegistry:Url=" + registry.Url],
                lines);

            int? exitCode = await process.WaitForExitAsync(Wait);

            output.WriteLine(string.Join(Environment.NewLine, lines));
            Assert.True(exitCode is not null, "The process kept running " + Wait.TotalSeconds + " s with an output schema its subject refuses.");
            Assert.NotEqual(0, exitCode);
            string expected = "Schema registry subject '" + topics.Positioning + "-value' (BACKWARD): sieve.minimized.PositioningRecord";
            Assert.Single(lines, l => l.Contains(expected, StringComparison.Ordinal));
            Assert.Equal([1], await client.GetSubjectVersionsAsync(topics.Positioning + "-value"));
            Assert.Empty(await client.GetSubjectVersionsAsync(topics.Audit + "-value").ContinueWith(t => t.IsFaulted ? [] : t.Result));
        }
        finally
        {
            File.Delete(policyPath);
        }
    }
}
