using Sieve.Minimizer.Kafka;
using Sieve.Minimizer.Policy;
using Sieve.Tests.Harness;

namespace Sieve.Tests.EndToEnd;

/// <summary>
/// Every topic one end-to-end test uses, all with unique names, and the shipped default policy rewritten so that
/// its purposes write to this test's purpose topics.
/// </summary>
internal sealed class PipelineTopics
{
    private PipelineTopics(KafkaFixture kafka, string test)
    {
        TelematicsRaw = kafka.UniqueTopic("e2e." + test + ".telematics.raw");
        WifiRaw = kafka.UniqueTopic("e2e." + test + ".wifi.raw");
        ConsentChanges = kafka.UniqueTopic("e2e." + test + ".consent.changes");
        Quarantine = kafka.UniqueTopic("e2e." + test + ".quarantine");
        Audit = kafka.UniqueTopic("e2e." + test + ".audit");
        Positioning = kafka.UniqueTopic("e2e." + test + ".positioning");
        Personalization = kafka.UniqueTopic("e2e." + test + ".personalization");
        Analytics = kafka.UniqueTopic("e2e." + test + ".analytics");
    }

    public string TelematicsRaw { get; }

    public string WifiRaw { get; }

    public string ConsentChanges { get; }

    public string Quarantine { get; }

    public string Audit { get; }

    public string Positioning { get; }

    public string Personalization { get; }

    public string Analytics { get; }

    /// <summary>The purpose topics, in the policy's purpose order.</summary>
    public IReadOnlyList<string> Purposes => [Positioning, Personalization, Analytics];

    /// <summary>Every topic the minimizer writes.</summary>
    public IReadOnlyList<string> Outputs => [Positioning, Personalization, Analytics, Audit, Quarantine];

    /// <summary>Creates the topics: raw inputs with <paramref name="rawPartitions"/> partitions, outputs with 2, consent and ops with 1.</summary>
    public static async Task<PipelineTopics> CreateAsync(KafkaFixture kafka, string test, int rawPartitions = 3)
    {
        var topics = new PipelineTopics(kafka, test);
        await kafka.CreateTopicAsync(topics.TelematicsRaw, rawPartitions);
        await kafka.CreateTopicAsync(topics.WifiRaw, rawPartitions);
        await kafka.CreateTopicAsync(topics.ConsentChanges, 1);
        await kafka.CreateTopicAsync(topics.Quarantine, 1);
        await kafka.CreateTopicAsync(topics.Audit, 1);
        await kafka.CreateTopicAsync(topics.Positioning, 2);
        await kafka.CreateTopicAsync(topics.Personalization, 2);
        await kafka.CreateTopicAsync(topics.Analytics, 2);
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
        string json = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "Minimizer", "policy", "default-policy.json"));
        json = ReplaceTopic(json, "positioning.v1", Positioning);
        json = ReplaceTopic(json, "personalization.v1", Personalization);
        return ReplaceTopic(json, "analytics.v1", Analytics);
    }

    /// <summary>The compiled policy of <see cref="PolicyJson"/>.</summary>
    public CompiledPolicy Policy()
    {
        CompiledPolicy policy = PolicyLoader.LoadJson(PolicyJson(), "e2e-policy.json");
        Assert.Equal(Purposes, policy.Purposes.Select(p => p.Topic));
        return policy;
    }

    private static string ReplaceTopic(string json, string shipped, string unique)
    {
        string quoted = "\"" + shipped + "\"";
        Assert.True(json.Contains(quoted, StringComparison.Ordinal), "The default policy no longer names topic " + shipped + ".");
        return json.Replace(quoted, "\"" + unique + "\"", StringComparison.Ordinal);
    }
}
