using Sieve.Core.Privacy;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Embedded;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Sieve.Testing.Privacy;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// Redis, the consent store, is a view of <c>consent.changes.v1</c>. When it loses data (a restart without
/// persistence, or a restart or failover onto a copy that missed the last writes), the loader notices, re-applies
/// the topic, and the minimizer holds the purposes that need consent meanwhile: nothing is withheld for lack of a
/// grant that was lost, and nothing is forwarded on a grant whose withdrawal was lost.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ConsentViewLossTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const int Vehicles = 20;
    private const int Withdrawing = 5;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);
    private static readonly string Positioning = KnownPurposes.Positioning;

    [Fact]
    public async Task After_Redis_restarts_empty_every_consenting_vehicle_is_positioned_again_and_none_is_withheld()
    {
        await using Scenario scenario = await Scenario.StartAsync(kafka, redis, "view-empty");
        await scenario.GrantAllAsync();
        List<SentEvent> before = await scenario.RoundAsync();
        Assert.Equal(Vehicles, await scenario.PositionedAsync(before));

        // Redis restarts without its data; the next events are produced as soon as the minimizer has reconnected
        // and dropped its near-cache, before anything is rebuilt.
        await scenario.RestartRedisAsync();
        List<SentEvent> after = await scenario.RoundAsync();

        int positioned = await scenario.PositionedAsync(after);
        output.WriteLine($"after the restart: {positioned} of {Vehicles} positioned; view losses {scenario.Minimizer.Loader.ViewLosses}, "
            + $"engine retries {scenario.Minimizer.Engine.Stats.Retries}");
        Assert.Equal(Vehicles, positioned);
        Assert.True(scenario.Minimizer.Loader.ViewLosses >= 1, "the loader did not notice the lost consent");
        Assert.Equal(0, scenario.WithheldNoConsent());
        await scenario.AssertCleanAsync();
    }

    [Fact]
    public async Task A_withdrawal_lost_by_a_Redis_restarted_from_an_older_snapshot_never_re_enables_forwarding()
    {
        await using Scenario scenario = await Scenario.StartAsync(kafka, redis, "view-snapshot");
        await scenario.GrantAllAsync();
        Assert.Equal(Vehicles, await scenario.PositionedAsync(await scenario.RoundAsync()));

        // A snapshot of the store with every grant, then withdrawals the snapshot misses.
        await scenario.SaveSnapshotAsync();
        TestSubject[] withdrawn = scenario.Fleet[..Withdrawing];
        await scenario.WithdrawAsync(withdrawn);
        List<SentEvent> afterWithdrawal = await scenario.RoundAsync();
        Assert.Equal(Vehicles - Withdrawing, await scenario.PositionedAsync(afterWithdrawal));

        // The server dies and comes back from the snapshot: it holds the grants, not the withdrawals, as a replica
        // that missed the last writes would after a failover. Events are produced as soon as the minimizer has
        // reconnected and dropped its near-cache.
        await scenario.RestartRedisAsync();
        List<SentEvent> afterLoss = await scenario.RoundAsync();

        HashSet<long> forwarded = await scenario.ForwardedTimesAsync(afterLoss);
        int withdrawnForwarded = afterLoss.Count(e => withdrawn.Contains(e.Subject) && forwarded.Contains(e.EventTime));
        int othersForwarded = afterLoss.Count(e => !withdrawn.Contains(e.Subject) && forwarded.Contains(e.EventTime));
        output.WriteLine($"after the snapshot restart: withdrawn vehicles forwarded {withdrawnForwarded} of {Withdrawing}, others {othersForwarded} of {Vehicles - Withdrawing}; "
            + $"view losses {scenario.Minimizer.Loader.ViewLosses}");
        Assert.Equal(0, withdrawnForwarded);
        Assert.Equal(Vehicles - Withdrawing, othersForwarded);
        Assert.True(scenario.Minimizer.Loader.ViewLosses >= 1, "the loader did not notice the lost withdrawals");
        await scenario.AssertCleanAsync();
    }

    /// <summary>A dedicated Redis, a minimizer over it, and 20 vehicles on one raw partition.</summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private readonly RawProducer _producer;
        private readonly TopicTail<AuditEntry> _audit;
        private readonly TopicTail<PurposeRecord> _positioning;
        private readonly TestFleet _fleet;
        private readonly LogRecorder _logs;
        private readonly PipelineTopics _topics;
        private readonly string _bootstrap;
        private readonly long _grantTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
        private long _eventTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 600_000;
        private int _changes;
        private int _sent;

        private Scenario(string bootstrap, RedisServerProcess server, PipelineTopics topics, InProcessMinimizer minimizer, LogRecorder logs, TestFleet fleet, TestSubject[] vehicles)
        {
            _bootstrap = bootstrap;
            Server = server;
            _topics = topics;
            Minimizer = minimizer;
            _logs = logs;
            _fleet = fleet;
            Fleet = vehicles;
            _producer = new RawProducer(bootstrap);
            _audit = TopicTail<AuditEntry>.Start(bootstrap, topics.Audit, OutputDecoder.Audit);
            _positioning = TopicTail<PurposeRecord>.Start(bootstrap, topics.Positioning, r => OutputDecoder.Purpose(r, "PositioningRecord"));
        }

        public RedisServerProcess Server { get; }

        public InProcessMinimizer Minimizer { get; }

        public TestSubject[] Fleet { get; }

        public static async Task<Scenario> StartAsync(KafkaFixture kafka, RedisFixture redis, string name)
        {
            RedisServerProcess server = await redis.StartDedicatedAsync();
            PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, name, rawPartitions: 1);
            var fleet = new TestFleet(seed: 2020);
            TestSubject[] vehicles = [.. Enumerable.Range(0, Vehicles).Select(i => fleet.Vehicle("vehicle " + i, withDriver: false, Positioning))];
            var logs = new LogRecorder();
            InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, server.Configuration, topics, logs, name);
            return new Scenario(kafka.BootstrapServers, server, topics, minimizer, logs, fleet, vehicles);
        }

        public async Task GrantAllAsync()
        {
            var grants = Fleet.SelectMany(s => s.InitialChanges(_grantTime)).ToList();
            await SendConsentAsync(grants);
        }

        public async Task WithdrawAsync(IEnumerable<TestSubject> subjects) =>
            await SendConsentAsync([.. subjects.Select(s => s.Change(Positioning, granted: false, _grantTime + 60_000))]);

        /// <summary>One event per vehicle, all audited before this returns.</summary>
        public async Task<List<SentEvent>> RoundAsync()
        {
            List<SentEvent> sent = await _producer.SendEventsAsync(_topics, Fleet.Select(s => (s, _eventTime++)));
            _sent += sent.Count;
            await _audit.WaitForAsync(e => AuditLedger.Inputs(e) >= _sent, Wait,
                e => "audited " + AuditLedger.Inputs(e) + " of " + _sent + " inputs", Minimizer.ThrowIfStopped);
            return sent;
        }

        public async Task<HashSet<long>> ForwardedTimesAsync(IEnumerable<SentEvent> events)
        {
            var times = events.Select(e => e.EventTime).ToHashSet();
            return [.. (await _positioning.ReadToEndAsync(Wait)).Select(r => r.Value.EventTime!.Value).Where(times.Contains)];
        }

        public async Task<int> PositionedAsync(IEnumerable<SentEvent> events) => (await ForwardedTimesAsync(events)).Count;

        public long WithheldNoConsent() =>
            AuditLedger.Totals(_audit.ReadToEndAsync(Wait).GetAwaiter().GetResult().Select(r => r.Value))[Positioning].WithheldNoConsent;

        /// <summary>Kills the server, starts it again on the same port, and waits until the minimizer's near-cache was reset by the reconnect.</summary>
        public async Task RestartRedisAsync()
        {
            long resets = Minimizer.Cache.Resets;
            Server.Stop();
            await Server.StartAsync();
            await Eventually.UntilAsync(() => Minimizer.Cache.Resets > resets, Wait, () => "the near-cache was not reset after the restart");
        }

        /// <summary>Writes the server's data to its snapshot file, which the next start loads.</summary>
        public async Task SaveSnapshotAsync()
        {
            await using ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(Server.Configuration + ",allowAdmin=true");
            Assert.Equal("OK", (string?)await connection.GetDatabase().ExecuteAsync("SAVE"));
        }

        public async Task AssertCleanAsync()
        {
            List<AuditEntry> entries = [.. (await _audit.ReadToEndAsync(Wait)).Select(r => r.Value)];
            Assert.Equal(_sent, AuditLedger.Inputs(entries));
            AuditLedger.AssertBalanced(entries, PolicyPurposes.All);
            RawIdentifierScanner scanner = _fleet.Scanner();
            await scanner.AssertTopicsCleanAsync(_bootstrap, _topics.Outputs);
            scanner.AssertClean(_logs.Lines, "the minimizer's log");
        }

        public async ValueTask DisposeAsync()
        {
            _producer.Dispose();
            _audit.Dispose();
            _positioning.Dispose();
            await Minimizer.DisposeAsync();
        }

        private async Task SendConsentAsync(List<ConsentChangeData> changes)
        {
            await _producer.SendConsentAsync(_topics.ConsentChanges, changes);
            _changes += changes.Count;
            await Eventually.UntilAsync(() => Minimizer.Loader.Stored >= _changes, Wait, () => "consent loader stored " + Minimizer.Loader.Stored + " of " + _changes);
        }
    }
}
