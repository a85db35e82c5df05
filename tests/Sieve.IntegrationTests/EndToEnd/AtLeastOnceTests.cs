using Sieve.Core.Privacy;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// The engine in <see cref="DeliveryMode.AtLeastOnce"/> (idempotent producer, flush, then a plain offset commit; no
/// transactions), through Kafka and Redis: every input is audited, the outputs the audit counts as forwarded are on
/// the purpose topics, and a second minimizer in the same group resumes where the first one's commits end.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class AtLeastOnceTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const int EventsPerSubject = 40;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static readonly string Positioning = KnownPurposes.Positioning;
    private static readonly string Personalization = KnownPurposes.Personalization;

    [Fact]
    public async Task Every_input_is_accounted_for_and_its_outputs_arrive_across_a_restart()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "at-least-once");
        var fleet = new TestFleet(seed: 707);
        fleet.Vehicle("vehicle consented", withDriver: true, Positioning, Personalization).Partition = 0;
        fleet.Vehicle("vehicle positioning only", withDriver: false, Positioning).Partition = 1;
        fleet.Vehicle("vehicle unconsented").Partition = 2;
        fleet.Vehicle("vehicle minor", withDriver: false, Positioning).Minor = true;
        fleet.PhoneVisitor("phone consented", Positioning, Personalization).Partition = 0;
        fleet.DeviceVisitor("device unconsented").Partition = 1;
        fleet.MacVisitor("mac consented", Positioning).Partition = 2;
        IReadOnlyList<TestSubject> subjects = fleet.All;

        var logs = new LogRecorder();
        string groupId = "e2e-at-least-once-" + Guid.NewGuid().ToString("N");
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var producer = new RawProducer(kafka.BootstrapServers);
        long baseTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
        var changes = subjects.SelectMany(s => s.InitialChanges(baseTime - 3_600_000)).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, changes);

        // Every event time is unique, so a positioning record (which keeps the exact time) names its event.
        List<(TestSubject Subject, long EventTime)> Plan(int from, int to)
        {
            var plan = new List<(TestSubject, long)>();
            for (int round = from; round < to; round++)
            {
                for (int s = 0; s < subjects.Count; s++)
                {
                    plan.Add((subjects[s], baseTime + (round * subjects.Count) + s));
                }
            }

            return plan;
        }

        // First minimizer: half the events, audited; then it stops (leaving its group) with its offsets committed.
        var sent = new List<SentEvent>();
        await using (InProcessMinimizer first = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs,
            "at-least-once", delivery: DeliveryMode.AtLeastOnce, groupId: groupId))
        {
            await Eventually.UntilAsync(() => first.Loader.Stored == changes.Count, Wait,
                () => "consent loader stored " + first.Loader.Stored + " of " + changes.Count, first.ThrowIfStopped);
            sent.AddRange(await producer.SendEventsAsync(topics, Plan(0, EventsPerSubject / 2)));
            await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= sent.Count, Wait,
                e => "first run audited " + AuditLedger.Inputs(e) + " of " + sent.Count + " inputs", first.ThrowIfStopped);

            // The audit records are flushed before the offsets are committed: wait for the commit, so the stop that
            // follows leaves nothing in flight.
            await Eventually.UntilAsync(() => first.Engine.Stats.Inputs == sent.Count, Wait,
                () => "first run committed " + first.Engine.Stats.Inputs + " of " + sent.Count + " inputs", first.ThrowIfStopped);
        }

        int firstRunRecords = audit.Snapshot().Count;

        // Second minimizer, same group: the rest of the events, and nothing of the first half again.
        await using InProcessMinimizer second = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs,
            "at-least-once", delivery: DeliveryMode.AtLeastOnce, groupId: groupId);
        await Eventually.UntilAsync(() => second.Loader.Stored == changes.Count, Wait,
            () => "second consent loader stored " + second.Loader.Stored + " of " + changes.Count, second.ThrowIfStopped);
        sent.AddRange(await producer.SendEventsAsync(topics, Plan(EventsPerSubject / 2, EventsPerSubject)));
        var ends = sent.GroupBy(e => (e.Topic, e.Partition)).ToDictionary(g => g.Key, g => g.Max(e => e.Offset) + 1);
        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.CoversAll(e, ends), Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + sent.Count + " inputs", second.ThrowIfStopped);
        Assert.True(entries.Count > firstRunRecords, "The second minimizer wrote no audit record.");

        // Every offset of every input partition in exactly one audit record: a clean stop commits what it audited,
        // so the successor neither skips nor repeats.
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
        foreach (((string topic, int partition), int[] counts) in AuditLedger.Coverage(entries, ends))
        {
            int wrong = Array.FindIndex(counts, c => c != 1);
            Assert.True(wrong < 0, topic + " [" + partition + "]: offset " + wrong + " is in " + (wrong < 0 ? 0 : counts[wrong]) + " audit records");
        }

        Assert.Equal(sent.Count, AuditLedger.Inputs(entries));
        Assert.Empty(AuditLedger.Quarantined(entries));
        Dictionary<string, PurposeCounts> totals = AuditLedger.Totals(entries);
        Assert.Equal(Count(sent, Positioning), totals[Positioning].Forwarded);
        Assert.Equal(Count(sent, Personalization), totals[Personalization].Forwarded);
        Assert.Equal(sent.Count(e => !e.Subject!.Minor), totals[KnownPurposes.Analytics].Held);
        Assert.Equal(sent.Count(e => e.Subject!.Minor), totals[Positioning].WithheldMinor);

        // The outputs: exactly the forwarded ones, under the subjects' pseudonyms (flushed before the audit was committed).
        var oracle = new PseudonymOracle(second.Keys);
        using var positioningTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Positioning, r => OutputDecoder.Purpose(r, "PositioningRecord"));
        using var personalizationTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Personalization, r => OutputDecoder.Purpose(r, "PersonalizationRecord"));
        using var analyticsTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Analytics, r => OutputDecoder.Purpose(r, "AnalyticsRecord"));
        List<PurposeRecord> positioning = [.. (await positioningTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        List<PurposeRecord> personalization = [.. (await personalizationTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        List<PurposeRecord> analytics = [.. (await analyticsTail.ReadToEndAsync(Wait)).Select(r => r.Value)];

        var byTime = sent.ToDictionary(e => e.EventTime);
        Assert.Equal(
            sent.Where(e => Forwarded(e.Subject!, Positioning)).Select(e => e.EventTime).Order(),
            positioning.Select(r => r.EventTime!.Value).Order());
        Assert.All(positioning, r => Assert.Equal(oracle.Stable(Positioning, byTime[r.EventTime!.Value].Subject!), r.Key));
        Assert.Equal(Count(sent, Personalization), personalization.Count);
        var personalizationKeys = subjects.Where(s => Forwarded(s, Personalization)).Select(s => oracle.Stable(Personalization, s)).ToHashSet();
        Assert.All(personalization, r => Assert.Contains(r.Key, personalizationKeys));
        // The release stage decides every held record at least once (at-least-once: a restart may decide some again).
        long held = totals[KnownPurposes.Analytics].Held;
        entries = await audit.WaitForAsync(e => AuditLedger.ReleaseInputs(e) >= held, Wait,
            e => "the release stage decided " + AuditLedger.ReleaseInputs(e) + " of " + held + " held records");
        analytics = [.. (await analyticsTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        // Outputs are flushed with the audit record of their decision, so a decision made twice is counted twice too.
        Assert.Equal(AuditLedger.ReleaseTotals(entries)[KnownPurposes.Analytics].Forwarded, analytics.Count);
        Assert.All(analytics, r => Assert.Equal("segment", r.KeyId));

        RawIdentifierScanner scanner = fleet.Scanner();
        int scanned = await scanner.AssertTopicsCleanAsync(kafka.BootstrapServers, topics.Outputs);
        IReadOnlyList<string> lines = logs.Lines;
        Assert.Contains(lines, l => l.Contains("AtLeastOnce", StringComparison.Ordinal));
        scanner.AssertClean(lines, "the minimizer's log");
        output.WriteLine($"{sent.Count} events, {entries.Count} audit records ({firstRunRecords} by the first minimizer); positioning {positioning.Count}, "
            + $"personalization {personalization.Count}, analytics {analytics.Count}; scanned {scanned} output records");
    }

    private static bool Forwarded(TestSubject subject, string purpose) => !subject.Minor && subject.Grants.Contains(purpose);

    private static long Count(List<SentEvent> sent, string purpose) => sent.Count(e => Forwarded(e.Subject!, purpose));
}
