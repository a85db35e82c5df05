using Sieve.Embedded;
using Sieve.Core.Engine;
using Sieve.Core.Policy;
using Sieve.Testing.Harness;

namespace Sieve.Testing.EndToEnd;

/// <summary>
/// Every topic one end-to-end test uses, all with unique names, and the shipped default policy rewritten so that
/// its purposes write to this test's purpose topics.
/// </summary>
internal sealed class PipelineTopics
{
    private PipelineTopics(string test)
    {
        TelematicsRaw = Unique(test, "telematics.raw");
        WifiRaw = Unique(test, "wifi.raw");
        ConsentChanges = Unique(test, "consent.changes");
        Quarantine = Unique(test, "quarantine");
        Audit = Unique(test, "audit");
        Positioning = Unique(test, "positioning");
        Personalization = Unique(test, "personalization");
        Analytics = Unique(test, "analytics");
        AnalyticsPending = Sieve.Contracts.Topics.PendingFor(Analytics);
        Quality = Unique(test, "quality");
        QualityEscrow = Unique(test, "quality.escrow");
        Marketing = Unique(test, "marketing");
    }

    /// <summary>Where the Minimizer hands analytics records to its release stage.</summary>
    public string AnalyticsPending { get; }

    public string TelematicsRaw { get; }

    public string WifiRaw { get; }

    public string ConsentChanges { get; }

    public string Quarantine { get; }

    public string Audit { get; }

    public string Positioning { get; }

    public string Personalization { get; }

    public string Analytics { get; }

    /// <summary>The purpose topics, in the policy's purpose order.</summary>
    public string Quality { get; }

    /// <summary>The quality purpose's recall escrow (restricted: VINs sealed under the recall key).</summary>
    public string QualityEscrow { get; }

    public string Marketing { get; }

    public IReadOnlyList<string> Purposes => [Positioning, Personalization, Analytics, Quality, Marketing];

    /// <summary>Every topic the minimizer writes, the escrow included: none may hold a raw identifier in the clear.</summary>
    public IReadOnlyList<string> Outputs => [Positioning, Personalization, Analytics, Quality, Marketing, QualityEscrow, Audit, Quarantine];

    /// <summary>Creates the topics: raw inputs with <paramref name="rawPartitions"/> partitions, outputs with 2, consent and ops with 1.</summary>
    public static Task<PipelineTopics> CreateAsync(KafkaFixture kafka, string test, int rawPartitions = 3) =>
        CreateAsync(kafka.CreateTopicAsync, test, rawPartitions);

    /// <summary>Creates the topics on a mock cluster of the test's own; purpose topics get <paramref name="purposePartitions"/> partitions.</summary>
    public static Task<PipelineTopics> CreateAsync(MockKafkaCluster cluster, string test, int rawPartitions = 3, int purposePartitions = 2) =>
        CreateAsync((name, partitions) =>
        {
            cluster.CreateTopic(name, partitions);
            return Task.CompletedTask;
        }, test, rawPartitions, purposePartitions);

    private static async Task<PipelineTopics> CreateAsync(Func<string, int, Task> create, string test, int rawPartitions, int purposePartitions = 2)
    {
        var topics = new PipelineTopics(test);
        await create(topics.TelematicsRaw, rawPartitions);
        await create(topics.WifiRaw, rawPartitions);
        await create(topics.ConsentChanges, 1);
        await create(topics.Quarantine, 1);
        await create(topics.Audit, 1);
        await create(topics.Positioning, purposePartitions);
        await create(topics.Personalization, purposePartitions);
        await create(topics.Analytics, purposePartitions);
        await create(topics.AnalyticsPending, purposePartitions);
        await create(topics.Quality, purposePartitions);
        await create(topics.QualityEscrow, 1);
        await create(topics.Marketing, purposePartitions);
        return topics;
    }

    /// <summary>The engine's topic settings.</summary>
    public TopicOptions ToOptions() => new()
    {
        TelematicsRaw = TelematicsRaw,
        WifiRaw = WifiRaw,
        ConsentChanges = ConsentChanges,
        Quarantine = Quarantine,
        Audit = Audit,
    };

    /// <summary>The shipped default policy's text with this test's purpose topics.</summary>
    public string PolicyJson()
    {
        string json = File.ReadAllText(RepoPaths.DefaultPolicy);
        json = ReplaceTopic(json, "positioning.v1", Positioning);
        json = ReplaceTopic(json, "personalization.v1", Personalization);
        json = ReplaceTopic(json, "quality.v1", Quality);
        json = ReplaceTopic(json, "quality.escrow.v1", QualityEscrow);
        json = ReplaceTopic(json, "marketing.v1", Marketing);
        return ReplaceTopic(json, "analytics.v1", Analytics);
    }

    /// <summary>The compiled policy of <see cref="PolicyJson"/>.</summary>
    public CompiledPolicy Policy()
    {
        CompiledPolicy policy = PolicyLoader.LoadJson(PolicyJson(), "e2e-policy.json");
        Assert.Equal(Purposes, policy.Purposes.Select(p => p.Topic));
        return policy;
    }

    private static string Unique(string test, string topic) => "e2e." + test + "." + topic + "-" + Guid.NewGuid().ToString("N");

    private static string ReplaceTopic(string json, string shipped, string unique)
    {
        string quoted = "\"" + shipped + "\"";
        Assert.True(json.Contains(quoted, StringComparison.Ordinal), "The default policy no longer names topic " + shipped + ".");
        return json.Replace(quoted, "\"" + unique + "\"", StringComparison.Ordinal);
    }
}
