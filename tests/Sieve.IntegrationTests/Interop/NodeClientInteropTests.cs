using Sieve.Core.Privacy;
using Confluent.Kafka;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;
using Sieve.Embedded;
using Sieve.Testing.Harness;
using Sieve.Testing.Interop;
using Sieve.Testing;
using Sieve.Testing.Privacy;

namespace Sieve.IntegrationTests.Interop;

/// <summary>
/// A client that is neither .NET nor Apache.Avro (tests/interop: kafkajs and avsc) publishes consent and raw
/// events in the documented wire format to the real Minimizer service, then reads and checks its outputs: no raw
/// identifier, consent and minors respected, one pseudonym per subject and purpose, audit arithmetic, and the
/// decisions and quarantine reasons the plan calls for.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class NodeClientInteropTests(KafkaFixture kafka)
{
    private static readonly TimeSpan NodeStepTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ConsentLoadTimeout = TimeSpan.FromSeconds(30);
    private const int VerifyTimeoutMs = 30_000;
    private const int MinimizerLogTail = 8000;

    private static readonly (string Role, int Partitions)[] TopicPartitions =
    [
        ("telematics", 4), ("wifi", 4), ("consent", 1), ("positioning", 4), ("personalization", 4), ("analytics", 4),
        ("audit", 1), ("quarantine", 1),
    ];

    [Fact]
    public async Task Node_client_events_pass_verify_against_the_real_minimizer()
    {
        await NodeClient.EnsureReadyAsync();
        string runId = Guid.NewGuid().ToString("N")[..12];
        string folder = Directory.CreateTempSubdirectory("sieve-interop-").FullName;
        try
        {
            await RunAsync(runId, folder);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task RunAsync(string runId, string folder)
    {
        string planFile = Path.Combine(folder, "plan.json");
        string reportFile = Path.Combine(folder, "report.json");
        await Node("make-plan", "--out", planFile, "--topic-suffix", runId);
        InteropPlan plan = InteropPlan.Load(planFile, (await Node("expect", "--plan", planFile)).StandardOutput);
        Assert.True(plan.RawIdentifiers.Count >= 20, "the plan lists too few identifiers to scan for: " + plan.RawIdentifiers.Count);
        RawIdentifierScanner scanner = RawIdentifierScanner.For(plan.RawIdentifiers);
        string Tail(string text) => Excerpt(scanner, text);

        await CreateTopicsAsync(plan.Topics);
        using RedisServerProcess redis = await RedisServerProcess.StartNewAsync();
        await using ConsentStoreProbe store = await ConsentStoreProbe.StartAsync(redis.Configuration);
        string bootstrap = kafka.BootstrapServers;

        ChildProcessResult consent = await Node("publish-consent", "--plan", planFile, "--bootstrap", bootstrap);
        Assert.Equal(plan.ConsentChanges.ToString(System.Globalization.CultureInfo.InvariantCulture), consent.StandardOutput.Trim());
        await AssertConsentMessagesAreSievesAsync(bootstrap, plan.Topics["consent"], plan.ConsentChanges);

        string policy = MinimizerLauncher.WritePolicy(plan.Topics, folder);
        ChildProcessResult verify;
        string minimizerOutput;
        ChildProcess minimizer = MinimizerLauncher.Start(bootstrap, redis.Configuration, policy, plan.Topics, runId);
        try
        {
            // The consent loader is done when the store holds the plan's final decisions (a withdrawal replaces its
            // grant), counted on every change the store announces.
            ConsentStoreCounts loaded = await store.WaitForAsync(plan.Consent, minimizer.Exited, ConsentLoadTimeout);
            Assert.True(loaded == plan.Consent,
                "consent not loaded: expected " + plan.Consent + ", store holds " + loaded
                + (minimizer.HasExited ? " (the minimizer exited with " + minimizer.ExitCode + ")" : "") + "\n" + Tail(minimizer.StandardOutput + minimizer.StandardError));

            ChildProcessResult events = await Node("publish-events", "--plan", planFile, "--bootstrap", bootstrap);
            Assert.Equal(plan.Inputs.ToString(System.Globalization.CultureInfo.InvariantCulture), events.StandardOutput.Trim());

            verify = await NodeClient.RunAsync(NodeStepTimeout, "verify", "--plan", planFile, "--bootstrap", bootstrap,
                "--expect-inputs", plan.Inputs.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--timeout-ms", VerifyTimeoutMs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--report", reportFile);
            Assert.False(minimizer.HasExited, "the minimizer exited during the run with " + (minimizer.HasExited ? minimizer.ExitCode : 0) + "\n" + Tail(minimizer.StandardOutput + minimizer.StandardError));
        }
        finally
        {
            minimizer.Dispose();
            minimizerOutput = minimizer.StandardOutput + minimizer.StandardError;
        }

        scanner.AssertClean(minimizerOutput, "the minimizer's stdout/stderr");
        string report = File.Exists(reportFile) ? File.ReadAllText(reportFile) : "(no report written)";
        scanner.AssertClean(report, "the verify report");
        scanner.AssertClean(verify.StandardError, "the client's stderr");

        Assert.True(verify.ExitCode == 0,
            "verify failed (" + verify.ExitCode + ": 1 a check failed, 3 Kafka error, 4 timed out)\n--- report ---\n" + report
            + "\n--- client stderr ---\n" + verify.StandardError
            + "\n--- minimizer output (tail) ---\n" + Tail(minimizerOutput));
    }

    /// <summary>
    /// Each consent message the client wrote, decoded with Sieve's codec and written again with Sieve's
    /// <see cref="ConsentChangeData"/>, has the same bytes, and its key is <see cref="ConsentChangeData.MessageKey"/>:
    /// the compacted topic keeps one decision per subject and purpose whichever client wrote it.
    /// </summary>
    private static async Task AssertConsentMessagesAreSievesAsync(string bootstrap, string topic, int count)
    {
        List<ConsumeResult<byte[], byte[]>> messages = await KafkaTestClient.ConsumeExactlyAsync(bootstrap, topic, count, TimeSpan.FromSeconds(30));
        for (int i = 0; i < messages.Count; i++)
        {
            byte[] value = messages[i].Message.Value;
            Assert.True(ConsentChangeCodec.TryReadMessage(value, out ConsentChange change) == AvroStatus.Ok, "consent message " + i + " does not decode with Sieve's codec");
            var data = new ConsentChangeData
            {
                SubjectType = change.SubjectType,
                SubjectId = change.SubjectId.ToString(value)!,
                Purpose = change.Purpose.ToString(value)!,
                Granted = change.Granted,
                EffectiveTime = change.EffectiveTime,
                PolicyVersion = change.PolicyVersion.ToString(value)!,
                Minor = change.Minor,
            };

            // Messages only say which message differs: keys and values hold raw identifiers.
            Assert.True(data.ToMessage().AsSpan().SequenceEqual(value), "consent message " + i + ": avsc and Sieve encode it differently");
            Assert.True(data.MessageKey().AsSpan().SequenceEqual(messages[i].Message.Key), "consent message " + i + ": key is not ConsentChangeData.MessageKey()");
        }
    }

    private async Task CreateTopicsAsync(IReadOnlyDictionary<string, string> topics)
    {
        // Raw and purpose topics are partitioned like production; consent, audit and quarantine have one partition.
        // The Minimizer hands analytics to its release stage over the analytics topic's pending twin.
        await kafka.CreateTopicAsync(Sieve.Contracts.Topics.PendingFor(topics["analytics"]), 4);
        foreach ((string role, int partitions) in TopicPartitions)
        {
            await kafka.CreateTopicAsync(topics[role], partitions);
        }
    }

    private static async Task<ChildProcessResult> Node(params string[] arguments)
    {
        ChildProcessResult result = await NodeClient.RunAsync(NodeStepTimeout, arguments);
        Assert.True(result.ExitCode == 0, "node sieve-client.mjs " + arguments[0] + " failed: " + result.Describe());
        return result;
    }

    // The end of a log for a failure message, unless it holds a raw identifier: failure messages end up in logs too.
    private static string Excerpt(RawIdentifierScanner scanner, string text)
    {
        string tail = text.Length <= MinimizerLogTail ? text : "…" + text[^MinimizerLogTail..];
        return scanner.Find(System.Text.Encoding.UTF8.GetBytes(text)) is null ? tail : "(output withheld: it contains a raw identifier of the plan)";
    }
}
