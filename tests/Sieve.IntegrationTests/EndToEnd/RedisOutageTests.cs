using Sieve.Core.Privacy;
using System.Diagnostics;
using Sieve.Contracts.Purposes;
using Sieve.Embedded;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>Redis, the consent store, goes down mid-stream and comes back empty.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RedisOutageTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const int RetriesWhileDown = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string Positioning = KnownPurposes.Positioning;
    private static readonly string Personalization = KnownPurposes.Personalization;

    [Fact]
    public async Task While_the_consent_store_is_down_nothing_is_forwarded_or_committed_and_afterwards_nothing_is_lost()
    {
        using RedisServerProcess server = await redis.StartDedicatedAsync();
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "redis-outage", rawPartitions: 2);
        var fleet = new TestFleet(seed: 404);
        TestSubject[] granted = [Vehicle(fleet, "granted 1", 0, true), Vehicle(fleet, "granted 2", 1, true), Vehicle(fleet, "granted 3", 0, true)];
        TestSubject[] unconsented = [Vehicle(fleet, "unconsented 1", 0, false), Vehicle(fleet, "unconsented 2", 1, false)];
        TestSubject[] newGranted = [Vehicle(fleet, "granted during the outage 1", 0, true), Vehicle(fleet, "granted during the outage 2", 1, true)];
        TestSubject[] newUnconsented = [Vehicle(fleet, "new unconsented 1", 0, false), Vehicle(fleet, "new unconsented 2", 1, false)];
        TestSubject[] everyone = [.. granted, .. unconsented, .. newGranted, .. newUnconsented];

        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(kafka.BootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var positioningTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Positioning, r => OutputDecoder.Purpose(r, "PositioningRecord"));
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, server.Configuration, topics, logs, "redis-outage");
        using var producer = new RawProducer(kafka.BootstrapServers);
        var oracle = new PseudonymOracle(minimizer.Keys);
        long restarting = 0;
        long resumed = 0;
        minimizer.Engine.BatchCommitted += _ =>
        {
            if (Interlocked.Read(ref restarting) != 0)
            {
                Interlocked.CompareExchange(ref resumed, Stopwatch.GetTimestamp(), 0);
            }
        };
        long eventTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
        long grantTime = eventTime - 3_600_000;
        var sent = new List<(SentEvent Event, string Phase)>();

        async Task SendAsync(string phase, IEnumerable<TestSubject> subjects, int rounds)
        {
            var plan = new List<(TestSubject, long)>();
            for (int round = 0; round < rounds; round++)
            {
                plan.AddRange(subjects.Select(s => (s, eventTime++)));
            }

            sent.AddRange((await producer.SendEventsAsync(topics, plan)).Select(e => (e, phase)));
        }

        Task<List<AuditEntry>> AuditedAsync(int count) => audit.WaitForAsync(e => AuditLedger.Inputs(e) >= count, Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + count + " inputs", minimizer.ThrowIfStopped);

        // Phase A, Redis up: consent for the first subjects, then their events, all processed.
        var grants = granted.SelectMany(s => s.InitialChanges(grantTime)).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, grants);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == grants.Count, Wait, () => "consent loader stored " + minimizer.Loader.Stored);
        await SendAsync("A", [.. granted, .. unconsented], rounds: 20);
        int phaseA = sent.Count;
        await AuditedAsync(phaseA);

        // Redis goes down. More consent arrives; then events, and in each partition the first one is of a subject the
        // cache has never seen, so any batch reaching past phase A needs the store.
        server.Stop();
        long stopped = Stopwatch.GetTimestamp();
        var lateGrants = newGranted.SelectMany(s => s.InitialChanges(grantTime)).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, lateGrants);
        await SendAsync("B", newUnconsented, rounds: 1);
        long firstHeld = Stopwatch.GetTimestamp();
        await SendAsync("B", everyone, rounds: 10);

        await Eventually.UntilAsync(() => minimizer.Engine.Stats.Paused, Wait, () => "the engine did not pause", minimizer.ThrowIfStopped);
        long paused = Stopwatch.GetTimestamp();
        long retriesAtPause = minimizer.Engine.Stats.Retries;
        await Eventually.UntilAsync(() => minimizer.Engine.Stats.Retries >= retriesAtPause + RetriesWhileDown && minimizer.Loader.StoreRetries > 0, Wait,
            () => "engine retries " + minimizer.Engine.Stats.Retries + ", loader store retries " + minimizer.Loader.StoreRetries, minimizer.ThrowIfStopped);

        // Held, not skipped, not forwarded: nothing past phase A was committed, audited or written to a purpose.
        Assert.True(minimizer.Engine.Stats.Paused);
        Assert.Equal(phaseA, minimizer.Engine.Stats.Inputs);
        Assert.Equal(phaseA, AuditLedger.Inputs((await audit.ReadToEndAsync(Wait)).Select(r => r.Value)));
        List<PurposeRecord> positioningWhileDown = [.. (await positioningTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        Assert.Equal(sent.Count(e => e.Phase == "A" && granted.Contains(e.Event.Subject)), positioningWhileDown.Count);
        var phaseATimes = sent.Where(e => e.Phase == "A").Select(e => e.Event.EventTime).ToHashSet();
        Assert.All(positioningWhileDown, r => Assert.Contains(r.EventTime!.Value, phaseATimes));
        long retriesWhileDown = minimizer.Engine.Stats.Retries;

        // Redis comes back empty (no persistence): the consent is re-applied by replaying the consent topic from its
        // start with a fresh loader group, as a new deployment would. The first loader also finishes its held write.
        Interlocked.Exchange(ref restarting, 1);
        await server.StartAsync();
        long restarted = Stopwatch.GetTimestamp();
        int allChanges = grants.Count + lateGrants.Count;
        var replay = minimizer.StartLoader("e2e-replay-" + Guid.NewGuid().ToString("N"));
        await Eventually.UntilAsync(() => replay.Applied + replay.Unchanged == allChanges, Wait,
            () => "replay applied " + replay.Applied + " and found " + replay.Unchanged + " of " + allChanges, minimizer.ThrowIfStopped);

        // Once a heartbeat sent after the replay has come back, every invalidation of the replay has reached the
        // cache, so nothing cached from the empty store survives.
        long replayed = TimeProvider.System.GetTimestamp();
        await Eventually.UntilAsync(() => minimizer.Store.LastHeartbeatTimestamp > replayed, Wait, () => "no heartbeat after the replay");

        // Phase C, Redis up again with its consent back.
        await SendAsync("C", everyone, rounds: 10);
        List<AuditEntry> entries = await AuditedAsync(sent.Count);
        Assert.Equal(sent.Count, AuditLedger.Inputs(entries));
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
        Assert.False(minimizer.Engine.Stats.Paused);

        // Nothing lost, nothing twice: every input offset is covered by exactly one audit record.
        var ends = sent.GroupBy(e => (e.Event.Topic, e.Event.Partition)).ToDictionary(g => g.Key, g => g.Max(e => e.Event.Offset) + 1);
        foreach (((string topic, int partition), int[] counts) in AuditLedger.Coverage(entries, ends))
        {
            Assert.True(Array.TrueForAll(counts, c => c == 1), topic + " [" + partition + "]: offsets not audited exactly once: "
                + string.Join(",", counts.Select((c, o) => (c, o)).Where(x => x.c != 1).Take(10).Select(x => x.o + "x" + x.c)));
        }

        // No purpose that needs consent ever received anything of a subject without it.
        using var personalizationTail = TopicTail<PurposeRecord>.Start(kafka.BootstrapServers, topics.Personalization, r => OutputDecoder.Purpose(r, "PersonalizationRecord"));
        List<PurposeRecord> positioning = [.. (await positioningTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        List<PurposeRecord> personalization = [.. (await personalizationTail.ReadToEndAsync(Wait)).Select(r => r.Value)];
        var forbidden = unconsented.Concat(newUnconsented).SelectMany(s => new[] { oracle.Stable(Positioning, s), oracle.Stable(Personalization, s) }).ToHashSet();
        Assert.DoesNotContain(positioning.Concat(personalization), r => forbidden.Contains(r.Key) || forbidden.Contains(r.Subject));

        // With consent back, every phase C event of a consenting subject was forwarded.
        var positioningTimes = positioning.Select(r => r.EventTime!.Value).ToHashSet();
        var consenting = granted.Concat(newGranted).ToHashSet();
        var phaseC = sent.Where(e => e.Phase == "C" && consenting.Contains(e.Event.Subject!)).ToList();
        Assert.All(phaseC, e => Assert.Contains(e.Event.EventTime, positioningTimes));
        Assert.Equal(positioning.Count, positioningTimes.Count);
        Assert.Equal(sent.Count, AuditLedger.Totals(entries)[KnownPurposes.Analytics].Held);

        RawIdentifierScanner scanner = fleet.Scanner();
        await scanner.AssertTopicsCleanAsync(kafka.BootstrapServers, topics.Outputs);
        scanner.AssertClean(logs.Lines, "the minimizer's log");

        // Phase B events of consenting subjects were held through the outage and decided after it, against whatever
        // the store held by then: forwarded if their consent was back, withheld (no consent) if not.
        var phaseB = sent.Where(e => e.Phase == "B" && consenting.Contains(e.Event.Subject!)).ToList();
        output.WriteLine($"inputs: phase A {phaseA}, phase B (during the outage) {sent.Count(e => e.Phase == "B")}, phase C {sent.Count(e => e.Phase == "C")}; {entries.Count} audit records");
        output.WriteLine($"Redis stopped -> engine paused {Ms(stopped, paused)} ms (first event needing the store written -> paused {Ms(firstHeld, paused)} ms); engine retries while down {retriesWhileDown}; "
            + $"Redis restarted -> first batch committed {(resumed == 0 ? "n/a" : Ms(restarted, Interlocked.Read(ref resumed)))} ms");
        output.WriteLine($"phase B events of consenting subjects: {phaseB.Count(e => positioningTimes.Contains(e.Event.EventTime))} forwarded, "
            + $"{phaseB.Count(e => !positioningTimes.Contains(e.Event.EventTime))} withheld (decided before their consent was replayed)");
    }

    private static TestSubject Vehicle(TestFleet fleet, string label, int partition, bool grants)
    {
        TestSubject subject = grants ? fleet.Vehicle(label, withDriver: false, Positioning, Personalization) : fleet.Vehicle(label);
        subject.Partition = partition;
        return subject;
    }

    private static string Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
}
