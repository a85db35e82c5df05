using System.Diagnostics;
using Sieve.Contracts.Purposes;
using Sieve.Core.Pipeline;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Harness;
using Sieve.Testing.Logging;
using Xunit.Abstractions;

namespace Sieve.IntegrationTests.EndToEnd;

/// <summary>
/// The privacy policy lets customers unsubscribe from marketing and promises it takes effect within "a few days";
/// Sieve promises under a second. Measured end to end over 100 visitors: from publishing the withdrawal to
/// <c>consent.changes.v1</c> to the commit of the first of the subject's events withheld from marketing, with the
/// part of it until the Minimizer's near-cache dropped the subject's record.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MarketingOptOutTests(KafkaFixture kafka, RedisFixture redis, ITestOutputHelper output)
{
    private const int Subjects = 100;

    // Raw partitions: one subject at a time per partition, so a partition's tallies count only that subject's events.
    private const int Lanes = 4;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_unsubscribe_withholds_the_next_marketing_record_and_the_time_to_it_is_measured_over_100_subjects()
    {
        PipelineTopics topics = await PipelineTopics.CreateAsync(kafka, "optout", rawPartitions: Lanes);
        var fleet = new TestFleet(seed: 1313);
        var subjects = new List<TestSubject>();
        for (int i = 0; i < Subjects; i++)
        {
            TestSubject visitor = fleet.PhoneVisitor("visitor " + i, KnownPurposes.Marketing, KnownPurposes.Personalization);
            visitor.Partition = i % Lanes;
            subjects.Add(visitor);
        }

        var logs = new LogRecorder();
        await using InProcessMinimizer minimizer = await InProcessMinimizer.StartAsync(kafka.BootstrapServers, redis.Configuration, topics, logs, "optout");
        using var producer = new RawProducer(kafka.BootstrapServers);
        int marketing = minimizer.Core.Plans.ToList().FindIndex(p => p.Name == KnownPurposes.Marketing);
        int personalization = minimizer.Core.Plans.ToList().FindIndex(p => p.Name == KnownPurposes.Personalization);
        var lanes = new Lane[Lanes];
        for (int i = 0; i < Lanes; i++)
        {
            lanes[i] = new Lane();
        }

        // When the minimizer's cache learns of each unsubscribe: the part of the time spent before the engine decides.
        var oracle = new PseudonymOracle(minimizer.Keys);
        var laneOfKey = new Dictionary<string, Lane>(StringComparer.Ordinal);
        for (int i = 0; i < Subjects; i++)
        {
            laneOfKey[oracle.ConsentKey(subjects[i])] = lanes[i % Lanes];
        }

        minimizer.Store.Invalidated += key =>
        {
            if (laneOfKey.TryGetValue(key, out Lane? lane) && lane.Withdrawn && lane.Subject == key)
            {
                lane.Invalidated.TrySetResult(Stopwatch.GetTimestamp());
            }
        };

        minimizer.Engine.BatchCommitted += tallies =>
        {
            long committed = Stopwatch.GetTimestamp();
            foreach (PartitionTally t in tallies)
            {
                if (t.Topic != topics.WifiRaw)
                {
                    continue;
                }

                Lane lane = lanes[t.Partition];
                if (t.Count(marketing, Outcome.Forwarded) > 0)
                {
                    lane.Forwarded.TrySetResult(committed);
                }

                // Only a batch committed after the unsubscribe was published: the batch that showed this subject's own
                // forwarded records may still carry the previous subject's withheld ones, and every later batch holds
                // this subject's events only.
                if (lane.Withdrawn && committed > Volatile.Read(ref lane.PublishedAt) && t.Count(marketing, Outcome.WithheldWithdrawn) > 0)
                {
                    lane.Withheld.TrySetResult(committed);
                }

                lane.PersonalizationAfterWithdrawal += t.Count(personalization, Outcome.Forwarded) > 0 && lane.Withdrawn ? 1 : 0;
            }
        };

        long grantedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3_600_000;
        var grants = subjects.SelectMany(s => s.InitialChanges(grantedAt)).ToList();
        await producer.SendConsentAsync(topics.ConsentChanges, grants);
        await Eventually.UntilAsync(() => minimizer.Loader.Stored == grants.Count, Wait,
            () => "consent loader stored " + minimizer.Loader.Stored + " of " + grants.Count, minimizer.ThrowIfStopped);

        var latencies = new double[Subjects];
        var invalidations = new double[Subjects];
        await Task.WhenAll(Enumerable.Range(0, Lanes).Select(lane => Task.Run(async () =>
        {
            for (int i = lane; i < Subjects; i += Lanes)
            {
                (latencies[i], invalidations[i]) = await OptOutAsync(producer, topics, minimizer, lanes[lane], subjects[i], oracle.ConsentKey(subjects[i]));
            }
        })));

        string slowest = string.Join(", ", latencies.Select((ms, i) => (ms, i)).OrderByDescending(x => x.ms).Take(5)
            .Select(x => $"subject {x.i}: {x.ms:F0} ms (cache invalidated at {invalidations[x.i]:F0} ms)"));
        double[] acks = [.. lanes.SelectMany(l => l.Acks).Order()];
        output.WriteLine($"publish to the broker's acknowledgement: p50 {Percentile(acks, 0.5):F0} ms, max {acks[^1]:F0} ms");
        double[] written = [.. lanes.SelectMany(l => l.Written).Order()];
        output.WriteLine($"publish to the withdrawal in Redis: p50 {Percentile(written, 0.5):F0} ms, p99 {Percentile(written, 0.99):F0} ms, max {written[^1]:F0} ms");
        Array.Sort(latencies);
        double p50 = Percentile(latencies, 0.50);
        double p99 = Percentile(latencies, 0.99);
        output.WriteLine($"marketing opt-out, publish to first withheld record committed, {Subjects} subjects: p50 {p50:F0} ms, p99 {p99:F0} ms, max {latencies[^1]:F0} ms; slowest {slowest}");

        // Every unsubscribe was enforced, and it touched marketing only: personalization kept flowing. The time it took
        // is measured and reported, not asserted (a shared CI machine can stall any process for a while); the README
        // quotes the figures of recorded runs.
        Assert.All(latencies, ms => Assert.True(ms > 0));
        Assert.All(lanes, l => Assert.True(l.PersonalizationAfterWithdrawal > 0, "personalization stopped with marketing"));
    }

    private async Task<(double Withheld, double Invalidated)> OptOutAsync(RawProducer producer, PipelineTopics topics, InProcessMinimizer minimizer, Lane lane,
        TestSubject subject, string consentKey)
    {
        lane.Reset(consentKey);
        using var stop = new CancellationTokenSource();
        Task sending = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await producer.SendEventAsync(topics, subject, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                await Task.Delay(2);
            }
        });

        try
        {
            // The subject's marketing records flow (its grant is in effect and cached) before it unsubscribes.
            await lane.Forwarded.Task.WaitAsync(Wait);
            long published = Stopwatch.GetTimestamp();
            Volatile.Write(ref lane.PublishedAt, published);
            lane.Withdrawn = true;
            await producer.SendConsentAsync(topics.ConsentChanges, [subject.Change(KnownPurposes.Marketing, granted: false, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())]);
            lane.Acknowledged = Stopwatch.GetElapsedTime(published).TotalMilliseconds;
            long written = 0;
            var polling = Stopwatch.StartNew();
            while (written == 0)
            {
                Assert.True(polling.Elapsed < Wait, "the withdrawal was not in the consent store within " + Wait.TotalSeconds + " s");
                Sieve.Core.Consent.ConsentRecord record;
                try
                {
                    record = await minimizer.Store.GetAsync(consentKey);
                }
                catch (Sieve.Core.Consent.ConsentUnavailableException)
                {
                    // The store's 1 s operation timeout, on a machine shared with other load: the minimizer beside
                    // this poll fails closed and retries; so does the poll (the write time then includes the wait).
                    continue;
                }

                if (record.GetPurpose(KnownPurposes.IndexOf(KnownPurposes.Marketing)).State == Sieve.Core.Consent.ConsentState.Withdrawn)
                {
                    written = Stopwatch.GetTimestamp();
                }
                else
                {
                    // A millisecond between polls: the store is the minimizer's too, and a tight loop starves it.
                    await Task.Delay(1);
                }
            }

            lane.Written.Add(Stopwatch.GetElapsedTime(published, written).TotalMilliseconds);
            long withheld = await lane.Withheld.Task.WaitAsync(Wait).ConfigureAwait(false);
            long invalidated = await lane.Invalidated.Task.WaitAsync(Wait).ConfigureAwait(false);
            minimizer.ThrowIfStopped();
            lane.Acks.Add(lane.Acknowledged);
            return (Stopwatch.GetElapsedTime(published, withheld).TotalMilliseconds, Stopwatch.GetElapsedTime(published, invalidated).TotalMilliseconds);
        }
        finally
        {
            await stop.CancelAsync();
            await sending;
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>One raw partition's observations for the subject using it now.</summary>
    private sealed class Lane
    {
        public TaskCompletionSource<long> Forwarded { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<long> Withheld { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<long> Invalidated { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The consent key of the subject using the lane now.</summary>
        public volatile string? Subject;

        public volatile bool Withdrawn;

        /// <summary>When the unsubscribe was published (a <see cref="Stopwatch"/> timestamp).</summary>
        public long PublishedAt = long.MaxValue;

        /// <summary>Milliseconds from publishing the unsubscribe to the broker's acknowledgement.</summary>
        public double Acknowledged;

        public int PersonalizationAfterWithdrawal;

        public List<double> Acks { get; } = [];

        public List<double> Written { get; } = [];

        public void Reset(string subject)
        {
            Withdrawn = false;
            Volatile.Write(ref PublishedAt, long.MaxValue);
            Subject = subject;
            Forwarded = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Withheld = new(TaskCreationOptions.RunContinuationsAsynchronously);
            Invalidated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
