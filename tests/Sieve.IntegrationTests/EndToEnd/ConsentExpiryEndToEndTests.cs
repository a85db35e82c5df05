using Sieve.Core.Privacy;
using Sieve.Contracts.Purposes;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// Consent that expires, through the real engine over Kafka and Redis: once a grant's <c>expiresAt</c> has passed,
/// the purpose gets nothing more of the subject and the audit counts each event <c>withheld:expired</c>.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ConsentExpiryEndToEndTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const int Events = 20;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string Positioning = KnownPurposes.Positioning;

    // How long the lapsing grant of the second test is valid once stored: long enough for its first group of events
    // to be decided before it lapses.
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(6);

    [Fact]
    public async Task Events_after_a_grants_expiresAt_are_withheld_as_expired_and_a_live_grant_is_forwarded()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "expired", rawPartitions: 2);
        var fleet = new TestFleet(seed: 3101);

        // One raw partition per vehicle, so a partition's audit counts only that vehicle's events.
        TestSubject lapsed = fleet.Vehicle("vehicle whose grant lapsed");
        lapsed.Partition = 0;
        TestSubject live = fleet.Vehicle("vehicle with a live grant", withDriver: true, Positioning);
        live.Partition = 1;

        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var positioningTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Positioning, r => OutputDecoder.Purpose(r, "PositioningRecord"));
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs, "expired");
        using var producer = new RawProducer(kafka.BootstrapServers);
        var oracle = new PseudonymOracle(minimizer.Keys);

        // Both granted two hours ago; the lapsed vehicle's grant ended an hour ago, before any of its events.
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long expiresAt = now - 3_600_000;
        List<Sieve.Contracts.Records.ConsentChangeData> changes =
        [
            lapsed.Change(Positioning, granted: true, now - 7_200_000, expiresAt: expiresAt),
            .. live.InitialChanges(now - 7_200_000),
        ];
        await producer.SendConsentAsync(topics.ConsentChanges, changes);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == changes.Count, Wait,
            () => "consent loader stored " + minimizer.Loader.Stored + " of " + changes.Count + " (rejected " + minimizer.Loader.Rejected + ")", minimizer.ThrowIfStopped);

        long baseTime = now - 600_000;
        var plan = new List<(TestSubject Subject, long EventTime)>();
        for (int i = 0; i < Events; i++)
        {
            plan.Add((lapsed, baseTime + (2 * i)));
            plan.Add((live, baseTime + (2 * i) + 1));
        }

        List<SentEvent> sent = await producer.SendEventsAsync(topics, plan);
        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= sent.Count, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + sent.Count + " inputs", minimizer.ThrowIfStopped);
        Assert.Equal(sent.Count, AuditLedger.Inputs(entries));
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
        Assert.Empty(AuditLedger.Quarantined(entries));

        // Positioning: every event of the lapsed vehicle withheld:expired, every event of the live one forwarded.
        PurposeCounts lapsedPositioning = PositioningCounts(entries, topics, lapsed);
        Assert.Equal(new PurposeCounts(0, 0, 0, 0, 0, WithheldExpired: Events), lapsedPositioning);
        Assert.Equal(new PurposeCounts(Events, 0, 0, 0, 0), PositioningCounts(entries, topics, live));

        // The positioning topic holds the live vehicle's events only, under its pseudonym.
        List<PurposeRecord> positioning = [.. (await positioningTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        Assert.Equal(Events, positioning.Count);
        Assert.All(positioning, r => Assert.Equal(oracle.Stable(Positioning, live), r.Key));
        Assert.DoesNotContain(positioning, r => r.Key == oracle.Stable(Positioning, lapsed));

        RawIdentifierScanner scanner = fleet.Scanner();
        await scanner.AssertTopicsCleanAsync(kafka.BootstrapServers, topics.Outputs);
        scanner.AssertClean(logs.Lines, "the minimizer's log");
        output.WriteLine($"{sent.Count} events; lapsed vehicle: {lapsedPositioning.WithheldExpired} withheld:expired; live vehicle: {positioning.Count} forwarded");
    }

    [Fact]
    public async Task A_grant_that_lapses_between_two_groups_of_events_forwards_the_first_and_withholds_the_second_as_expired()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "lapsing", rawPartitions: 2);
        var fleet = new TestFleet(seed: 3102);
        TestSubject lapsing = fleet.Vehicle("vehicle whose grant lapses");
        lapsing.Partition = 0;
        TestSubject control = fleet.Vehicle("control vehicle", withDriver: false, Positioning);
        control.Partition = 1;

        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var positioningTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Positioning, r => OutputDecoder.Purpose(r, "PositioningRecord"));
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs, "lapsing");
        using var producer = new RawProducer(kafka.BootstrapServers);
        var oracle = new PseudonymOracle(minimizer.Keys);

        long grantedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
        var grants = control.InitialChanges(grantedAt).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, grants);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == grants.Count, Wait,
            () => "consent loader stored " + minimizer.Loader.Stored + " of " + grants.Count, minimizer.ThrowIfStopped);

        // The pipeline is running (partitions assigned, first batch committed) before the short grant is given.
        List<SentEvent> sent = await producer.SendEventsAsync(topics, Enumerable.Range(0, 5).Select(i => (control, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + i)));
        await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= sent.Count, Wait, e => "audited " + AuditLedger.Inputs(e) + " of " + sent.Count + " warm-up inputs", minimizer.ThrowIfStopped);

        long expiresAt = DateTimeOffset.UtcNow.Add(Lifetime).ToUnixTimeMilliseconds();
        await producer.SendConsentAsync(topics.ConsentChanges, [lapsing.Change(Positioning, granted: true, grantedAt, expiresAt: expiresAt)]);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == grants.Count + 1, Wait,
            () => "consent loader stored " + minimizer.Loader.Stored + " of " + (grants.Count + 1), minimizer.ThrowIfStopped);

        // First group: before the grant lapses.
        List<SentEvent> first = await SendGroupAsync(producer, topics, lapsing, control);
        Assert.All(first, e => Assert.True(e.EventTime < expiresAt, "an event of the first group is not before the grant's end"));
        sent.AddRange(first);
        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= sent.Count, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + sent.Count + " inputs", minimizer.ThrowIfStopped);
        long firstDecided = entries.Where(e => OfSubject(e, topics, lapsing)).Max(e => e.CommittedAt);
        PurposeCounts firstCounts = PositioningCounts(entries, topics, lapsing);
        Assert.True(firstCounts == new PurposeCounts(Events, 0, 0, 0, 0),
            $"first group: {firstCounts}, expected {Events} forwarded (its last batch was committed {expiresAt - firstDecided} ms before the grant's end)");

        // Then the clock passes the grant's end, and the second group is sent.
        await Eventually.UntilAsync(() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > expiresAt, Wait, () => "the clock has not reached the grant's end");
        List<SentEvent> second = await SendGroupAsync(producer, topics, lapsing, control);
        Assert.All(second, e => Assert.True(e.EventTime >= expiresAt, "an event of the second group is before the grant's end"));
        sent.AddRange(second);
        entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= sent.Count, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + sent.Count + " inputs", minimizer.ThrowIfStopped);
        Assert.Equal(sent.Count, AuditLedger.Inputs(entries));
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);

        // The lapsing vehicle: the first group forwarded, the second withheld:expired, and nothing forwarded after a withheld event.
        Assert.Equal(new PurposeCounts(Events, 0, 0, 0, 0, WithheldExpired: Events), PositioningCounts(entries, topics, lapsing));
        long secondStart = second.Where(e => e.Subject == lapsing).Min(e => e.Offset);
        Assert.All(entries.Where(e => OfSubject(e, topics, lapsing) && e.FirstOffset >= secondStart), e => Assert.Equal(0, e.Purposes[Positioning].Forwarded));

        // The control vehicle's grant does not lapse: all of its events forwarded.
        Assert.Equal(new PurposeCounts(5 + (2 * Events), 0, 0, 0, 0), PositioningCounts(entries, topics, control));

        // The positioning topic has exactly the first group of the lapsing vehicle, by event time.
        List<PurposeRecord> positioning = [.. (await positioningTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        string lapsingPseudonym = oracle.Stable(Positioning, lapsing);
        Assert.Equal(
            first.Where(e => e.Subject == lapsing).Select(e => e.EventTime).Order(),
            positioning.Where(r => r.Key == lapsingPseudonym).Select(r => r.EventTime!.Value).Order());
        Assert.Equal(5 + (2 * Events), positioning.Count(r => r.Key == oracle.Stable(Positioning, control)));

        RawIdentifierScanner scanner = fleet.Scanner();
        await scanner.AssertTopicsCleanAsync(kafka.BootstrapServers, topics.Outputs);
        scanner.AssertClean(logs.Lines, "the minimizer's log");
        output.WriteLine($"grant valid for {Lifetime.TotalSeconds} s; first group committed {expiresAt - firstDecided} ms before it lapsed; {entries.Count} audit records");
    }

    // Events of both vehicles, the clock's time now, the two interleaved.
    private static Task<List<SentEvent>> SendGroupAsync(RawProducer producer, PipelineTopics topics, TestSubject lapsing, TestSubject control)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        return producer.SendEventsAsync(topics, Enumerable.Range(0, Events).SelectMany(i => new[] { (lapsing, now + (2 * i)), (control, now + (2 * i) + 1) }));
    }

    private static bool OfSubject(AuditEntry entry, PipelineTopics topics, TestSubject subject) =>
        !entry.IsRelease && entry.SourceTopic == topics.TelematicsRaw && entry.Partition == subject.Partition;

    // The positioning counts of the audit records of the subject's raw partition (its events only).
    private static PurposeCounts PositioningCounts(List<AuditEntry> entries, PipelineTopics topics, TestSubject subject) =>
        entries.Where(e => OfSubject(e, topics, subject)).Select(e => e.Purposes[Positioning]).Aggregate(default(PurposeCounts), (a, b) => a + b);
}
