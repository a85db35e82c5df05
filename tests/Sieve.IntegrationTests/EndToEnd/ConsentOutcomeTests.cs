using Sieve.Core.Privacy;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Pipeline;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// Consented, unconsented, partly consented and minor subjects, vehicles and Wi-Fi visitors, through the real engine
/// over Kafka and Redis: each event reaches exactly the purposes its subject's consent allows, under one pseudonym
/// per subject and purpose, and nothing identifying reaches any output or log.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ConsentOutcomeTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const int EventsPerVehicle = 50;
    private const int EventsPerVisitor = 40;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string Positioning = KnownPurposes.Positioning;
    private static readonly string Personalization = KnownPurposes.Personalization;
    private static readonly string Analytics = KnownPurposes.Analytics;

    [Fact]
    public async Task Each_event_reaches_exactly_the_purposes_its_subject_allows()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "outcomes");
        var fleet = new TestFleet(seed: 101);
        fleet.Vehicle("vehicle consented 1", withDriver: false, Positioning, Personalization);
        fleet.Vehicle("vehicle consented 2", withDriver: true, Positioning, Personalization);
        fleet.Vehicle("vehicle consented 3", withDriver: false, Positioning, Personalization);
        fleet.Vehicle("vehicle positioning only", withDriver: false, Positioning);
        fleet.Vehicle("vehicle unconsented 1");
        fleet.Vehicle("vehicle unconsented 2", withDriver: true);
        fleet.Vehicle("vehicle minor", withDriver: false, Personalization).Minor = true;
        fleet.PhoneVisitor("phone consented", Positioning, Personalization);
        fleet.DeviceVisitor("device consented", Positioning, Personalization);
        fleet.MacVisitor("mac consented", Positioning, Personalization);
        fleet.PhoneVisitor("phone unconsented");
        fleet.MacVisitor("mac unconsented");
        fleet.PhoneVisitor("phone minor", Positioning).Minor = true;
        TestSubject macMinor = fleet.MacVisitor("mac minor");
        macMinor.Minor = true;
        macMinor.Withdrawals.Add(Positioning);
        for (int i = 0; i < fleet.All.Count; i++)
        {
            fleet.All[i].Partition = i % 3;
        }

        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs, "outcomes");
        using var producer = new RawProducer(kafka.BootstrapServers);
        var oracle = new PseudonymOracle(minimizer.Keys);

        // Consent first, through the consent topic and the loader, as in production.
        long baseTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
        var changes = fleet.All.SelectMany(s => s.InitialChanges(baseTime - 3_600_000)).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, changes);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == changes.Count, Wait,
            () => "consent loader stored " + minimizer.Loader.Stored + " of " + changes.Count + " (rejected " + minimizer.Loader.Rejected + ")",
            minimizer.ThrowIfStopped);

        // Then the events, interleaved across subjects; every event time is unique, so a positioning record (which
        // keeps the exact time) names its event.
        var plan = new List<(TestSubject Subject, long EventTime)>();
        int rounds = Math.Max(EventsPerVehicle, EventsPerVisitor);
        for (int round = 0; round < rounds; round++)
        {
            foreach (TestSubject subject in fleet.All)
            {
                if (round < (subject.IsVehicle ? EventsPerVehicle : EventsPerVisitor))
                {
                    plan.Add((subject, baseTime + plan.Count));
                }
            }
        }

        List<SentEvent> sent = await producer.SendEventsAsync(topics, plan);

        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= sent.Count, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + sent.Count + " inputs", minimizer.ThrowIfStopped);
        Assert.Equal(sent.Count, AuditLedger.Inputs(entries));
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
        Assert.All(entries, e => Assert.Equal(e.IsRelease ? "e2e-outcomes-release" : "e2e-outcomes", e.InstanceId));
        Assert.Empty(AuditLedger.Quarantined(entries));

        // The audit's outcome totals are exactly what each subject's consent calls for.
        Dictionary<string, PurposeCounts> totals = AuditLedger.Totals(entries);
        foreach (string purpose in PolicyPurposes.All)
        {
            Assert.Equal(ExpectedCounts(sent, purpose), totals[purpose]);
        }

        // Outputs: everything the audit counts as forwarded has been written before the audit record was.
        using var positioningTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Positioning, r => OutputDecoder.Purpose(r, "PositioningRecord"));
        using var personalizationTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Personalization, r => OutputDecoder.Purpose(r, "PersonalizationRecord"));
        using var analyticsTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Analytics, r => OutputDecoder.Purpose(r, "AnalyticsRecord"));
        using var quarantineTail = TopicTail<QuarantineEntry>.Start(kafka.BootstrapServers, topics.Quarantine, OutputDecoder.Quarantine);
        List<PurposeRecord> positioning = [.. (await positioningTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        List<PurposeRecord> personalization = [.. (await personalizationTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        List<PurposeRecord> analytics = [.. (await analyticsTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        Assert.Empty(await quarantineTail.ReadToEndAsync(Wait));

        // Positioning: one record per event of a subject who granted it, under that subject's one stable pseudonym.
        var byTime = sent.ToDictionary(e => e.EventTime);
        var expectedPositioning = sent.Where(e => Expected(e.Subject!, Positioning) == Outcome.Forwarded).Select(e => e.EventTime).ToHashSet();
        Assert.Equal(expectedPositioning.Count, positioning.Count);
        Assert.Equal(expectedPositioning.Order(), positioning.Select(r => r.EventTime!.Value).Order());
        foreach (PurposeRecord record in positioning)
        {
            TestSubject subject = byTime[record.EventTime!.Value].Subject!;
            Assert.True(record.Key == oracle.Stable(Positioning, subject), "A positioning record of " + subject + " is not under its pseudonym.");
            Assert.Equal(record.Key, record.Subject);
            Assert.Equal(MasterKeyRing.DemoKeyId + "/positioning/stable", record.KeyId);
        }

        Assert.Equal(
            sent.Where(e => Expected(e.Subject!, Positioning) == Outcome.Forwarded).GroupBy(e => e.Subject!).Select(g => g.Key).Count(),
            positioning.Select(r => r.Key).Distinct().Count());

        // Personalization: per pseudonym, exactly the events of the one subject it stands for, in hourly buckets.
        AssertPerPseudonym(personalization, sent, Personalization, e => oracle.Stable(Personalization, e.Subject!), e => e.EventTime / 3_600_000 * 3_600_000);
        Assert.All(personalization, r => Assert.Equal(MasterKeyRing.DemoKeyId + "/personalization/stable", r.KeyId));

        // Analytics: no consent needed, minors still excluded; every record of an adult is held for the release stage,
        // which accounts for each one and releases only under random segment pseudonyms.
        long held = totals[Analytics].Held;
        entries = await audit.WaitForAsync(e => AuditLedger.ReleaseInputs(e) >= held, Wait,
            e => "the release stage decided " + AuditLedger.ReleaseInputs(e) + " of " + held + " held records", minimizer.ThrowIfStopped);
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
        Assert.Equal(held, AuditLedger.ReleaseInputs(entries));
        analytics = [.. (await analyticsTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        Assert.Equal(AuditLedger.ReleaseTotals(entries)[Analytics].Forwarded, analytics.Count);
        Assert.All(analytics, r => Assert.Equal("segment", r.KeyId));
        var keyed = fleet.All.SelectMany(s => new[] { oracle.Daily(Analytics, s, baseTime), oracle.Stable(Analytics, s) }).ToHashSet();
        Assert.DoesNotContain(analytics, r => keyed.Contains(r.Key));

        // Pseudonyms of one subject differ across purposes, and no pseudonym is shared between purpose topics.
        var positioningKeys = positioning.Select(r => r.Key).ToHashSet();
        var personalizationKeys = personalization.Select(r => r.Key).ToHashSet();
        var analyticsKeys = analytics.Select(r => r.Key).ToHashSet();
        Assert.Empty(positioningKeys.Intersect(personalizationKeys));
        Assert.Empty(positioningKeys.Intersect(analyticsKeys));
        Assert.Empty(personalizationKeys.Intersect(analyticsKeys));
        foreach (TestSubject subject in fleet.All)
        {
            string[] own = [oracle.Stable(Positioning, subject), oracle.Stable(Personalization, subject)];
            Assert.True(own.Distinct().Count() == 2, subject + " has the same pseudonym for two purposes.");
        }

        // Minors: nothing of theirs anywhere, not even their pseudonyms inside another record's value.
        var minorPseudonyms = fleet.All.Where(s => s.Minor)
            .SelectMany(s => new[] { oracle.Stable(Positioning, s), oracle.Stable(Personalization, s) })
            .ToHashSet();
        foreach (PurposeRecord record in positioning.Concat(personalization).Concat(analytics))
        {
            Assert.DoesNotContain(record.Key, minorPseudonyms);
            Assert.DoesNotContain(record.Subject, minorPseudonyms);
        }

        // No raw identifier, nor an unkeyed hash of one, in any output or log line.
        RawIdentifierScanner scanner = fleet.Scanner();
        int scanned = await scanner.AssertTopicsCleanAsync(kafka.BootstrapServers, topics.Outputs);
        IReadOnlyList<string> lines = logs.Lines;
        Assert.Contains(lines, l => l.Contains("consuming", StringComparison.Ordinal));
        scanner.AssertClean(lines, "the minimizer's log");

        output.WriteLine($"{sent.Count} events of {fleet.All.Count} subjects, {entries.Count} audit records; positioning {positioning.Count}, "
            + $"personalization {personalization.Count}, analytics {analytics.Count}; scanned {scanned} output records and {lines.Count} log lines "
            + $"for {scanner.IdentifierCount} identifiers ({scanner.PatternCount} patterns).");
    }

    private static Outcome Expected(TestSubject subject, string purpose)
    {
        Outcome outcome = PolicyPurposes.Expected(subject, purpose);
        return outcome == Outcome.WithheldNoConsent && subject.Withdrawals.Contains(purpose) ? Outcome.WithheldWithdrawn : outcome;
    }

    private static PurposeCounts ExpectedCounts(List<SentEvent> sent, string purpose)
    {
        long Count(Outcome o) => sent.Count(e => Expected(e.Subject!, purpose) == o);
        return new PurposeCounts(Count(Outcome.Forwarded), Count(Outcome.WithheldNoConsent), Count(Outcome.WithheldWithdrawn), Count(Outcome.WithheldMinor),
            Count(Outcome.WithheldNotApplicable), Held: Count(Outcome.HeldForRelease));
    }

    /// <summary>Records grouped by pseudonym match the forwarded events grouped by their expected pseudonym, time buckets included.</summary>
    private static void AssertPerPseudonym(List<PurposeRecord> records, List<SentEvent> sent, string purpose, Func<SentEvent, string> expectedKey, Func<SentEvent, long> expectedBucket)
    {
        var expected = sent.Where(e => Expected(e.Subject!, purpose) == Outcome.Forwarded)
            .GroupBy(expectedKey)
            .ToDictionary(g => g.Key, g => g.Select(expectedBucket).Order().ToList());
        var actual = records.GroupBy(r => r.Key).ToDictionary(g => g.Key, g => g.Select(r => r.TimeBucket!.Value).Order().ToList());
        Assert.True(expected.Keys.ToHashSet().SetEquals(actual.Keys), purpose + ": the pseudonyms written are not those of the subjects who may receive it.");
        foreach ((string key, List<long> buckets) in expected)
        {
            Assert.Equal(buckets, actual[key]);
        }

        Assert.All(records, r => Assert.Equal(r.Key, r.Subject));
    }
}
