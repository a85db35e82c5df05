using Sieve.Core.Privacy;
using System.Net;
using System.Text;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Testing.Consent;
using Sieve.Core.Gateways;
using Sieve.Hosting.Ingest;
using Sieve.Hosting.Minimizer;
using Sieve.Hosting.Sink;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Gateways;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Observability;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.Observability;

/// <summary>
/// The three services started as their hosts build them, with JSON logs, real traffic through Ingest's HTTP API
/// and straight to the raw topic, and their <c>/metrics</c> scraped and compared with what the pipeline did.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ServiceMetricsTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string Analytics = KnownPurposes.Analytics;
    private const string SessionMac = "F0:18:98:AA:BB:01";
    private const string SessionPhone = "138 0013 8000";

    [Fact]
    public async Task After_real_traffic_each_service_exports_throughput_decisions_quarantine_lag_cache_and_latency_and_logs_hold_no_identifier()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "metrics", rawPartitions: 1);
        string erasureRequests = kafka.UniqueTopic("e2e.metrics.erasure.requests");
        string erasureNotices = kafka.UniqueTopic("e2e.metrics.erasure.notices");
        string erasureReceipts = kafka.UniqueTopic("e2e.metrics.erasure.receipts");
        foreach (string topic in new[] { erasureRequests, erasureNotices, erasureReceipts })
        {
            await kafka.CreateTopicAsync(topic, 1);
        }

        string folder = Directory.CreateTempSubdirectory("sieve-metrics-test-").FullName;
        string policyPath = Path.Combine(folder, "policy.json");
        await File.WriteAllTextAsync(policyPath, topics.PolicyJson());
        string minimizerGroup = kafka.UniqueGroup("e2e-metrics-minimizer");
        var common = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
            ["Redis:Configuration"] = redis.Configuration,
            ["Keys:AllowDemoKey"] = "true",
            ["Recall:KeyPath"] = Sieve.Testing.Recall.TestRecallKey.Path,
            ["Policy:Path"] = policyPath,
            ["Metrics:Urls"] = "http://127.0.0.1:0",
            ["Logging:Format"] = "json",
            ["Logging:LogLevel:Sieve"] = "Debug",
            ["Topics:TelematicsRaw"] = topics.TelematicsRaw,
            ["Topics:WifiRaw"] = topics.WifiRaw,
            ["Topics:ConsentChanges"] = topics.ConsentChanges,
            ["Topics:Quarantine"] = topics.Quarantine,
            ["Topics:Audit"] = topics.Audit,
        };
        var logs = new LogRecorder();

        var fleet = new TestFleet(seed: 909);
        List<TestSubject> vehicles = [.. Enumerable.Range(0, 5).Select(i => fleet.Vehicle("vehicle " + i, withDriver: i % 2 == 0))];

        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        await using RunningService sink = await RunningService.StartAsync("sink", SinkHost.Build(new SinkHostOptions
        {
            ContentRootPath = folder,
            ConfigureBuilder = b => Configure(b, common, logs, new()
            {
                ["Sink:Root"] = Path.Combine(folder, "lake"),
                ["Sink:GroupId"] = kafka.UniqueGroup("e2e-metrics-sink"),
                ["Sink:ErasureGroupId"] = kafka.UniqueGroup("e2e-metrics-erasure"),
                ["Sink:InstanceId"] = "e2e-metrics-sink",
                ["Sink:RollRows"] = "1",
                ["Sink:RollSeconds"] = "1",
                ["Topics:ErasureRequests"] = erasureRequests,
                ["Topics:ErasureNotices"] = erasureNotices,
                ["Topics:ErasureReceipts"] = erasureReceipts,
            }),
        }));
        await using RunningService minimizer = await RunningService.StartAsync("minimizer", MinimizerHost.Build(new MinimizerHostOptions
        {
            ContentRootPath = folder,
            ConfigureBuilder = b => Configure(b, common, logs, new()
            {
                ["Minimizer:GroupId"] = minimizerGroup,
                ["Minimizer:InstanceId"] = "e2e-metrics",
                ["Consent:LoaderGroupId"] = kafka.UniqueGroup("e2e-metrics-loader"),
            }),
        }));
        Dictionary<string, string?> ingestConfig = GatewayTestHost.BaseConfiguration(kafka.BootstrapServers, topics.WifiRaw);
        await using RunningService ingest = await RunningService.StartAsync("ingest", IngestHost.Build(new IngestHostOptions
        {
            ContentRootPath = folder,
            Modules = [GatewayIngestModule.Instance],
            ConfigureBuilder = b => Configure(b, common, logs, ingestConfig),
        }));

        // Traffic: a captive-portal session through Ingest's HTTP API, good telematics events and one damaged input.
        using (var gateway = new HttpClient { BaseAddress = new Uri(HttpAddress(ingest)) })
        {
            DateTimeOffset end = DateTimeOffset.UtcNow.AddMinutes(-1);
            string session = "{\"gatewayId\":\"" + GatewayTestHost.PortalGateway + "\",\"outletId\":\"" + GatewayTestHost.PortalOutlet
                + "\",\"clientMac\":\"" + SessionMac + "\",\"phoneNumber\":\"" + SessionPhone + "\",\"start\":\"" + end.AddMinutes(-25).ToString("O")
                + "\",\"end\":\"" + end.ToString("O") + "\",\"visitedDomains\":[\"www.autohome.com.cn\"]}";
            using var request = new HttpRequestMessage(HttpMethod.Post, "portal/v1/sessions") { Content = new StringContent(session, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayTestHost.PortalToken);
            using HttpResponseMessage response = await gateway.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, "the portal session got " + response.StatusCode + ": " + await response.Content.ReadAsStringAsync());

            // The gateway port answers liveness and readiness, but serves metrics only on the metrics listener.
            using HttpResponseMessage metrics = await gateway.GetAsync("metrics");
            Assert.Equal(HttpStatusCode.NotFound, metrics.StatusCode);
            using HttpResponseMessage alive = await gateway.GetAsync("healthz");
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // The vehicles granted positioning, straight into the consent store the Minimizer reads: the Sink then lands
        // their records (anonymized analytics of five vehicles releases nothing, as it must).
        var oracle = new PseudonymOracle(new PseudonymKeyFactory(MasterKeyRing.CreateDemo()));
        await using (RedisConsentStore store = await RedisConsentStore.ConnectAsync(TestConsentStoreOptions.For(redis.Configuration)))
        {
            foreach (TestSubject vehicle in vehicles)
            {
                await store.ApplyAsync(new ConsentUpdate(oracle.ConsentKey(vehicle), KnownPurposes.IndexOf(KnownPurposes.Positioning), true, now - 3_600_000, "2026-11-01", false));
            }
        }

        using (var producer = new RawProducer(kafka.BootstrapServers))
        {
            foreach (TestSubject vehicle in vehicles)
            {
                await producer.SendEventAsync(topics, vehicle, now);
            }

            byte[] good = vehicles[0].Event("t-damaged", now, 99);
            await producer.SendRawAsync(topics.TelematicsRaw, 0, Encoding.UTF8.GetBytes(vehicles[0].Id), good[..(good.Length / 2)], "t-damaged", now);
        }

        long wifiInputs = Watermarks.High(kafka.BootstrapServers, topics.WifiRaw, 0);
        long telematicsInputs = Watermarks.High(kafka.BootstrapServers, topics.TelematicsRaw, 0);
        Assert.Equal(vehicles.Count + 1, telematicsInputs);
        Assert.True(wifiInputs >= 1, "Ingest published no Wi-Fi record for the session.");
        long inputs = wifiInputs + telematicsInputs;
        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= inputs, Wait, e => "audited " + AuditLedger.Inputs(e) + " of " + inputs);
        Dictionary<string, PurposeCounts> totals = AuditLedger.Totals(entries);

        // Ingest: what Kafka persisted, per topic.
        PrometheusScrape ingestScrape = await ingest.ScrapeAsync();
        Assert.Equal(wifiInputs, ingestScrape.Sum("sieve_ingest_records_published_total", ("topic", topics.WifiRaw)));

        // Minimizer: every counter agrees with the audit records of the same batches.
        PrometheusScrape minimizerScrape = await minimizer.ScrapeUntilAsync(
            s => s.Sum("sieve_minimizer_inputs_total") >= inputs && s.Find("sieve_minimizer_consumer_lag", ("topic", topics.TelematicsRaw)).Any(x => x.Value == 0),
            Wait, "inputs counted and the telematics partition's lag at 0");
        Assert.Equal(telematicsInputs, minimizerScrape.Sum("sieve_minimizer_inputs_total", ("topic", topics.TelematicsRaw), ("partition", "0")));
        Assert.Equal(wifiInputs, minimizerScrape.Sum("sieve_minimizer_inputs_total", ("topic", topics.WifiRaw)));
        foreach ((string purpose, PurposeCounts counts) in totals)
        {
            Assert.Equal(counts.Forwarded, Decisions(minimizerScrape, purpose, "forwarded"));
            Assert.Equal(counts.WithheldNoConsent, Decisions(minimizerScrape, purpose, "withheld:no-consent"));
            Assert.Equal(counts.WithheldNotApplicable, Decisions(minimizerScrape, purpose, "withheld:not-applicable"));
            Assert.Equal(counts.WithheldMinor, Decisions(minimizerScrape, purpose, "withheld:minor"));
            Assert.Equal(counts.WithheldWithdrawn, Decisions(minimizerScrape, purpose, "withheld:withdrawn"));
        }

        Assert.True(totals[Analytics].Held >= vehicles.Count, "analytics held for release " + totals[Analytics].Held);
        Assert.Equal(totals[Analytics].Held, Decisions(minimizerScrape, Analytics, "held:release"));
        Assert.Equal(1, minimizerScrape.Sum("sieve_minimizer_quarantined_total", ("reason", "avro-truncated")));
        Assert.Equal(1, minimizerScrape.Sum("sieve_minimizer_records_produced_total", ("topic", topics.Quarantine)));
        Assert.Equal(totals[Analytics].Held, minimizerScrape.Sum("sieve_minimizer_records_produced_total", ("topic", topics.AnalyticsPending)));
        // The release stage writes audit records of its own (source: the pending topic); these counters are the consent stage's.
        int consentStageRecords = entries.Count(e => !e.IsRelease);
        Assert.Equal(consentStageRecords, minimizerScrape.Sum("sieve_minimizer_records_produced_total", ("topic", topics.Audit)));
        Assert.Equal(consentStageRecords, minimizerScrape.Sum("sieve_minimizer_latency_milliseconds_count"));
        Assert.Equal(entries.Count(e => e.SourceTopic == topics.TelematicsRaw),
            minimizerScrape.Sum("sieve_minimizer_latency_milliseconds_count", ("topic", topics.TelematicsRaw)));
        Assert.Equal(consentStageRecords, minimizerScrape.Find("sieve_minimizer_latency_milliseconds_bucket", ("le", "+Inf")).Sum(s => s.Value));
        Assert.True(minimizerScrape.Sum("sieve_minimizer_latency_milliseconds_sum") > 0, "the latency histogram's sum is 0");
        // Every committed batch of the consent stage reports its stages once, and their inputs add up.
        double batches = minimizerScrape.Sum("sieve_minimizer_batches_total");
        Assert.True(batches > 0, "no committed batch counted");
        foreach (string stage in new[] { "fill", "process", "produce", "commit", "offset_commit" })
        {
            Assert.Equal(batches, minimizerScrape.Sum("sieve_minimizer_batch_stage_milliseconds_count", ("stage", stage)));
        }

        Assert.True(minimizerScrape.Sum("sieve_minimizer_batch_stage_milliseconds_sum", ("stage", "commit")) > 0, "the commit stage's sum is 0");
        Assert.Equal(inputs, minimizerScrape.Sum("sieve_minimizer_batch_size_sum"));
        double lookups = minimizerScrape.Sum("sieve_minimizer_consent_cache_lookups_total");
        Assert.True(lookups >= inputs - 1, "consent cache lookups " + lookups + " for " + (inputs - 1) + " decodable inputs");
        Assert.True(minimizerScrape.Sum("sieve_minimizer_consent_cache_lookups_total", ("result", "miss")) >= 1, "no consent cache miss although every subject was new");
        // Failures by dependency (a loaded machine can delay the consent heartbeat past its bound and hold a batch):
        // every failed attempt is one retry.
        Assert.Equal(["kafka", "kafka_client", "redis", "schema_registry"], minimizerScrape.Find("sieve_minimizer_errors_total").Select(x => x.Labels["dependency"]).Order(StringComparer.Ordinal));
        Assert.Equal(minimizerScrape.Sum("sieve_minimizer_retries_total"),
            minimizerScrape.Sum("sieve_minimizer_errors_total", ("dependency", "redis")) + minimizerScrape.Sum("sieve_minimizer_errors_total", ("dependency", "schema_registry"))
            + minimizerScrape.Sum("sieve_minimizer_errors_total", ("dependency", "kafka")));
        Assert.Equal(0, minimizerScrape.Sum("sieve_minimizer_errors_total", ("dependency", "schema_registry")));
        Assert.Equal(0, minimizerScrape.Sum("sieve_minimizer_paused"));
        Assert.Equal(0, minimizerScrape.Sum("sieve_minimizer_abandoned_total"));

        // Sink: rows landed and its lag drains. Other tests' sinks in this process may add to the purpose-tagged counts.
        PrometheusScrape sinkScrape = await sink.ScrapeUntilAsync(
            s => s.Sum("sieve_sink_rows_written_total", ("purpose", KnownPurposes.Positioning)) >= totals[KnownPurposes.Positioning].Forwarded
                && s.Find("sieve_sink_consumer_lag", ("topic", topics.Positioning)).Any()
                && s.Find("sieve_sink_consumer_lag", ("topic", topics.Positioning)).All(x => x.Value == 0),
            Wait, "positioning rows landed and the sink's lag on " + topics.Positioning + " at 0");

        // Every labelled value is bounded and non-identifying: no label value is a raw identifier or a pseudonym.
        RawIdentifierScanner scanner = fleet.Scanner((IdentifierKind.Mac, SessionMac), (IdentifierKind.Phone, SessionPhone));
        foreach (PrometheusScrape scrape in new[] { ingestScrape, minimizerScrape, sinkScrape })
        {
            scanner.AssertClean([scrape.Text], "a /metrics answer");
        }

        // The dashboard shipped in deploy/ only queries metrics these services really export.
        var exported = new HashSet<string>(ingestScrape.Names.Concat(minimizerScrape.Names).Concat(sinkScrape.Names), StringComparer.Ordinal);
        DeploymentFiles.AssertDashboardQueriesOnly(exported);

        // A stop finishes and commits: the group's committed offset is the end of the input. (That it also leaves the
        // group cannot be seen on the mock cluster, which keeps a closed member until its session times out.)
        await minimizer.StopAsync();
        using (IConsumer<byte[], byte[]> probe = new ConsumerBuilder<byte[], byte[]>(KafkaTestClient.ConsumerConfig(kafka.BootstrapServers, minimizerGroup)).Build())
        {
            List<TopicPartitionOffset> committed = probe.Committed([new TopicPartition(topics.TelematicsRaw, 0), new TopicPartition(topics.WifiRaw, 0)], TimeSpan.FromSeconds(10));
            Assert.Equal(telematicsInputs, committed[0].Offset.Value);
            Assert.Equal(wifiInputs, committed[1].Offset.Value);
        }

        // JSON logs of all three services, every category, scanned for every identifier the run used.
        await sink.StopAsync();
        await ingest.StopAsync();
        IReadOnlyList<string> lines = logs.Lines;

        // One line at start says what each service will do, one at stop what it flushed and committed.
        Assert.Single(lines, l => l.Contains("Ingest started: gateways; a device or gateway is acknowledged only after Kafka persisted its records", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Minimizer " + "e2e-metrics", StringComparison.Ordinal) && l.Contains(" consuming ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Sink consuming ", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("Minimizer stopped: ", StringComparison.Ordinal)
            && l.Contains(" batches of " + (telematicsInputs + wifiInputs) + " inputs committed since start", StringComparison.Ordinal));
        long sinkRows = long.Parse(System.Text.RegularExpressions.Regex.Match(Assert.Single(lines, l => l.Contains("Sink stopped: ", StringComparison.Ordinal)),
            @"Sink stopped: (\d+) rows in [1-9]\d* lake files landed and [1-9]\d* offset commits").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(sinkRows >= totals[KnownPurposes.Positioning].Forwarded, "the sink's stop line counts " + sinkRows + " rows");
        Assert.Matches(@"Ingest stopped: [1-9]\d* records published and acknowledged since start, 0 publishes not acknowledged", Assert.Single(lines, l => l.Contains("Ingest stopped: ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.Contains("Sieve.Minimizer", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Sieve.Sink", StringComparison.Ordinal));
        // Ingest's categories are the namespaces of its code: the host and the Core readers it runs.
        Assert.Contains(lines, l => l.Contains("Sieve.Hosting.Ingest", StringComparison.Ordinal)
            || l.Contains("Sieve.Core.Gateways", StringComparison.Ordinal)
            || l.Contains("Sieve.Core.Teltonika", StringComparison.Ordinal)
            || l.Contains("Sieve.Core.Publishing", StringComparison.Ordinal));
        scanner.AssertClean(lines, "the services' logs");
        output.WriteLine(lines.Count + " log lines scanned; " + minimizerScrape.Samples.Count + " minimizer samples");
    }

    private static double Decisions(PrometheusScrape scrape, string purpose, string outcome) =>
        scrape.Sum("sieve_minimizer_decisions_total", ("purpose", purpose), ("outcome", outcome));

    private static void Configure(WebApplicationBuilder builder, Dictionary<string, string?> common, LogRecorder logs, Dictionary<string, string?> own)
    {
        builder.Configuration.AddInMemoryCollection(common.Concat(own).GroupBy(p => p.Key).Select(g => g.Last()).Where(p => p.Value is not null));
        builder.Logging.AddProvider(logs);
    }

    private static string HttpAddress(RunningService ingest)
    {
        // Ingest:Http:Urls is bound first; the metrics listener follows.
        string address = ingest.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return address.TrimEnd('/') + "/";
    }
}
