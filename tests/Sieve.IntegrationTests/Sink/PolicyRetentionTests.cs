using Microsoft.Extensions.Configuration;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Policy;
using Sieve.Core.Retention;
using Sieve.Hosting.Configuration;
using Sieve.Hosting.Sink;
using Sieve.Testing;

namespace Sieve.IntegrationTests.Sink;

/// <summary>The lake, erasure and access take each purpose's retention from the policy; configuration may only shorten it.</summary>
public sealed class PolicyRetentionTests
{
    private const string Vin = "LSVAU218XN2183294";

    private static CompiledPolicy PolicyWith(int positioningDays, int analyticsDays)
    {
        string json = File.ReadAllText(RepoPaths.DefaultPolicy);
        json = json.Replace("\"retention\": \"7d\"", $"\"retention\": \"{positioningDays}d\"", StringComparison.Ordinal)
            .Replace("\"retention\": \"730d\"", $"\"retention\": \"{analyticsDays}d\"", StringComparison.Ordinal);
        return PolicyLoader.LoadJson(json, "short-policy.json");
    }

    [Fact]
    public void Lake_tables_take_the_policys_retention()
    {
        IReadOnlyList<LakeTable> tables = LakeTable.FromPolicy(PolicyWith(positioningDays: 2, analyticsDays: 5));
        Assert.Equal(2, tables.Single(t => t.Purpose == "positioning").RetentionDays);
        Assert.Equal(180, tables.Single(t => t.Purpose == "personalization").RetentionDays);
        Assert.Equal(5, tables.Single(t => t.Purpose == "analytics").RetentionDays);
        Assert.All(tables, t => Assert.Equal(t.RetentionDays, t.PolicyRetentionDays));
    }

    [Fact]
    public void Erasure_covers_every_daily_epoch_of_the_policys_retention_even_when_the_lake_keeps_less()
    {
        CompiledPolicy policy = DailyPersonalization(days: 5);
        var keys = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        var now = new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

        IReadOnlyList<LakeTable> shortened = LakeTable.FromPolicy(policy, new RetentionPolicy(policy, new Dictionary<string, int> { ["personalization"] = 2 }));
        Assert.Equal(2, shortened.Single(t => t.Purpose == "personalization").RetentionDays);
        Assert.Equal(5, shortened.Single(t => t.Purpose == "personalization").PolicyRetentionDays);
        Assert.True(SubjectPseudonyms.TryDerive(keys, shortened, SubjectType.Vin, Vin, now, out SubjectPseudonyms.Derived? derived, out _));

        // 2026-11-20 (today minus 5) to 2026-11-26 (tomorrow): seven daily keys, one pseudonym each.
        IReadOnlyList<PurposePseudonym> personalization = derived!.ByPurpose["personalization"];
        Assert.Equal(7, personalization.Count);
        Assert.Equal("demo-1/personalization/2026-11-20", personalization[0].KeyIds.Single());
        Assert.Equal("demo-1/personalization/2026-11-26", personalization[^1].KeyIds.Single());
        Assert.Single(derived.ByPurpose["positioning"]);

        // Anonymized analytics has random segment pseudonyms: no key leads from the subject to any of them.
        Assert.Empty(derived.ByPurpose["analytics"]);
    }

    /// <summary>The test policy with personalization on daily pseudonyms kept <paramref name="days"/> days.</summary>
    private static CompiledPolicy DailyPersonalization(int days)
    {
        string json = File.ReadAllText(RepoPaths.DefaultPolicy);
        int at = json.IndexOf("\"personalization\": {", StringComparison.Ordinal);
        int end = json.IndexOf("\"analytics\": {", at, StringComparison.Ordinal);
        string section = json[at..end].Replace("\"retention\": \"180d\"", $"\"retention\": \"{days}d\"", StringComparison.Ordinal)
            .Replace("\"pseudonym\": \"stable\"", "\"pseudonym\": \"daily\"", StringComparison.Ordinal);
        return PolicyLoader.LoadJson(json[..at] + section + json[end..], "daily-policy.json");
    }

    [Fact]
    public void An_override_may_shorten_the_policys_retention_but_never_lengthen_it()
    {
        CompiledPolicy policy = PolicyLoader.LoadDefault();
        Assert.Null(RetentionPolicy.Check(policy, "positioning", 7));
        Assert.Null(RetentionPolicy.Check(policy, "positioning", 1));
        Assert.Contains("(7 days)", RetentionPolicy.Check(policy, "positioning", 8), StringComparison.Ordinal);
        Assert.Contains("no purpose 'after-sales'", RetentionPolicy.Check(policy, "after-sales", 3), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new RetentionPolicy(policy, new Dictionary<string, int> { ["analytics"] = 731 }));
    }

    [Theory]
    [InlineData("positioning", "8", "Sink:Retention:positioning: must be from 1 to the policy's retention of purpose 'positioning' (7 days)")]
    [InlineData("after-sales", "3", "Sink:Retention:after-sales: the policy declares no purpose 'after-sales'")]
    [InlineData("analytics", "two", "Sink:Retention:analytics: must be a whole number")]
    public void Sink_settings_name_the_retention_key_at_fault(string purpose, string value, string message)
    {
        IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9092",
            ["Sink:ErasureEnabled"] = "false",
            ["Sink:Retention:" + purpose] = value,
        }).Build();
        SettingsException e = Assert.Throws<SettingsException>(() => SinkSettings.From(config));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'" + value + "'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sink_settings_apply_a_shortening_override_and_keep_the_policy_elsewhere()
    {
        IConfiguration config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = "127.0.0.1:9092",
            ["Sink:ErasureEnabled"] = "false",
            ["Sink:Retention:analytics"] = "90",
        }).Build();
        SinkSettings settings = SinkSettings.From(config);
        Assert.Equal(90, settings.Tables.Single(t => t.Purpose == "analytics").RetentionDays);
        Assert.Equal(730, settings.Tables.Single(t => t.Purpose == "analytics").PolicyRetentionDays);
        Assert.Equal(7, settings.Tables.Single(t => t.Purpose == "positioning").RetentionDays);
    }
}
