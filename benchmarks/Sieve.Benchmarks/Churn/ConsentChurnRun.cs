using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Sieve.Benchmarks.Workload;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Core.Consent;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Benchmarks.Churn;

/// <summary>
/// Consent under churn, end to end through the real path: a local redis-server holding a large population's
/// consent; a writer connection applying changes at a steady rate (<see cref="RedisConsentStore.ApplyAsync"/>: the
/// compare-and-set and its invalidation publish); and, on its own thread, a minimizer (<see cref="MinimizerCore"/>
/// over a <see cref="ConsentCache"/> over its own <see cref="RedisConsentStore"/> subscription) processing events.
/// Runs for a fixed time and prints one table: near-cache hit rate, events per second, and the time from a change
/// being written to the first look-up that decides by it.
/// </summary>
/// <remarks>
/// This is a run, not a BenchmarkDotNet benchmark: what it measures is a system of three concurrent parties over a
/// fixed window (a rate, a hit ratio and a latency distribution), not the mean time of one repeatable operation, and
/// repeating the whole window for BenchmarkDotNet's statistics would only multiply minutes of set-up.
/// </remarks>
internal static class ConsentChurnRun
{
    /// <summary>Runs with the options parsed from <paramref name="args"/>, prints the table; returns the exit code.</summary>
    public static int Run(IReadOnlyList<string> args)
    {
        ChurnOptions options;
        try
        {
            options = ChurnOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        if (!Optimized())
        {
            Console.Error.WriteLine("Run in Release: dotnet run -c Release --project benchmarks/Sieve.Benchmarks -- churn");
            return 2;
        }

        RunAsync(options).GetAwaiter().GetResult();
        return 0;
    }

    private static async Task RunAsync(ChurnOptions options)
    {
        string loadBefore = LoadAverage();
        var setup = Stopwatch.StartNew();
        Log($"Building {options.Subjects:N0} vehicles and one event each");
        SyntheticPopulation population = SyntheticPopulation.Create(options.Subjects, 0, options.Subjects, 0);
        byte[][] stream = population.TelematicsMessages;
        byte[][] subjectEvents = EventPerSubject(population);
        var keys = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        List<string> consentKeys = PopulationConsent.ConsentKeys(population, keys);
        ConsentState[] personalization = population.Vehicles.Select(v => v.Consent switch
        {
            ConsentMix.All => ConsentState.Granted,
            ConsentMix.WithdrewPersonalization => ConsentState.Withdrawn,
            _ => ConsentState.None,
        }).ToArray();

        await using LocalRedisConsent redis = await LocalRedisConsent.StartAsync();
        Log("Writing the population's consent to redis-server through RedisConsentStore");
        int written = await redis.SeedAsync(PopulationConsent.AllUpdates(population, consentKeys));
        Log($"{written:N0} decisions written");

        await using RedisConsentStore minimizerStore = await redis.ConnectAsync();
        using var cache = new ConsentCache(minimizerStore, new ConsentCacheOptions { Capacity = options.CacheCapacity });
        using var core = new MinimizerCore(PolicyLoader.LoadDefault(), keys, cache, subjectCacheCapacity: 2 * options.Subjects);
        await WaitForHeartbeatAsync(minimizerStore);

        var pending = new int[options.Subjects];
        var acknowledged = new ConcurrentQueue<PendingChange>();
        var loop = new ChurnMinimizerLoop(core, cache, stream, subjectEvents, pending, acknowledged);
        Log("Warm-up: every event once (subject cache and near-cache filled)");
        loop.ProcessStreamOnce();
        long failedInWarmUp = loop.FailedFetches;
        setup.Stop();

        var changer = new ConsentChanger(redis.Writer, consentKeys, personalization, pending, acknowledged);
        using var stop = new ManualResetEventSlim();
        long hits = cache.Hits, misses = cache.Misses, stale = cache.StaleMisses, fetches = cache.Fetches, fetchedKeys = cache.FetchedKeys;
        long invalidations = cache.Invalidations, dropped = cache.DroppedFetches, resets = cache.Resets, evictions = cache.Evictions;
        Log($"Measuring for {options.Duration.TotalSeconds:0} s: {options.ChangesPerSecond:N0} changes/s while the minimizer processes events");
        var minimizerThread = new Thread(() => loop.Run(stop)) { Name = "churn-minimizer", IsBackground = true };
        var changerThread = new Thread(() => changer.Run(options.ChangesPerSecond, stop)) { Name = "churn-changer", IsBackground = true };
        var window = Stopwatch.StartNew();
        minimizerThread.Start();
        changerThread.Start();
        stop.Wait(options.Duration);
        stop.Set();
        minimizerThread.Join();
        changerThread.Join();
        window.Stop();
        string loadAfter = LoadAverage();

        double seconds = window.Elapsed.TotalSeconds;
        long lookups = cache.Hits - hits + (cache.Misses - misses);
        List<long> enforced = loop.EnforcementLatencies;
        List<long> acked = changer.AckLatencies;
        Console.WriteLine();
        Console.WriteLine($"Consent churn: {options.Subjects:N0} subjects, {seconds:0.0} s measured after {setup.Elapsed.TotalSeconds:0} s of set-up");
        Console.WriteLine();
        Console.WriteLine("| Measure | Value |");
        Console.WriteLine("| --- | ---: |");
        Row("Consent changes written (RedisConsentStore.ApplyAsync)", $"{changer.Issued:N0} ({changer.Issued / seconds:N0}/s; target {options.ChangesPerSecond:N0}/s)");
        Row("Changes skipped (writes in flight at the cap) / failed", $"{changer.Skipped:N0} / {changer.Failed:N0}");
        Row("Events processed by MinimizerCore (one thread)", $"{loop.Events:N0} ({loop.Events / seconds:N0}/s)");
        Row("Plus events of changed subjects, watched for enforcement", $"{loop.WatchEvents:N0} ({loop.WatchEvents / seconds:N0}/s)");
        Row("Near-cache look-ups / hit rate", $"{lookups:N0} / {100.0 * (cache.Hits - hits) / Math.Max(1, lookups):0.000} %");
        Row("Near-cache misses: invalidated or absent / stale (heartbeat late)", $"{cache.Misses - misses - (cache.StaleMisses - stale):N0} / {cache.StaleMisses - stale:N0}");
        Row("Fetches (round trips) / keys fetched", $"{cache.Fetches - fetches:N0} / {cache.FetchedKeys - fetchedKeys:N0}");
        Row("Fetches that timed out (failed closed; the events were retried)", $"{loop.FailedFetches - failedInWarmUp:N0}");
        Row("Invalidations received / fetches dropped as superseded / resets / evictions",
            $"{cache.Invalidations - invalidations:N0} / {cache.DroppedFetches - dropped:N0} / {cache.Resets - resets:N0} / {cache.Evictions - evictions:N0}");
        Row("Write issued → acknowledged, p50 / p99 / max", Percentiles(acked));
        Row("Write issued → enforced (first look-up that sees it), p50 / p99 / max", Percentiles(enforced));
        Row("Changes acknowledged but not seen enforced when the run stopped", $"{loop.Unenforced:N0}");
        Row("Load average (1, 5, 15 min) before / after", $"{loadBefore} / {loadAfter}");
        Console.WriteLine();
    }

    private static void Row(string measure, string value) => Console.WriteLine($"| {measure} | {value} |");

    private static string Percentiles(List<long> ticks)
    {
        if (ticks.Count == 0)
        {
            return "none";
        }

        ticks.Sort();
        return $"{Ms(ticks[(int)(0.50 * (ticks.Count - 1))])} / {Ms(ticks[(int)(0.99 * (ticks.Count - 1))])} / {Ms(ticks[^1])} ms (n = {ticks.Count:N0})";
    }

    private static string Ms(long ticks) => (ticks * 1000.0 / Stopwatch.Frequency).ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>One encoded event per subject, in <see cref="SyntheticPopulation.Vehicles"/> order (matched by VIN).</summary>
    private static byte[][] EventPerSubject(SyntheticPopulation population)
    {
        var index = new Dictionary<string, int>(population.Vehicles.Count, StringComparer.Ordinal);
        for (int i = 0; i < population.Vehicles.Count; i++)
        {
            index[population.Vehicles[i].RawId] = i;
        }

        var events = new byte[population.Vehicles.Count][];
        foreach (byte[] message in population.TelematicsMessages)
        {
            if (TelematicsEventCodec.TryReadMessage(message, out TelematicsEvent e) != AvroStatus.Ok)
            {
                throw new InvalidOperationException("A synthetic event does not decode.");
            }

            events[index[e.Vin.ToString(message)!]] ??= message;
        }

        return Array.TrueForAll(events, e => e is not null) ? events : throw new InvalidOperationException("A subject has no event.");
    }

    private static async Task WaitForHeartbeatAsync(RedisConsentStore store)
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnHeartbeat() => received.TrySetResult();
        store.HeartbeatReceived += OnHeartbeat;
        try
        {
            if (store.LastHeartbeatTimestamp == long.MinValue)
            {
                await received.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            store.HeartbeatReceived -= OnHeartbeat;
        }
    }

    private static string LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(", ", parts.Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    private static bool Optimized() =>
        typeof(ConsentChurnRun).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
            .OfType<DebuggableAttribute>().All(a => !a.IsJITOptimizerDisabled);

    private static void Log(string message) => Console.WriteLine($"// {DateTime.UtcNow:HH:mm:ss} {message}");
}
