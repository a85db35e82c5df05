using Sieve.Core.Privacy;
using System.Collections.Concurrent;
using System.Diagnostics;
using Sieve.Contracts.Purposes;
using Sieve.Core.Pipeline;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>A subject withdraws consent to one purpose while its events are flowing.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class WithdrawalTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const int ForwardedBeforeWithdrawal = 20;
    private const int EventsAfterBoundary = 100;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string Positioning = KnownPurposes.Positioning;
    private static readonly string Personalization = KnownPurposes.Personalization;

    [Fact]
    public async Task After_a_withdrawal_is_applied_no_later_event_reaches_the_purpose_and_each_is_counted_withdrawn()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "withdrawal", rawPartitions: 2);
        var fleet = new TestFleet(seed: 202);

        // Each vehicle has a raw partition of its own, so the audit records of partition 0 count only the subject's events.
        TestSubject subject = fleet.Vehicle("withdrawing vehicle", withDriver: true, Positioning, Personalization);
        subject.Partition = 0;
        TestSubject control = fleet.Vehicle("control vehicle", withDriver: false, Positioning, Personalization);
        control.Partition = 1;

        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var personalizationTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Personalization, r => OutputDecoder.Purpose(r, "PersonalizationRecord"));
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs, "withdrawal");
        using var producer = new RawProducer(kafka.BootstrapServers);
        var oracle = new PseudonymOracle(minimizer.Keys);
        string subjectPseudonym = oracle.Stable(Personalization, subject);
        string controlPseudonym = oracle.Stable(Personalization, control);
        int personalizationPlan = minimizer.Core.Plans.ToList().FindIndex(p => p.Name == Personalization);

        // The cache subscribed to invalidations before this handler, so when it runs for the withdrawal the cache has
        // already dropped the subject's record: every event read after that is decided on the withdrawn record.
        string consentKey = oracle.ConsentKey(subject);
        int invalidations = 0;
        var withdrawalInvalidated = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        minimizer.Store.Invalidated += key =>
        {
            if (key == consentKey && Interlocked.Increment(ref invalidations) == subject.Grants.Count + 1)
            {
                withdrawalInvalidated.TrySetResult(Stopwatch.GetTimestamp());
            }
        };
        var firstWithdrawn = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        minimizer.Engine.BatchCommitted += tallies =>
        {
            if (tallies.Any(t => t.Topic == topics.TelematicsRaw && t.Partition == subject.Partition && t.Count(personalizationPlan, Outcome.WithheldWithdrawn) > 0))
            {
                firstWithdrawn.TrySetResult(Stopwatch.GetTimestamp());
            }
        };

        long grantedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
        var grants = fleet.All.SelectMany(s => s.InitialChanges(grantedAt)).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, grants);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == grants.Count, Wait,
            () => "consent loader stored " + minimizer.Loader.Stored + " of " + grants.Count, minimizer.ThrowIfStopped);

        // Both vehicles report continuously until the test has seen enough after the withdrawal.
        var subjectEvents = new ConcurrentQueue<SentEvent>();
        var controlEvents = new ConcurrentQueue<SentEvent>();
        long boundary = long.MaxValue;
        using var stopProducing = new CancellationTokenSource();
        Task producing = Task.Run(async () =>
        {
            while (!stopProducing.IsCancellationRequested)
            {
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                SentEvent[] pair = await Task.WhenAll(producer.SendEventAsync(topics, subject, now), producer.SendEventAsync(topics, control, now));
                subjectEvents.Enqueue(pair[0]);
                controlEvents.Enqueue(pair[1]);
                await Task.Delay(2);
            }
        });

        await personalizationTail.WaitForAsync(r => r.Count(x => x.Key == subjectPseudonym) >= ForwardedBeforeWithdrawal, Wait,
            r => r.Count(x => x.Key == subjectPseudonym) + " personalization records of the subject", minimizer.ThrowIfStopped);

        // Withdraw personalization (positioning stays granted).
        long published = Stopwatch.GetTimestamp();
        await producer.SendConsentAsync(topics.ConsentChanges, [subject.Change(Personalization, granted: false, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())]);
        long acknowledged = Stopwatch.GetTimestamp();
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == grants.Count + 1, Wait,
            () => "consent loader stored " + minimizer.Loader.Stored + " of " + (grants.Count + 1), minimizer.ThrowIfStopped);
        long applied = Stopwatch.GetTimestamp();
        long invalidated = await withdrawalInvalidated.Task.WaitAsync(Wait);

        // Every event from here on is read by the engine after its cache dropped the granted record.
        boundary = Watermarks.High(kafka.BootstrapServers, topics.TelematicsRaw, subject.Partition);
        long enforced = await firstWithdrawn.Task.WaitAsync(Wait);
        await Eventually.UntilAsync(() => subjectEvents.Count(e => e.Offset >= boundary) >= EventsAfterBoundary, Wait,
            () => subjectEvents.Count(e => e.Offset >= boundary) + " events of the subject after the boundary", minimizer.ThrowIfStopped);
        await stopProducing.CancelAsync();
        await producing;

        int sent = subjectEvents.Count + controlEvents.Count;
        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= sent, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + sent + " inputs", minimizer.ThrowIfStopped);
        Assert.Equal(sent, AuditLedger.Inputs(entries));
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);

        // The subject's partition: positioning still forwarded throughout; personalization forwarded up to one point,
        // then withdrawn for every event, never forwarded again.
        var subjectRecords = entries.Where(e => !e.IsRelease && e.Partition == subject.Partition).OrderBy(e => e.FirstOffset).ToList();
        Assert.Equal(subjectEvents.Count, AuditLedger.Inputs(subjectRecords));
        bool withdrawnSeen = false;
        foreach (AuditEntry entry in subjectRecords)
        {
            Assert.Equal(entry.Inputs, entry.Purposes[Positioning].Forwarded);
            PurposeCounts counts = entry.Purposes[Personalization];
            Assert.Equal(entry.Inputs, counts.Forwarded + counts.WithheldWithdrawn);
            Assert.False(withdrawnSeen && counts.Forwarded > 0, "Personalization forwarded again after a withdrawn event (offsets " + entry.FirstOffset + ".." + entry.LastOffset + ").");
            withdrawnSeen |= counts.WithheldWithdrawn > 0;
        }

        // Decisions within a partition are in offset order and the switch is one-way, so the forwarded events are
        // exactly the first ones; none of them may lie at or after the boundary.
        long forwarded = subjectRecords.Sum(e => e.Purposes[Personalization].Forwarded);
        long withdrawn = subjectRecords.Sum(e => e.Purposes[Personalization].WithheldWithdrawn);
        Assert.True(forwarded <= boundary, forwarded + " events forwarded to personalization, but every event from offset " + boundary + " on must be withheld.");
        Assert.True(withdrawn >= EventsAfterBoundary, withdrawn + " events counted withdrawn");

        List<PurposeRecord> personalization = [.. (await personalizationTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        Assert.Equal(forwarded, personalization.Count(r => r.Key == subjectPseudonym));

        // The control vehicle kept its consent: all of its events were forwarded to both purposes.
        var controlRecords = entries.Where(e => !e.IsRelease && e.Partition == control.Partition).ToList();
        Assert.Equal(controlEvents.Count, AuditLedger.Inputs(controlRecords));
        Assert.All(controlRecords, e => Assert.Equal(e.Inputs, e.Purposes[Personalization].Forwarded));
        Assert.Equal(controlEvents.Count, personalization.Count(r => r.Key == controlPseudonym));
        Assert.Equal(personalization.Count, personalization.Count(r => r.Key == subjectPseudonym || r.Key == controlPseudonym));

        // Generous sanity bound only; the latency itself is reported, not asserted.
        TimeSpan latency = Stopwatch.GetElapsedTime(published, enforced);
        Assert.True(latency < TimeSpan.FromSeconds(10), "A withdrawal took " + latency.TotalMilliseconds + " ms to be enforced.");

        RawIdentifierScanner scanner = fleet.Scanner();
        await scanner.AssertTopicsCleanAsync(kafka.BootstrapServers, topics.Outputs);
        scanner.AssertClean(logs.Lines, "the minimizer's log");

        output.WriteLine($"withdrawal published -> acknowledged {Ms(published, acknowledged)} ms, -> applied to Redis (seen by polling the loader) {Ms(published, applied)} ms, "
            + $"-> invalidation handled by the engine's cache {Ms(published, invalidated)} ms, -> first batch with withheld:withdrawn committed {Ms(published, enforced)} ms");
        output.WriteLine($"subject: {subjectEvents.Count} events, {forwarded} forwarded to personalization, {withdrawn} withheld:withdrawn; "
            + $"boundary offset {boundary}; control: {controlEvents.Count} events all forwarded; {entries.Count} audit records");
    }

    private static string Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}
