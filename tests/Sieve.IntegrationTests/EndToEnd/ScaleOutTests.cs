using Sieve.Core.Privacy;
using System.Collections.Concurrent;
using System.Diagnostics;
using Sieve.Contracts.Purposes;
using Sieve.Core.Pipeline;
using Sieve.Embedded;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// Three minimizer instances in one consumer group: two start, a third joins mid-stream, a withdrawal is published,
/// and one of the first two stops gracefully, all while events flow into 12-partition raw topics.
/// </summary>
/// <remarks>
/// Runs on a mock cluster of its own because what it tolerates (repeats at a rebalance) is specific to the mock.
/// Every partition's subjects share one consent profile, so each audit record, whichever instance wrote it, must
/// show exactly that profile's outcome for every input.
/// </remarks>
[Collection(EndToEndCollection.Name)]
public sealed class ScaleOutTests(RedisFixture redis, ITestOutputHelper output)
{
    private const int Partitions = 12;
    private const int AuditedBeforeThird = 500;
    private const int EventsAfterBoundary = 20;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    private static readonly string Positioning = KnownPurposes.Positioning;
    private static readonly string Personalization = KnownPurposes.Personalization;
    private static readonly string Analytics = KnownPurposes.Analytics;

    [Fact]
    public async Task Three_instances_share_the_partitions_across_rebalances_with_consistent_consent_and_complete_audit()
    {
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        string bootstrapServers = cluster.BootstrapServers;
        PipelineTopics topics = await PipelineTopics.CreateAsync(cluster, "scale", rawPartitions: Partitions);

        // Telematics: odd partitions carry vehicles that grant positioning and personalization and withdraw
        // positioning mid-stream; even ones cycle through all granted, positioning only, nothing granted.
        // Wi-Fi: phone visitors with all granted, device visitors with positioning, MAC visitors with nothing, minors.
        var fleet = new TestFleet(seed: 606);
        for (int p = 0; p < Partitions; p++)
        {
            for (int i = 0; i < 2; i++)
            {
                string[] grants = (p % 2, p / 2 % 3) switch
                {
                    (1, _) or (0, 0) => [Positioning, Personalization],
                    (0, 1) => [Positioning],
                    _ => [],
                };
                fleet.Vehicle("vehicle " + p + "." + i, withDriver: i == 1, grants).Partition = p;
            }

            TestSubject visitor = (p % 4) switch
            {
                0 => fleet.PhoneVisitor("phone visitor " + p, Positioning, Personalization),
                1 => fleet.DeviceVisitor("device visitor " + p, Positioning),
                2 => fleet.MacVisitor("mac visitor " + p),
                _ => fleet.PhoneVisitor("minor phone visitor " + p, Positioning, Personalization),
            };
            visitor.Minor = p % 4 == 3;
            visitor.Partition = p;
        }

        IReadOnlyList<TestSubject> subjects = fleet.All;
        var withdrawing = subjects.Where(s => s.IsVehicle && s.Partition % 2 == 1).ToList();
        var profiles = subjects.GroupBy(s => (Topic: s.RawTopic(topics), s.Partition)).ToDictionary(g => g.Key, g => g.First());
        Assert.All(subjects, s => Assert.True(
            profiles[(s.RawTopic(topics), s.Partition)].Grants.SetEquals(s.Grants) && profiles[(s.RawTopic(topics), s.Partition)].Minor == s.Minor,
            s + " does not share its partition's consent profile"));

        // On the mock cluster a rebalance takes about as long as the members' session timeout (librdkafka's default
        // is 45 s), and members notice one at their next heartbeat (3 s by default): both short here.
        var deployment = new SharedDeployment("scale");
        deployment.KafkaProperties["heartbeat.interval.ms"] = "250";
        deployment.KafkaProperties["session.timeout.ms"] = "3000";

        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(bootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var producer = new RawProducer(bootstrapServers);
        var running = new List<InProcessMinimizer>();
        using var stopProducing = new CancellationTokenSource();
        Task producing = Task.CompletedTask;
        try
        {
            long started = Stopwatch.GetTimestamp();
            InProcessMinimizer a = await InProcessMinimizer.StartAsync(bootstrapServers, redis.Configuration, topics, logs, "scale-a", deployment: deployment);
            running.Add(a);
            InProcessMinimizer b = await InProcessMinimizer.StartAsync(bootstrapServers, redis.Configuration, topics, logs, "scale-b", deployment: deployment);
            running.Add(b);
            void Check()
            {
                foreach (InProcessMinimizer m in running)
                {
                    m.ThrowIfStopped();
                }
            }

            // Consent through the topic; the loaders share a group, so one of them applies it for all instances.
            long eventTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
            var grants = subjects.SelectMany(s => s.InitialChanges(eventTime - 3_600_000)).ToList();
            await producer.SendConsentAsync(topics.ConsentChanges, grants);
            await Eventually.UntilAsync(() => running.Sum(m => m.Loader.Stored) >= grants.Count, Wait,
                () => "consent loaders stored " + running.Sum(m => m.Loader.Stored) + " of " + grants.Count, Check);

            // A heartbeat sent after that which came back proves every earlier invalidation was handled, so the
            // handlers below see only the withdrawal's (the third instance subscribes after the grants).
            long granted = Stopwatch.GetTimestamp();
            await Eventually.UntilAsync(() => running.All(m => m.Store.LastHeartbeatTimestamp > granted), Wait, () => "no heartbeat after the grants", Check);

            // Every event time is unique, so a positioning record (which keeps the exact time) names its event.
            var sent = new ConcurrentQueue<SentEvent>();
            producing = Task.Run(async () =>
            {
                long n = 0;
                while (!stopProducing.IsCancellationRequested)
                {
                    var burst = new List<(TestSubject, long)>(subjects.Count);
                    foreach (TestSubject subject in subjects)
                    {
                        burst.Add((subject, eventTime + n++));
                    }

                    foreach (SentEvent e in await producer.SendEventsAsync(topics, burst))
                    {
                        sent.Enqueue(e);
                    }

                    await Task.Delay(40);
                }
            });

            // Two instances share the 24 raw partitions.
            IReadOnlyDictionary<string, HashSet<(string, int)>> twoOwners = await SettledAsync(running, Check);
            await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= AuditedBeforeThird && running.All(m => e.Exists(x => x.InstanceId == m.Options.InstanceId)), Wait,
                e => "audited " + AuditLedger.Inputs(e) + " inputs by " + string.Join(",", e.Select(x => x.InstanceId).Distinct()), Check);

            // The third joins mid-stream: a rebalance moves partitions from the first two to it.
            int recordsBeforeThird = audit.Snapshot().Count;
            long thirdStarting = Stopwatch.GetTimestamp();
            InProcessMinimizer c = await InProcessMinimizer.StartAsync(bootstrapServers, redis.Configuration, topics, logs, "scale-c", deployment: deployment);
            running.Add(c);
            IReadOnlyDictionary<string, HashSet<(string, int)>> threeOwners = await SettledAsync(running, Check);
            await audit.WaitForAsync(e => running.All(m => e.Skip(recordsBeforeThird).Any(x => x.InstanceId == m.Options.InstanceId)), Wait,
                e => "after the join, audit records only by " + string.Join(",", e.Skip(recordsBeforeThird).Select(x => x.InstanceId).Distinct()), Check);
            long thirdSettled = Stopwatch.GetTimestamp();

            // Let the join's repeats finish before the withdrawal: once one offset produced after the rebalance is
            // audited on every partition, each new owner has re-read whatever it had to.
            Dictionary<(string Topic, int Partition), long> afterJoin = Ends(sent, extra: 1);
            await audit.WaitForAsync(e => AuditLedger.CoversAll(e, afterJoin), Wait, e => "audited " + AuditLedger.Inputs(e) + " inputs after the join; " + Gaps(e, afterJoin), Check);

            // Withdraw positioning for every withdrawing vehicle; each instance's cache must drop their records.
            var oracle = new PseudonymOracle(a.Keys);
            var withdrawingKeys = withdrawing.Select(oracle.ConsentKey).ToHashSet(StringComparer.Ordinal);
            var invalidated = running.ToDictionary(m => m.Options.InstanceId, _ => new ConcurrentDictionary<string, bool>(StringComparer.Ordinal));
            foreach (InProcessMinimizer m in running)
            {
                ConcurrentDictionary<string, bool> seen = invalidated[m.Options.InstanceId];
                m.Store.Invalidated += key =>
                {
                    if (withdrawingKeys.Contains(key))
                    {
                        seen[key] = true;
                    }
                };
            }

            long withdrawAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            long published = Stopwatch.GetTimestamp();
            await producer.SendConsentAsync(topics.ConsentChanges, withdrawing.Select(s => s.Change(Positioning, granted: false, withdrawAt)));
            await Eventually.UntilAsync(() => invalidated.Values.All(seen => seen.Count == withdrawingKeys.Count), Wait,
                () => "withdrawal invalidations handled: " + string.Join(", ", invalidated.Select(i => i.Key + " " + i.Value.Count + "/" + withdrawingKeys.Count)), Check);

            // Every event from here on is read after every instance's cache dropped the granted records.
            Dictionary<(string Topic, int Partition), long> boundary = Ends(sent, extra: 0);
            await audit.WaitForAsync(
                e => running.All(m => e.Any(x => x.InstanceId == m.Options.InstanceId && x.Purposes[Positioning].WithheldWithdrawn > 0)),
                Wait, e => "withheld:withdrawn committed only by " + string.Join(",", e.Where(x => x.Purposes[Positioning].WithheldWithdrawn > 0).Select(x => x.InstanceId).Distinct()), Check);
            long enforced = Stopwatch.GetTimestamp();

            // The first instance leaves gracefully mid-stream; the other two take over its partitions.
            int recordsBeforeStop = audit.Snapshot().Count;
            HashSet<(string, int)> leftBehind = threeOwners[a.Options.InstanceId];
            long stopping = Stopwatch.GetTimestamp();
            running.Remove(a);
            await a.DisposeAsync();
            int recordsAtStop = (await audit.ReadToEndAsync(Wait)).Count;
            IReadOnlyDictionary<string, HashSet<(string, int)>> afterStopOwners = await SettledAsync(running, Check);
            await audit.WaitForAsync(
                e => leftBehind.All(tp => e.Skip(recordsBeforeStop).Any(x => (x.SourceTopic, x.Partition) == tp && x.InstanceId != a.Options.InstanceId)), Wait,
                e => "the stopped instance's partitions were not taken over", Check);
            long takenOver = Stopwatch.GetTimestamp();

            await Eventually.UntilAsync(() => boundary.All(b => sent.Count(e => (e.Topic, e.Partition) == b.Key && e.Offset >= b.Value) >= EventsAfterBoundary), Wait,
                () => "events after the boundary", Check);
            await stopProducing.CancelAsync();
            await producing;

            var events = sent.ToList();
            Dictionary<(string Topic, int Partition), long> ends = Ends(sent, extra: 0);
            List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.CoversAll(e, ends), Wait,
                e => "audited " + AuditLedger.Inputs(e) + " inputs (with repeats) of " + events.Count + "; " + Gaps(e, ends), Check);

            // The release stage's own audit records (analytics' pending topic) balance on their own; the checks of the
            // raw inputs' audit chains below are about the consent stage.
            List<AuditEntry> releaseEntries = [.. entries.Where(e => e.IsRelease)];
            AuditLedger.AssertBalanced(releaseEntries, PolicyPurposes.All);
            entries = [.. entries.Where(e => !e.IsRelease)];
            long completed = Stopwatch.GetTimestamp();

            // (3) Every record balances, and every input offset is audited.
            AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
            Dictionary<(string Topic, int Partition), int[]> coverage = AuditLedger.Coverage(entries, ends);
            foreach (((string topic, int partition), int[] counts) in coverage)
            {
                int gap = Array.IndexOf(counts, 0);
                Assert.True(gap < 0, Where(topic, partition) + ": offset " + gap + " is in no audit record");
            }

            // (1) and (3): per partition, in the audit log's order, each record starts where the previous one ended,
            // except a repeat. Repeats: the engine commits offsets in the transaction and again with the consumer;
            // librdkafka's mock cluster stores only the second and refuses it while the group rebalances (the engine
            // logs each refusal), and under load it can take the mock several rounds to settle a join or a leave.
            // The batches whose offsets were refused are read again, from the first of them, by the partition's
            // owner after the round, which may be the same instance (on a real broker the transaction's offsets
            // count, and nothing repeats). So a repeat starts at the first offset of an earlier record and repeats
            // only consecutive records of one instance, and every batch repeated is one whose offset commit was
            // refused: no two instances work on one partition at once, and no committed offset goes backwards.
            var repeatedBatches = new HashSet<(string Instance, long Batch)>();
            foreach (IGrouping<(string Topic, int Partition), AuditEntry> group in entries.Where(e => !e.IsRelease).GroupBy(e => (e.SourceTopic, e.Partition)))
            {
                string where = Where(group.Key.Topic, group.Key.Partition);
                List<AuditEntry> records = [.. group];
                Assert.True(records[0].FirstOffset == 0, where + ": the first audit record starts at " + records[0].FirstOffset);
                for (int i = 1; i < records.Count; i++)
                {
                    AuditEntry record = records[i];
                    AuditEntry previous = records[i - 1];
                    if (record.FirstOffset == previous.LastOffset + 1)
                    {
                        continue;
                    }

                    int from = records.FindLastIndex(i - 1, r => r.FirstOffset == record.FirstOffset);
                    Assert.True(from >= 0, where + ": " + record.FirstOffset + ".." + record.LastOffset + " (" + record.InstanceId + ") follows "
                        + previous.FirstOffset + ".." + previous.LastOffset + " (" + previous.InstanceId + ") and starts at no earlier record");
                    List<AuditEntry> again = records.GetRange(from, i - from);
                    Assert.True(again.TrueForAll(r => r.InstanceId == records[from].InstanceId),
                        where + ": a repeat from offset " + record.FirstOffset + " spans records of more than one instance");
                    repeatedBatches.UnionWith(again.Select(r => (r.InstanceId, r.BatchId)));
                }
            }

            var refused = logs.Lines.Where(l => l.Contains("Offset commit after transaction failed", StringComparison.Ordinal)).ToList();
            Assert.True(repeatedBatches.Count <= refused.Count, repeatedBatches.Count + " batches repeated, but only " + refused.Count + " offset commits were refused");
            int repeatedOffsets = coverage.Values.Sum(counts => counts.Sum(n => n - 1));

            // (1) Each assignment, once settled, split the 24 partitions between the members; all three instances
            // processed inputs; the third only after it joined; nothing from the stopped one after it left; its
            // partitions went to the others.
            Dictionary<string, long> inputsByInstance = entries.GroupBy(e => e.InstanceId).ToDictionary(g => g.Key, g => g.Sum(e => e.Inputs));
            foreach (string instance in new[] { a.Options.InstanceId, b.Options.InstanceId, c.Options.InstanceId })
            {
                Assert.True(inputsByInstance.GetValueOrDefault(instance) > 0, instance + " processed no input");
            }

            Assert.Equal(3, inputsByInstance.Count);
            Assert.DoesNotContain(entries.Take(recordsBeforeThird), e => e.InstanceId == c.Options.InstanceId);
            Assert.DoesNotContain(entries.Skip(recordsAtStop), e => e.InstanceId == a.Options.InstanceId);

            // (2) Whichever instance wrote it, every record shows its partition's profile outcome for every input.
            foreach (AuditEntry e in entries)
            {
                TestSubject profile = profiles[(e.SourceTopic, e.Partition)];
                string where = Where(e.SourceTopic, e.Partition) + " " + e.FirstOffset + ".." + e.LastOffset + " by " + e.InstanceId;
                foreach (string purpose in PolicyPurposes.All)
                {
                    PurposeCounts counts = e.Purposes[purpose];
                    if (withdrawing.Contains(profile) && purpose == Positioning)
                    {
                        Assert.True(counts.Forwarded + counts.WithheldWithdrawn == e.Inputs, where + ": " + purpose + " " + counts);
                    }
                    else
                    {
                        Assert.True(Bucket(counts, Expected(profile, purpose)) == e.Inputs, where + ": " + purpose + " " + counts + ", expected all " + Expected(profile, purpose));
                    }
                }
            }

            // (2) The withdrawal, enforced by every instance: on each withdrawing partition, no record (of any instance)
            // that starts at or after the boundary forwards positioning; those inputs were produced after every
            // instance's cache had dropped the granted records. The boundary, not the first withdrawn input: each
            // withdrawing partition carries two vehicles whose withdrawals are two consent changes, applied one after
            // the other, so on a loaded machine one vehicle is rightly forwarded for a while after the other's input is
            // withheld (seen: batches of one forwarded and one withdrawn input for 1.7 s). A repeated batch (see above)
            // starts before the boundary.
            foreach (IGrouping<(string Topic, int Partition), AuditEntry> records in entries.Where(e => withdrawing.Contains(profiles[(e.SourceTopic, e.Partition)])).GroupBy(e => (e.SourceTopic, e.Partition)))
            {
                Assert.True(records.Any(r => r.Purposes[Positioning].WithheldWithdrawn > 0), Where(records.Key.Topic, records.Key.Partition) + ": no withdrawn input");
                long enforcedFrom = boundary[records.Key];
                foreach (AuditEntry record in records)
                {
                    // On failure, the partition's whole audit chain in commit order: which instance decided what, when.
                    Assert.False(record.FirstOffset >= enforcedFrom && record.Purposes[Positioning].Forwarded > 0,
                        Where(records.Key.Topic, records.Key.Partition) + ": positioning forwarded by " + record.InstanceId + " at or after the withdrawal boundary " + enforcedFrom + " (offsets " + record.FirstOffset + ".." + record.LastOffset + "); the partition's audit records: "
                        + string.Join("; ", records.Select(r => r.InstanceId + "#" + r.BatchId + " " + r.FirstOffset + ".." + r.LastOffset + " forwarded " + r.Purposes[Positioning].Forwarded + " withdrawn " + r.Purposes[Positioning].WithheldWithdrawn + " at " + r.CommittedAt)));
                }
            }

            // Outputs: the audit's forwarded counts are the records written (repeats on both sides), every positioning
            // record is an allowed event's, under its subject's pseudonym, none of a withdrawn event after the boundary.
            var byTime = events.ToDictionary(e => e.EventTime);
            Dictionary<string, PurposeCounts> totals = AuditLedger.Totals(entries);
            var written = new Dictionary<string, List<PurposeRecord>>(StringComparer.Ordinal);
            foreach ((string purpose, string topic, string schema) in new[]
            {
                (Positioning, topics.Positioning, "PositioningRecord"),
                (Personalization, topics.Personalization, "PersonalizationRecord"),
            })
            {
                using var tail = TopicTail<PurposeRecord>.Start(bootstrapServers, topic, r => OutputDecoder.Purpose(r, schema));
                written[purpose] = [.. (await tail.ReadToEndAsync(Wait)).Select(r => r.Value)];
                Assert.Equal(totals[purpose].Forwarded, written[purpose].Count);
            }

            // Analytics comes from the instances' release stages, which share the density count in Redis: they decide
            // every held record (at least once across rebalances), and each record read is in a committed decision.
            long held = totals[Analytics].Held;
            await audit.WaitForAsync(e => AuditLedger.ReleaseInputs(e) >= held, Wait, e => "the release stages decided " + AuditLedger.ReleaseInputs(e) + " of " + held);
            using (var tail = TopicTail<PurposeRecord>.Start(bootstrapServers, topics.Analytics, r => OutputDecoder.Purpose(r, "AnalyticsRecord")))
            {
                written[Analytics] = [.. (await tail.ReadToEndAsync(Wait)).Select(r => r.Value)];
            }

            List<AuditEntry> releaseAfter = [.. audit.Snapshot().Select(r => r.Value).Where(e => e.IsRelease)];
            Assert.True(written[Analytics].Count <= AuditLedger.ReleaseTotals(releaseAfter).GetValueOrDefault(Analytics).Forwarded,
                written[Analytics].Count + " analytics records, more than the release stages' audit forwarded");
            Assert.All(written[Analytics], r => Assert.Equal("segment", r.KeyId));

            var positioningPerEvent = new Dictionary<long, int>();
            foreach (PurposeRecord record in written[Positioning])
            {
                Assert.True(byTime.TryGetValue(record.EventTime!.Value, out SentEvent? e), "A positioning record of no event sent");
                TestSubject subject = e.Subject!;
                Assert.True(subject.Grants.Contains(Positioning) && !subject.Minor, "A positioning record of " + subject);
                Assert.True(record.Key == oracle.Stable(Positioning, subject) && record.Subject == record.Key, "A positioning record of " + subject + " not under its pseudonym");
                Assert.False(withdrawing.Contains(subject) && e.Offset >= boundary[(e.Topic, e.Partition)],
                    "Positioning record of " + subject + " at offset " + e.Offset + ", past the boundary " + boundary[(e.Topic, e.Partition)]);
                positioningPerEvent[e.EventTime] = positioningPerEvent.GetValueOrDefault(e.EventTime) + 1;
            }

            foreach (SentEvent e in events.Where(e => e.Subject!.Grants.Contains(Positioning) && !e.Subject.Minor && !withdrawing.Contains(e.Subject)))
            {
                int records = positioningPerEvent.GetValueOrDefault(e.EventTime);
                Assert.True(records >= 1 && records <= coverage[(e.Topic, e.Partition)][e.Offset],
                    e.Subject + "'s event at " + Where(e.Topic, e.Partition) + " offset " + e.Offset + " has " + records + " positioning records");
            }

            var personalizationAllowed = subjects.Where(s => s.Grants.Contains(Personalization) && !s.Minor).Select(s => oracle.Stable(Personalization, s)).ToHashSet();
            Assert.All(written[Personalization], r => Assert.Contains(r.Key, personalizationAllowed));
            var minorAnalytics = subjects.Where(s => s.Minor).SelectMany(s => events.Select(e => oracle.Daily(Analytics, s, e.EventTime)).Distinct()).ToHashSet();
            Assert.DoesNotContain(written[Analytics], r => minorAnalytics.Contains(r.Key));

            // (4) No raw identifier in any output or log line.
            RawIdentifierScanner scanner = fleet.Scanner();
            int scanned = await scanner.AssertTopicsCleanAsync(bootstrapServers, topics.Outputs);
            scanner.AssertClean(logs.Lines, "the minimizers' logs");

            output.WriteLine($"{events.Count} events of {subjects.Count} subjects on 2 x {Partitions} partitions; {entries.Count} audit records; inputs per instance "
                + string.Join(", ", inputsByInstance.OrderBy(i => i.Key).Select(i => i.Key + " " + i.Value)));
            output.WriteLine("owners with two: " + Owners(twoOwners) + "; with three: " + Owners(threeOwners) + "; after the stop: " + Owners(afterStopOwners));
            output.WriteLine($"third instance settled {Ms(thirdStarting, thirdSettled)} ms after its start; withdrawal enforced by all three {Ms(published, enforced)} ms after publishing; "
                + $"stopped instance's partitions taken over {Ms(stopping, takenOver)} ms after the stop began; all audited {Ms(started, completed)} ms after the first start");
            output.WriteLine($"{repeatedBatches.Count} batches repeated ({repeatedOffsets} offsets audited again) after {refused.Count} refused offset commits ("
                + string.Join(", ", refused.Select(l => l.Split(" | Code=")[1].Split(" |")[0]).Distinct()) + "); scanned " + scanned + " output records");
        }
        finally
        {
            await stopProducing.CancelAsync();
            await producing;
            foreach (InProcessMinimizer m in running)
            {
                await m.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_rebalance_while_the_consent_store_is_down_leaves_no_partition_paused()
    {
        using RedisServerProcess server = await redis.StartDedicatedAsync();
        using MockKafkaCluster cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        string bootstrapServers = cluster.BootstrapServers;
        PipelineTopics topics = await PipelineTopics.CreateAsync(cluster, "scale-paused", rawPartitions: 4);
        var fleet = new TestFleet(seed: 607);
        for (int p = 0; p < 4; p++)
        {
            fleet.Vehicle("vehicle " + p, withDriver: false, Positioning).Partition = p;
        }

        // Vehicles first seen during the outage: the cache cannot decide their events, only the store can.
        List<TestSubject> early = [.. fleet.All];
        for (int p = 0; p < 4; p++)
        {
            fleet.Vehicle("late vehicle " + p, withDriver: false, Positioning).Partition = p;
        }

        var deployment = new SharedDeployment("scale-paused");
        deployment.KafkaProperties["heartbeat.interval.ms"] = "250";
        deployment.KafkaProperties["session.timeout.ms"] = "3000";
        var logs = new LogRecorder();
        using var audit = TopicTail<AuditEntry>.Start(bootstrapServers, topics.Audit, OutputDecoder.Audit);
        using var producer = new RawProducer(bootstrapServers);
        var sent = new List<SentEvent>();
        long eventTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
        async Task SendRoundsAsync(IReadOnlyList<TestSubject> subjects, int rounds) =>
            sent.AddRange(await producer.SendEventsAsync(topics, Enumerable.Range(0, rounds).SelectMany(_ => subjects.Select(s => (s, eventTime++)))));

        await using InProcessMinimizer first = await InProcessMinimizer.StartAsync(bootstrapServers, server.Configuration, topics, logs, "paused-a", deployment: deployment);
        await SendRoundsAsync(early, 5);
        await audit.WaitForAsync(e => AuditLedger.Inputs(e) >= sent.Count, Wait, e => "audited " + AuditLedger.Inputs(e) + " of " + sent.Count, first.ThrowIfStopped);

        // The store goes down: the first instance holds its batch and pauses its partitions between retries.
        server.Stop();
        await SendRoundsAsync(fleet.All, 5);
        await Eventually.UntilAsync(() => first.Engine.Stats.Paused, Wait, () => "the engine did not pause", first.ThrowIfStopped);

        // A second instance joins meanwhile: the rebalance revokes the paused partitions and gives the first
        // instance some of them back. librdkafka keeps a partition's pause across a reassignment.
        await using InProcessMinimizer second = await InProcessMinimizer.StartAsync(bootstrapServers, server.Configuration, topics, logs, "paused-b", deployment: deployment);
        await SettledAsync([first, second], () =>
        {
            first.ThrowIfStopped();
            second.ThrowIfStopped();
        }, partitions: 8);

        // The store is back: every input is processed, by both instances, none is held by a partition left paused.
        await server.StartAsync();
        await SendRoundsAsync(fleet.All, 5);
        var ends = sent.GroupBy(e => (e.Topic, e.Partition)).ToDictionary(g => g.Key, g => g.Max(e => e.Offset) + 1);
        List<AuditEntry> entries = await audit.WaitForAsync(e => AuditLedger.CoversAll(e, ends), Wait,
            e => "audited " + AuditLedger.Inputs(e) + " of " + sent.Count + " inputs; " + Gaps(e, ends), () =>
            {
                first.ThrowIfStopped();
                second.ThrowIfStopped();
            });
        AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
        Assert.Contains(entries, e => e.InstanceId == second.Options.InstanceId);
        Assert.False(first.Engine.Stats.Paused || second.Engine.Stats.Paused, "An engine still reports itself paused.");
        RawIdentifierScanner scanner = fleet.Scanner();
        await scanner.AssertTopicsCleanAsync(bootstrapServers, topics.Outputs);
        scanner.AssertClean(logs.Lines, "the minimizers' logs");
        output.WriteLine($"{sent.Count} events, {entries.Count} audit records; inputs per instance "
            + string.Join(", ", entries.GroupBy(e => e.InstanceId).OrderBy(g => g.Key).Select(g => g.Key + " " + g.Sum(e => e.Inputs))));
    }

    /// <summary>
    /// Waits until the members' assignments are settled: every member owns partitions, no partition twice, all
    /// <paramref name="partitions"/> raw partitions owned. Read one member after another, a snapshot taken during a rebalance may be inconsistent; a settled
    /// group gives the same answer on every read.
    /// </summary>
    private static async Task<IReadOnlyDictionary<string, HashSet<(string, int)>>> SettledAsync(List<InProcessMinimizer> members, Action check, int partitions = 2 * Partitions)
    {
        Dictionary<string, HashSet<(string, int)>> owners = [];
        await Eventually.UntilAsync(() =>
        {
            owners = members.ToDictionary(m => m.Options.InstanceId, m => m.Engine.Assignment.Select(tp => (tp.Topic, tp.Partition.Value)).ToHashSet());
            return owners.Values.All(o => o.Count > 0) && owners.Values.Sum(o => o.Count) == partitions && owners.Values.SelectMany(o => o).Distinct().Count() == partitions;
        }, Wait, () => "assignments " + Owners(owners), check);
        return owners;
    }

    private static Dictionary<(string Topic, int Partition), long> Ends(ConcurrentQueue<SentEvent> sent, long extra) =>
        sent.GroupBy(e => (e.Topic, e.Partition)).ToDictionary(g => g.Key, g => g.Max(e => e.Offset) + 1 + extra);

    /// <summary>The first offset no audit record covers, of each partition that has one.</summary>
    private static string Gaps(List<AuditEntry> entries, IReadOnlyDictionary<(string Topic, int Partition), long> ends)
    {
        var gaps = new List<string>();
        foreach (((string topic, int partition), long end) in ends.OrderBy(e => e.Key.Topic).ThenBy(e => e.Key.Partition))
        {
            var records = entries.Where(e => e.SourceTopic == topic && e.Partition == partition).ToList();
            long gap = Enumerable.Range(0, (int)end).FirstOrDefault(o => !records.Exists(e => e.Covers(topic, partition, o)), -1);
            if (gap >= 0)
            {
                AuditEntry? before = records.Where(e => e.LastOffset < gap).MaxBy(e => e.LastOffset);
                AuditEntry? after = records.Where(e => e.FirstOffset > gap).MinBy(e => e.FirstOffset);
                gaps.Add(Where(topic, partition) + " from " + gap + " (after " + before?.InstanceId + " " + before?.FirstOffset + ".." + before?.LastOffset
                    + ", before " + after?.InstanceId + " " + after?.FirstOffset + ".." + after?.LastOffset + ")");
            }
        }

        return gaps.Count == 0 ? "no gap" : "gaps: " + string.Join("; ", gaps);
    }

    private static Outcome Expected(TestSubject subject, string purpose) => PolicyPurposes.Expected(subject, purpose);

    private static long Bucket(PurposeCounts counts, Outcome outcome) => outcome switch
    {
        Outcome.Forwarded => counts.Forwarded,
        Outcome.WithheldNoConsent => counts.WithheldNoConsent,
        Outcome.WithheldWithdrawn => counts.WithheldWithdrawn,
        Outcome.WithheldMinor => counts.WithheldMinor,
        Outcome.HeldForRelease => counts.Held,
        _ => counts.WithheldNotApplicable,
    };

    private static string Where(string topic, int partition) => (topic.Contains(".telematics.", StringComparison.Ordinal) ? "telematics" : "wifi") + "[" + partition + "]";

    private static string Owners(IReadOnlyDictionary<string, HashSet<(string Topic, int Partition)>> owners) =>
        string.Join("; ", owners.OrderBy(o => o.Key).Select(o => o.Key + ": " + string.Join(",", o.Value.OrderBy(tp => tp.Topic).ThenBy(tp => tp.Partition).Select(tp => Where(tp.Topic, tp.Partition)))));

    private static string Ms(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture);
}
