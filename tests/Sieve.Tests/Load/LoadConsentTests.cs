using Sieve.Commands.Load;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Simulation;

namespace Sieve.Tests.Load;

/// <summary><c>sieve load --consent-mix</c>: which consent decisions the simulated subjects get.</summary>
public sealed class LoadConsentTests
{
    private const long Now = 1_796_000_000_000;

    [Fact]
    public void No_mix_publishes_nothing()
    {
        var generator = new LoadGenerator(new LoadOptions { Vehicles = 20, Visitors = 20 });

        Assert.Empty(generator.Consent(Now));
    }

    [Fact]
    public void Demo_mix_grants_the_demos_purposes_to_every_vehicle_and_visitor_that_consents_and_is_reproducible()
    {
        var options = new LoadOptions { Vehicles = 200, Visitors = 200, ConsentMix = LoadConsentMix.Demo };
        var generator = new LoadGenerator(options);

        IReadOnlyList<ConsentChangeData> changes = generator.Consent(Now);

        var subjects = generator.Subjects().ToList();
        Assert.Equal(400, subjects.Count);
        Assert.Equal(generator.Vehicles.Select(v => (SubjectType.Vin, v.Vin)), subjects.Take(200));
        Assert.All(subjects.Skip(200), s => Assert.True(s.Type is SubjectType.Phone or SubjectType.Mac));
        Assert.All(changes, c =>
        {
            Assert.True(c.Granted);
            Assert.False(c.Minor);
            Assert.Equal(Now - 3_600_000, c.EffectiveTime);
            Assert.Contains((c.SubjectType, c.SubjectId), subjects);
        });

        // The demo's mix: positioning for those who consent to anything (about 7 in 10), and personalization and
        // marketing with it for about half.
        int positioning = changes.Count(c => c.Purpose == KnownPurposes.Positioning);
        int personalization = changes.Count(c => c.Purpose == KnownPurposes.Personalization);
        Assert.InRange(positioning, 220, 340);
        Assert.InRange(personalization, 150, 250);
        Assert.Equal(personalization, changes.Count(c => c.Purpose == KnownPurposes.Marketing));
        Assert.Equal(positioning + (2 * personalization), changes.Count);
        Assert.Equal(changes.Select(c => (c.SubjectId, c.Purpose)), new LoadGenerator(options).Consent(Now).Select(c => (c.SubjectId, c.Purpose)));
    }

    [Fact]
    public void Demo_consent_of_other_subjects_uses_the_same_grants_as_the_demo()
    {
        (SubjectType, string)[] subjects = [.. Enumerable.Range(0, 50).Select(i => (SubjectType.Vin, "LSVAB12C3NA1234" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)))];

        List<ConsentChangeData> changes = [.. FleetSimulator.DemoConsent(subjects, 7, Now)];

        foreach (IGrouping<string, ConsentChangeData> subject in changes.GroupBy(c => c.SubjectId))
        {
            string[] purposes = [.. subject.Select(c => c.Purpose)];
            Assert.True(purposes.SequenceEqual([KnownPurposes.Positioning])
                || purposes.SequenceEqual([KnownPurposes.Positioning, KnownPurposes.Personalization, KnownPurposes.Marketing]), string.Join(",", purposes));
            Assert.All(subject, c => Assert.Equal("2026-11-01", c.PolicyVersion));
        }
    }
}

/// <summary>The <c>--consent-mix</c> options of <c>sieve load</c>.</summary>
public sealed class LoadConsentOptionTests
{
    [Theory]
    [InlineData("--consent-mix", "some", "--consent-mix needs none or demo")]
    [InlineData("--bootstrap", "127.0.0.1:9092", "--bootstrap, --consent-topic, --property and --properties go with --consent-mix demo")]
    [InlineData("--property", "security.protocol=SASL_SSL", "--bootstrap, --consent-topic, --property and --properties go with --consent-mix demo")]
    public async Task Wrong_consent_options_are_usage_errors(string option, string value, string message)
    {
        Sieve.Testing.Cli.CliResult result = await Sieve.Testing.Cli.CliRunner.RunAsync("load", "--http", "http://127.0.0.1:1", option, value);

        Assert.Contains(message, Sieve.Testing.Cli.CliRunner.SingleErrorLine(result, 2), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_consent_publisher_reads_the_client_properties_and_a_bad_one_is_a_usage_error_naming_it()
    {
        Sieve.Testing.Cli.CliResult result = await Sieve.Testing.Cli.CliRunner.RunAsync("load", "--http", "http://127.0.0.1:1", "--consent-mix", "demo",
            "--bootstrap", "127.0.0.1:1", "--property", "security.protocol=s3cret");

        string line = Sieve.Testing.Cli.CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("Kafka client property 'security.protocol' is not a librdkafka property or its value is not usable", line, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consent_mix_with_start_ingest_is_a_usage_error()
    {
        Sieve.Testing.Cli.CliResult result = await Sieve.Testing.Cli.CliRunner.RunAsync("load", "--start-ingest", "--consent-mix", "demo");

        Assert.Contains("--consent-mix goes to a pipeline's Kafka", Sieve.Testing.Cli.CliRunner.SingleErrorLine(result, 2), StringComparison.Ordinal);
    }
}
