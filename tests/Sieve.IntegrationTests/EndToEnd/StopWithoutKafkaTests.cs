using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Sieve.Contracts.Purposes;
using Sieve.Embedded;
using Sieve.Hosting;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Privacy;
using Sieve.Testing.Sink;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// The Minimizer and Sink service processes are stopped (SIGTERM) after Kafka went away: each still exits, with its
/// stop line, instead of waiting for Kafka (a consumer's close waits for its group coordinator, a commit for its
/// answer). Runs on a mock cluster of its own, which the test takes down.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StopWithoutKafkaTests(RedisFixture redis, ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    // A liveness bound, not a speed target: the stop waits ServiceStop.Wait for Kafka, and a loaded machine needs some more.
    private static readonly TimeSpan ExitBound = ServiceStop.Wait + TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Services_stopped_after_Kafka_went_away_exit_with_their_stop_line_within_the_stop_wait()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        PipelineTopics topics = await PipelineTopics.CreateAsync(cluster, "stop-no-kafka", rawPartitions: 1, purposePartitions: 1);
        string notices = "e2e.stop-no-kafka.notices-" + Guid.NewGuid().ToString("N");
        cluster.CreateTopic(notices, 1);
        var fleet = new TestFleet(seed: 707);
        TestSubject vehicle = fleet.Vehicle("vehicle", withDriver: false, KnownPurposes.Positioning, KnownPurposes.Personalization);
        string policyPath = Path.Combine(Path.GetTempPath(), "sieve-e2e-policy-" + Guid.NewGuid().ToString("N") + ".json");
        string lake = Path.Combine(Path.GetTempPath(), "sieve-lake-stop-no-kafka-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllTextAsync(policyPath, topics.PolicyJson());
        var minimizerLines = new ConcurrentQueue<string>();
        var sinkLines = new ConcurrentQueue<string>();
        try
        {
            using (var producer = new RawProducer(cluster.BootstrapServers))
            {
                long eventTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
                await producer.SendConsentAsync(topics.ConsentChanges, vehicle.InitialChanges(eventTime - 3_600_000));
                await producer.SendEventsAsync(topics, Enumerable.Range(0, 20).Select(i => (vehicle, eventTime + (i * 1000L))));
            }

            using ServiceProcess minimizer = MinimizerProcess.Start(
                MinimizerProcess.Arguments(cluster.BootstrapServers, redis.Configuration, topics, policyPath, "stop-no-kafka"), minimizerLines);
            using ServiceProcess sink = SinkProcess.Start(
            [
                "--Kafka:BootstrapServers=" + cluster.BootstrapServers,
                "--Metrics:Urls=http://127.0.0.1:0",
                "--Sink:Root=" + lake,
                "--Sink:GroupId=e2e-stop-no-kafka-sink-" + Guid.NewGuid().ToString("N"),
                "--Sink:InstanceId=e2e-stop-no-kafka",
                "--Sink:RollSeconds=1",
                "--Sink:ErasureEnabled=false",
                "--Topics:ErasureNotices=" + notices,
                "--Topics:Quarantine=" + topics.Quarantine,
                "--Policy:Path=" + policyPath,
            ], sinkLines);

            // Both at work: the Minimizer committed the events, and the Sink landed what it wrote for positioning.
            using (var audit = TopicTail<AuditEntry>.Start(cluster.BootstrapServers, topics.Audit, OutputDecoder.Audit))
            {
                await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= 20, Wait, e => "audited " + AuditLedger.Inputs(e) + " of 20 inputs",
                    () => minimizer.ThrowIfExited(minimizerLines));
            }

            await Eventually.UntilAsync(() => Directory.Exists(lake) && Directory.EnumerateFiles(lake, "*.parquet", SearchOption.AllDirectories).Any(),
                Wait, () => "the Sink landed no file; its last output: " + string.Join(Environment.NewLine, sinkLines.TakeLast(20)));

            // Kafka goes away first, then the services are asked to stop.
            cluster.SetBrokerDown(1);
            minimizer.Terminate();
            sink.Terminate();

            int? minimizerExit = await minimizer.WaitForExitAsync(ExitBound);
            int? sinkExit = await sink.WaitForExitAsync(ExitBound);
            output.WriteLine(string.Join(Environment.NewLine, minimizerLines.Where(l => l.Contains("stopped", StringComparison.Ordinal))));
            output.WriteLine(string.Join(Environment.NewLine, sinkLines.Where(l => l.Contains("stopped", StringComparison.Ordinal))));
            Assert.True(minimizerExit is not null, "The Minimizer was still running " + ExitBound.TotalSeconds + " s after SIGTERM without Kafka.");
            Assert.True(sinkExit is not null, "The Sink was still running " + ExitBound.TotalSeconds + " s after SIGTERM without Kafka.");
            Assert.Equal(0, minimizerExit);
            Assert.Equal(0, sinkExit);

            // The stop line says what was committed and, when it could not wait for Kafka, which loops it left.
            string minimizerStop = Assert.Single(minimizerLines, l => l.Contains("Minimizer stopped", StringComparison.Ordinal));
            Assert.Matches(@"[1-9]\d* batches of 20 inputs committed since start", minimizerStop);
            string sinkStop = Assert.Single(sinkLines, l => l.Contains("Sink stopped", StringComparison.Ordinal));
            Assert.Matches(@"[1-9]\d* rows in [1-9]\d* lake files landed", sinkStop);
            foreach (string line in new[] { minimizerStop, sinkStop })
            {
                // A stop that gave up on Kafka names at least one of the service's loops as unfinished.
                Assert.True(!line.Contains("without waiting", StringComparison.Ordinal)
                    || Regex.IsMatch(line, "unfinished: (consent loader|engine|release stage|erasure notice follower|lake writer|retention sweeper|erasure worker)"), line);
            }

            fleet.Scanner().AssertClean([.. minimizerLines, .. sinkLines], "the services' logs");
        }
        finally
        {
            File.Delete(policyPath);
            if (Directory.Exists(lake))
            {
                Directory.Delete(lake, recursive: true);
            }
        }
    }
}
