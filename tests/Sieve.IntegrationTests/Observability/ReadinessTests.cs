using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Sieve.Core.Gateways;
using Sieve.Embedded;
using Sieve.Hosting.Ingest;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sieve.Hosting.Minimizer;
using Sieve.Hosting.Sink;
using Sieve.Testing.Logging;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Gateways;
using Sieve.Testing.Harness;
using Sieve.Testing.Observability;

namespace Sieve.IntegrationTests.Observability;

/// <summary><c>/readyz</c> follows the dependencies' real state; <c>/healthz</c> only says the process answers.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ReadinessTests(KafkaFixture kafka, RedisFixture redis)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_minimizer_is_unready_while_its_redis_is_stopped_and_ready_again_after()
    {
        RedisServerProcess server = await redis.StartDedicatedAsync();
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "readyz", rawPartitions: 1);
        await using RunningService minimizer = await StartMinimizerAsync(server, topics, "e2e-readyz");
        JsonElement ready = await ReadinessUntilAsync(minimizer, HttpStatusCode.OK);
        Assert.Equal("Healthy", Check(ready, "kafka"));
        Assert.Equal("Healthy", Check(ready, "redis"));

        server.Stop();
        JsonElement unready = await ReadinessUntilAsync(minimizer, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", unready.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", Check(unready, "redis"));
        Assert.Equal("Healthy", Check(unready, "kafka"));
        Assert.DoesNotContain(server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), unready.GetRawText(), StringComparison.Ordinal);
        (HttpStatusCode alive, string body) = await minimizer.GetAsync("/healthz");
        Assert.Equal((HttpStatusCode.OK, "ok"), (alive, body));

        await server.StartAsync();
        JsonElement again = await ReadinessUntilAsync(minimizer, HttpStatusCode.OK);
        Assert.Equal("Healthy", Check(again, "redis"));
    }

    [Fact]
    public async Task After_redis_lost_its_consent_the_minimizer_counts_the_loss_and_is_ready_again_once_the_topic_was_re_applied()
    {
        RedisServerProcess server = await redis.StartDedicatedAsync();
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "readyz-view", rawPartitions: 1);
        await using RunningService minimizer = await StartMinimizerAsync(server, topics, "e2e-readyz-view");
        await ReadinessUntilAsync(minimizer, HttpStatusCode.OK);

        // Three grants reach Redis through the loader; the view records the partition's position with them.
        var fleet = new TestFleet(seed: 77);
        List<Sieve.Contracts.Records.ConsentChangeData> grants = [.. Enumerable.Range(0, 3)
            .SelectMany(i => fleet.Vehicle("vehicle " + i, withDriver: false, Sieve.Contracts.Purposes.KnownPurposes.Positioning).InitialChanges(1_700_000_000_000))];
        using (var producer = new RawProducer(kafka.BootstrapServers))
        {
            await producer.SendConsentAsync(topics.ConsentChanges, grants);
        }

        await using (StackExchange.Redis.ConnectionMultiplexer connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(server.Configuration))
        {
            StackExchange.Redis.IDatabase database = connection.GetDatabase();
            await Eventually.UntilAsync(() => (long?)database.HashGet("sieve:consent:view:" + topics.ConsentChanges, "o:0") == grants.Count, Wait,
                () => "the view did not record the grants");
        }

        await minimizer.ScrapeUntilAsync(s => s.Sum("sieve_minimizer_consent_view_losses_total") == 0, Wait, "no loss before the restart");

        // Redis restarts empty: the loader finds the partition's position gone, re-applies the topic, counts one
        // loss, and the service is ready again once the view is whole.
        server.Stop();
        await server.StartAsync();
        await minimizer.ScrapeUntilAsync(s => s.Sum("sieve_minimizer_consent_view_losses_total") == 1, Wait, "the loss was not counted");
        JsonElement again = await ReadinessUntilAsync(minimizer, HttpStatusCode.OK);
        Assert.Equal("Healthy", Check(again, "redis"));
        // The gauge is written after each round of checks, so it may trail readiness by that round (seen under load).
        await minimizer.ScrapeUntilAsync(s => s.Sum("sieve_minimizer_consent_view_rebuilding") == 0, Wait, "the rebuilding gauge did not go back to 0");
    }

    [Fact]
    public async Task Ingest_is_unready_while_its_kafka_broker_is_down()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        Dictionary<string, string?> config = GatewayTestHost.BaseConfiguration(cluster.BootstrapServers, "wifi.raw.v1");
        string folder = Directory.CreateTempSubdirectory("sieve-readyz-ingest-").FullName;
        await using RunningService ingest = await RunningService.StartAsync("ingest", IngestHost.Build(new IngestHostOptions
        {
            ContentRootPath = folder,
            Modules = [GatewayIngestModule.Instance],
            ConfigureBuilder = b => b.Configuration.AddInMemoryCollection(config),
        }));

        JsonElement ready = await ReadinessUntilAsync(ingest, HttpStatusCode.OK);
        Assert.Equal("Healthy", Check(ready, "kafka"));
        Assert.False(ready.GetProperty("checks").TryGetProperty("redis", out _), "Ingest without a Redis device registry checks no Redis.");

        cluster.SetBrokerDown(1);
        JsonElement unready = await ReadinessUntilAsync(ingest, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", Check(unready, "kafka"));

        cluster.SetBrokerUp(1);
        await ReadinessUntilAsync(ingest, HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_sink_is_unready_naming_a_topic_it_reads_that_was_never_created_and_its_log_says_the_fix()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        string folder = Directory.CreateTempSubdirectory("sieve-readyz-sink-").FullName;
        var logs = new LogRecorder();
        var config = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Redis:Configuration"] = redis.Configuration,
            ["Keys:AllowDemoKey"] = "true",
            ["Metrics:Urls"] = "http://127.0.0.1:0",
            ["Sink:Root"] = Path.Combine(folder, "lake"),
        };
        WebApplication app = SinkHost.Build(new SinkHostOptions
        {
            ContentRootPath = folder,
            ConfigureBuilder = b =>
            {
                b.Configuration.AddInMemoryCollection(config);
                b.Logging.AddProvider(logs);
            },
        });

        // Every topic the Sink reads exists but the erasure notices, as when nobody ran `sieve topics provision`.
        SinkSettings settings = app.Services.GetRequiredService<SinkSettings>();
        foreach (string topic in settings.Tables.Select(t => t.Topic).Append(settings.Erasure.RequestsTopic).Append(settings.Erasure.ReceiptsTopic).Append(settings.Erasure.ConsentChangesTopic).Distinct())
        {
            cluster.CreateTopic(topic, 1);
        }

        await using RunningService sink = await RunningService.StartAsync("sink", app);
        JsonElement unready = await ReadinessUntilAsync(sink, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", Check(unready, "kafka"));
        string detail = unready.GetProperty("checks").GetProperty("kafka").GetProperty("detail").GetString()!;
        Assert.Equal("missing topic " + settings.Erasure.NoticesTopic + "; run: sieve topics provision --bootstrap <Kafka:BootstrapServers>", detail);
        Assert.DoesNotContain(cluster.BootstrapServers, unready.GetRawText(), StringComparison.Ordinal);
        await Eventually.UntilAsync(() => logs.Lines.Any(l => l.Contains(settings.Erasure.NoticesTopic, StringComparison.Ordinal)
            && l.Contains("run: sieve topics provision", StringComparison.Ordinal)), Wait, () => "no log line says the fix:\n" + logs.All);

        cluster.CreateTopic(settings.Erasure.NoticesTopic, 1);
        JsonElement ready = await ReadinessUntilAsync(sink, HttpStatusCode.OK);
        Assert.Equal("Healthy", Check(ready, "kafka"));
    }

    // The Minimizer service on a dedicated Redis and the test's topics, with its operations listener on a free port.
    private async Task<RunningService> StartMinimizerAsync(RedisServerProcess server, PipelineTopics topics, string name)
    {
        string folder = Directory.CreateTempSubdirectory("sieve-" + name + "-").FullName;
        string policyPath = Path.Combine(folder, "policy.json");
        await File.WriteAllTextAsync(policyPath, topics.PolicyJson());
        var config = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
            ["Redis:Configuration"] = server.Configuration,
            ["Keys:AllowDemoKey"] = "true",
            ["Recall:KeyPath"] = Sieve.Testing.Recall.TestRecallKey.Path,
            ["Policy:Path"] = policyPath,
            ["Metrics:Urls"] = "http://127.0.0.1:0",
            ["Minimizer:GroupId"] = kafka.UniqueGroup(name),
            ["Minimizer:InstanceId"] = name,
            ["Consent:LoaderGroupId"] = kafka.UniqueGroup(name + "-loader"),
            ["Topics:TelematicsRaw"] = topics.TelematicsRaw,
            ["Topics:WifiRaw"] = topics.WifiRaw,
            ["Topics:ConsentChanges"] = topics.ConsentChanges,
            ["Topics:Quarantine"] = topics.Quarantine,
            ["Topics:Audit"] = topics.Audit,
        };
        return await RunningService.StartAsync("minimizer", MinimizerHost.Build(new MinimizerHostOptions
        {
            ContentRootPath = folder,
            ConfigureBuilder = b => b.Configuration.AddInMemoryCollection(config),
        }));
    }

    private static string? Check(JsonElement readiness, string name) =>
        readiness.GetProperty("checks").GetProperty(name).GetProperty("status").GetString();

    private static async Task<JsonElement> ReadinessUntilAsync(RunningService service, HttpStatusCode wanted)
    {
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            (HttpStatusCode status, string body) = await service.GetAsync("/readyz");
            if (status == wanted)
            {
                return JsonDocument.Parse(body).RootElement.Clone();
            }

            if (System.Diagnostics.Stopwatch.GetElapsedTime(start) > Wait)
            {
                Assert.Fail(service.Name + " /readyz stayed " + status + " (wanted " + wanted + "): " + body);
            }

            await Task.Delay(50);
        }
    }
}
