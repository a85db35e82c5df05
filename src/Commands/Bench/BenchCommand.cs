using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Sieve.Commands;
using Sieve.Embedded;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Bench;

/// <summary>
/// <c>sieve bench</c>: the minimizer against a raw pass-through, end to end through Kafka, on the same cluster,
/// the same pre-produced inputs and the same client settings; then a paced run for latency. Every input must be
/// accounted for in the audit records and the outputs read back, or the run is void.
/// </summary>
public sealed class BenchCommand(CliSession session) : SieveCommand<BenchOptions>(session)
{
    /// <summary>Name of the command.</summary>
    public const string Name = "bench";

    /// <summary>One-line summary for <c>sieve --help</c>.</summary>
    public const string Summary = "measure the minimizer end to end against a raw Kafka pass-through: inputs/s, ratio, latency, bytes/input";

    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(60);

    /// <summary>Runs the bench; returns the process exit code (1 when the run is void).</summary>
    protected override async Task<int> RunAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        IAnsiConsole console = Console;
        try
        {
            BenchReport report = await RunBenchAsync(options, console, cancellationToken).ConfigureAwait(false);
            BenchReportPrinter.Print(console, report);
            if (options.Json is not null)
            {
                await File.WriteAllTextAsync(options.Json, JsonSerializer.Serialize(report, BenchReport.JsonOptions), CancellationToken.None).ConfigureAwait(false);
                PlainText.WriteLine(console, "report written to " + options.Json);
            }

            return report.Void ? ExitCodes.Failure : ExitCodes.Ok;
        }
        catch (KafkaException e)
        {
            return ThrowHelper.Failure<int>("Kafka failed (" + e.Error.Code + "): " + e.Error.Reason.ReplaceLineEndings(" ")
                + (options.Bootstrap is null ? "" : "; check that a broker answers at " + options.Bootstrap));
        }
    }

    private static async Task<BenchReport> RunBenchAsync(BenchOptions options, IAnsiConsole console, CancellationToken cancellationToken)
    {
        CompiledPolicy policy = PolicyLoader.LoadDefault();
        var keyFactory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        var topics = new BenchTopics(BenchTopics.NewRunId(), policy);
        int partitions = options.Partitions;

        Say(console, $"Generating {options.Events:N0} raw events ({options.Vehicles:N0} vehicles, {options.Visitors:N0} Wi-Fi visitors, one bad input in 250)");
        BenchInputs inputs = BenchInputs.Generate(options, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        FanOut fanOut = await FanOut.DeriveAsync(inputs, policy, keyFactory, cancellationToken).ConfigureAwait(false);
        PlainText.WriteLine(console, FormattableString.Invariant($"Fan-out (from MinimizerCore over the same inputs and consent): {fanOut.TotalCopies:N0} records for {options.Events:N0} inputs (")
            + string.Join(", ", policy.Purposes.Select((p, i) => p.Name + " " + fanOut.Copies[i].ToString("N0", CultureInfo.InvariantCulture)))
            + FormattableString.Invariant($", quarantine {fanOut.Copies[fanOut.PlanCount]:N0}), plus one audit record per input partition per batch"));

        using BenchCluster cluster = BenchCluster.Open(options.Bootstrap);
        int plannedPaced = options.Rate is int r ? (int)Math.Min(options.Events, (long)r * BenchOptions.PacedSeconds) : options.Events;
        if (cluster.IsMock)
        {
            string? tooBig = RetentionBudget.Check(inputs, fanOut, plannedPaced);
            if (tooBig is not null)
            {
                ThrowHelper.Usage(tooBig);
            }

            (long fullest, string where) = RetentionBudget.Fullest(inputs, fanOut, plannedPaced);
            Say(console, $"Kafka:   librdkafka mock cluster at {cluster.BootstrapServers}; fullest partition about {fullest / 1048576.0:F1} MiB ({where}) of the 5 MiB it keeps");
        }
        else
        {
            Say(console, $"Kafka:   {cluster.BootstrapServers}");
        }

        await cluster.CreateTopicsAsync(AllTopics(topics, partitions)).ConfigureAwait(false);
        PreProduce(cluster, topics, inputs, console);

        RedisServerProcess? redis = null;
        IConsentStore store;
        string storeKind;
        if (RedisServerProcess.FindBinary() is not null)
        {
            redis = await RedisServerProcess.StartNewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            store = await RedisConsentStore.ConnectAsync(new RedisConsentStoreOptions { Configuration = redis.Configuration }).ConfigureAwait(false);
            storeKind = "redis";
            Say(console, $"Consent: Redis (redis-server started at {redis.Configuration}), near-cache with pub/sub invalidation");
        }
        else
        {
            store = new InMemoryConsentStore();
            storeKind = "in-memory";
            PlainText.WriteLine(console, "Consent: in-process store (redis-server is not installed; install it with: sudo apt-get install -y redis-server)");
        }

        try
        {
            int seeded = await ConsentSeeder.ApplyAsync(store, inputs.Consent, keyFactory, cancellationToken).ConfigureAwait(false);
            Say(console, $"Consent: {seeded:N0} decisions of {inputs.Fleet.SubjectCount:N0} subjects written to the store");
            return await MeasureAsync(options, console, cluster, topics, inputs, fanOut, policy, keyFactory, store, storeKind, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }

            redis?.Dispose();
        }
    }

    private static async Task<BenchReport> MeasureAsync(BenchOptions options, IAnsiConsole console, BenchCluster cluster, BenchTopics topics, BenchInputs inputs,
        FanOut fanOut, CompiledPolicy policy, PseudonymKeyFactory keyFactory, IConsentStore store, string storeKind, CancellationToken cancellationToken)
    {
        int partitions = options.Partitions;
        var problems = new List<string>();
        bool isVoid = false;

        // Run 1: the raw pass-through, on the minimizer's engine settings.
        MinimizerPipelineBuilder minimizer = Pipeline(cluster.BootstrapServers, topics, policy, keyFactory, store, options.BatchPolicy);
        var passMeter = new RunMeter(options.Events);
        var passThrough = new RawPassThrough(PassThroughOptions(minimizer, topics), topics.PassThrough, fanOut);
        passThrough.BatchCommitted += passMeter.OnCommitted;
        await RunUntilDoneAsync(console, "raw pass-through", options.Events, passMeter, ct => passThrough.Run(ct), cancellationToken).ConfigureAwait(false);
        ThroughputResult pass = ReadPassThrough(cluster, topics, partitions, fanOut, passMeter, options.Events);

        // Run 2: the minimizer, with a real consent store behind its near-cache.
        var purposeTopics = topics.PurposeTopics.Select(t => (t, partitions)).ToList();
        Dictionary<(string Topic, int Partition), long> outputsBefore = cluster.HighWatermarks(purposeTopics);
        using MinimizerPipeline pipeline = minimizer.Build();
        var minMeter = new RunMeter(options.Events);
        ThroughputResult minimized;
        using (MinimizerEngine engine = pipeline.Engine)
        {
            engine.BatchCommitted += tallies =>
            {
                long n = 0;
                foreach (PartitionTally t in tallies)
                {
                    n += t.Inputs;
                }

                minMeter.OnCommitted(n);
            };
            await RunUntilDoneAsync(console, "minimizer", options.Events, minMeter, ct => engine.RunAsync(ct).GetAwaiter().GetResult(), cancellationToken).ConfigureAwait(false);
        }

        minimized = ReadMinimizer(cluster, topics, partitions, policy, fanOut, minMeter, options.Events, outputsBefore, problems);
        Check(pass, "raw pass-through", problems, ref isVoid);
        Check(minimized, "minimizer", problems, ref isVoid);

        // Run 3: paced, for latency, at each level in turn.
        IReadOnlyList<PacedLevel> levels = Levels(options, minMeter.Rate);
        if (options.Rate is int given && minMeter.Rate > 0 && given > minMeter.Rate)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"--rate {given} is above the measured minimizer rate ({minMeter.Rate:F0}/s): latency measures a growing queue"));
        }

        long pacedEvents = 0;
        foreach (PacedLevel level in levels)
        {
            pacedEvents += level.Events;
            PlainText.WriteLine(console, FormattableString.Invariant($"Paced run: {level.Events:N0} inputs at {level.Rate:N0}/s")
                + (level.Percent is int percent ? FormattableString.Invariant($" ({percent} % of the measured minimizer rate)") : ""));
        }

        var paced = new PacedRun(cluster, topics, pipeline.Core, () => PacedEngine(pipeline, topics), () => PacedRelease(pipeline, topics));
        Task<IReadOnlyList<PacedResult>> pacedTask = paced.RunAsync(inputs.Fleet, levels, partitions, cancellationToken);
        await ShowProgressAsync(console, "paced minimizer", pacedEvents, () => paced.Committed, pacedTask).ConfigureAwait(false);
        IReadOnlyList<PacedResult> latency = await pacedTask.ConfigureAwait(false);
        foreach (PacedResult level in latency)
        {
            CheckPaced(level, policy, problems, ref isVoid);
        }

        // Run 4: the same levels through the raw pass-through, the setup's own latency at each rate.
        IReadOnlyList<PacedFloorResult> floor = [];
        int positioning = policy.IndexOfPurpose(Sieve.Contracts.Purposes.KnownPurposes.Positioning);
        if (positioning >= 0)
        {
            using FanOutOracle oracle = await FanOutOracle.CreateAsync(inputs.Consent, policy, keyFactory, cancellationToken).ConfigureAwait(false);
            var floorRun = new PacedFloor(cluster, topics, FloorOptions(minimizer, topics), oracle, positioning);
            Task<IReadOnlyList<PacedFloorResult>> floorTask = floorRun.RunAsync(inputs.Fleet, levels, partitions, cancellationToken);
            await ShowProgressAsync(console, "paced pass-through", pacedEvents, () => floorRun.Committed, floorTask).ConfigureAwait(false);
            floor = await floorTask.ConfigureAwait(false);
            foreach (PacedFloorResult level in floor)
            {
                CheckFloor(level, problems, ref isVoid);
            }
        }

        return new BenchReport
        {
            Machine = $"{Environment.ProcessorCount} logical processors, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}, {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC",
            LoadAverage = LoadAverage(),
            Kafka = cluster.IsMock ? "librdkafka mock cluster (1 broker, in-process)" : cluster.BootstrapServers,
            ConsentStore = storeKind,
            Events = options.Events,
            Partitions = partitions,
            Subjects = inputs.Fleet.SubjectCount,
            PassThrough = pass,
            Minimizer = minimized,
            Ratio = pass.InputsPerSecond > 0 ? minimized.InputsPerSecond / pass.InputsPerSecond : 0,
            BatchPolicy = options.BatchPolicy,
            Latency = latency,
            Floor = floor,
            ReleaseDecided = paced.ReleaseDecided,
            ReleaseHeld = paced.ReleaseHeld,
            Void = isVoid,
            Problems = problems,
        };
    }

    /// <summary>
    /// The bench's minimizer: the production pipeline on the run's own topics, group and instance id, without a
    /// consent loader (the consent is written to the store beforehand). The pass-through and the paced run take
    /// their engine settings from it too.
    /// </summary>
    internal static MinimizerPipelineBuilder Pipeline(string bootstrap, BenchTopics topics, CompiledPolicy policy, PseudonymKeyFactory keys, IConsentStore store,
        BatchPolicy batchPolicy = BatchPolicy.Adaptive) =>
        new(store, policy, keys)
        {
            Options = MinimizerPipelineOptions.Production with { BatchPolicy = batchPolicy },
            BootstrapServers = bootstrap,
            GroupId = GroupId(topics, "minimizer"),
            InstanceId = InstanceId(topics, "minimizer"),
            Delivery = DeliveryMode.ExactlyOnce,
            Topics = EngineTopics(topics, paced: false),
        };

    /// <summary>
    /// The paced levels: <c>--rate</c> alone gives one level at that rate; otherwise one per <c>--levels</c> percent
    /// of the measured minimizer rate (rounded down to a thousand, at least 1,000/s). Each level sends
    /// <c>min(events, rate x <see cref="BenchOptions.PacedSeconds"/>)</c> inputs.
    /// </summary>
    internal static IReadOnlyList<PacedLevel> Levels(BenchOptions options, double measuredRate)
    {
        if (options.Rate is int rate)
        {
            return [new PacedLevel(rate, (int)Math.Min(options.Events, (long)rate * BenchOptions.PacedSeconds), null)];
        }

        var levels = new List<PacedLevel>(options.Levels.Count);
        foreach (int percent in options.Levels)
        {
            int at = (int)Math.Max(1000, Math.Floor(measuredRate * percent / 100 / 1000) * 1000);
            levels.Add(new PacedLevel(at, (int)Math.Min(options.Events, (long)at * BenchOptions.PacedSeconds), percent));
        }

        return levels;
    }

    /// <summary>The pass-through's settings: the minimizer's engine settings under its own group and instance id.</summary>
    internal static MinimizerOptions PassThroughOptions(MinimizerPipelineBuilder minimizer, BenchTopics topics) =>
        minimizer.EngineOptions(GroupId(topics, "passthrough"), InstanceId(topics, "passthrough"), EngineTopics(topics, paced: false));

    /// <summary>The paced pass-through's settings: the minimizer's engine settings under a group and instance id of its own.</summary>
    internal static MinimizerOptions FloorOptions(MinimizerPipelineBuilder minimizer, BenchTopics topics) =>
        minimizer.EngineOptions(GroupId(topics, "floor"), InstanceId(topics, "floor"), EngineTopics(topics, paced: false));

    /// <summary>The paced run's release stage: the anonymized purposes' held records, with its own audit and quarantine topics.</summary>
    internal static Core.Anonymization.ReleaseEngine PacedRelease(MinimizerPipeline pipeline, BenchTopics topics) =>
        pipeline.CreateRelease(GroupId(topics, "paced"), InstanceId(topics, "paced"), new TopicOptions
        {
            TelematicsRaw = topics.PacedTelematicsInput,
            WifiRaw = topics.PacedWifiInput,
            Quarantine = topics.ReleaseQuarantine,
            Audit = topics.ReleaseAudit,
        });

    /// <summary>The paced run's engine: over the minimizer's core and near-cache, on the paced topics.</summary>
    internal static MinimizerEngine PacedEngine(MinimizerPipeline pipeline, BenchTopics topics) =>
        pipeline.CreateEngine(GroupId(topics, "paced"), InstanceId(topics, "paced"), EngineTopics(topics, paced: true));

    private static string GroupId(BenchTopics topics, string role) => "sieve-bench-" + role + "-" + topics.RunId;

    private static string InstanceId(BenchTopics topics, string role) => "bench-" + role + "-" + topics.RunId;

    private static TopicOptions EngineTopics(BenchTopics topics, bool paced) => new()
    {
        TelematicsRaw = paced ? topics.PacedTelematicsInput : topics.TelematicsInput,
        WifiRaw = paced ? topics.PacedWifiInput : topics.WifiInput,
        Quarantine = paced ? topics.PacedQuarantine : topics.Quarantine,
        Audit = paced ? topics.PacedAudit : topics.Audit,
    };

    private static List<(string Name, int Partitions)> AllTopics(BenchTopics topics, int partitions)
    {
        var all = new List<(string, int)>
        {
            (topics.TelematicsInput, partitions), (topics.WifiInput, partitions),
            (topics.PacedTelematicsInput, partitions), (topics.PacedWifiInput, partitions),
            (topics.Audit, partitions), (topics.Quarantine, partitions),
            (topics.PacedAudit, partitions), (topics.PacedQuarantine, partitions),
            (topics.PassThrough.Audit, partitions),
            (topics.Floor.TelematicsInput, partitions), (topics.Floor.WifiInput, partitions), (topics.Floor.Audit, partitions),
            (topics.ReleaseAudit, partitions), (topics.ReleaseQuarantine, partitions),
        };
        foreach (string copy in topics.PassThrough.Copies.Concat(topics.Floor.Copies))
        {
            all.Add((copy, partitions));
        }

        foreach (string purpose in topics.PurposeTopics)
        {
            all.Add((purpose, partitions));
        }

        foreach (string released in topics.ReleasedTopics)
        {
            all.Add((released, partitions));
        }

        return all;
    }

    private static void PreProduce(BenchCluster cluster, BenchTopics topics, BenchInputs inputs, IAnsiConsole console)
    {
        var clock = Stopwatch.StartNew();
        using (IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(BenchProducer.PreProduceConfig(cluster.BootstrapServers)).Build())
        {
            var partitions = new TopicPartition[2][];
            for (int input = 0; input < 2; input++)
            {
                partitions[input] = new TopicPartition[inputs.Partitions];
                for (int p = 0; p < inputs.Partitions; p++)
                {
                    partitions[input][p] = new TopicPartition(input == 0 ? topics.TelematicsInput : topics.WifiInput, p);
                }
            }

            var timestamp = new Timestamp(DateTimeOffset.UtcNow);
            foreach (BenchInput m in inputs.Messages)
            {
                KafkaBackpressure.Produce(producer, partitions[m.Input][m.Partition], new Message<byte[], byte[]> { Key = m.Key, Value = m.Value, Timestamp = timestamp });
            }

            producer.Flush(TimeSpan.FromMinutes(2));
        }

        // Offsets must be exactly 0..n-1 per partition: the fan-out table is indexed by them.
        Dictionary<(string Topic, int Partition), long> high = cluster.HighWatermarks([(topics.TelematicsInput, inputs.Partitions), (topics.WifiInput, inputs.Partitions)]);
        for (int input = 0; input < 2; input++)
        {
            string topic = input == 0 ? topics.TelematicsInput : topics.WifiInput;
            for (int p = 0; p < inputs.Partitions; p++)
            {
                if (high[(topic, p)] != inputs.Count(input, p))
                {
                    ThrowHelper.Failure($"pre-producing the inputs left {high[(topic, p)]} records in {topic} [{p}] instead of {inputs.Count(input, p)}; run again on an idle cluster");
                }
            }
        }

        Say(console, $"Inputs:  {inputs.Messages.Count:N0} pre-produced to {2 * inputs.Partitions} partitions in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task RunUntilDoneAsync(IAnsiConsole console, string name, long target, RunMeter meter, Action<CancellationToken> run, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task task = Task.Factory.StartNew(() => run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Task done = WaitForAsync(meter, task, cancellationToken);
        await ShowProgressAsync(console, name, target, () => meter.Committed, done).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static async Task WaitForAsync(RunMeter meter, Task run, CancellationToken cancellationToken)
    {
        var quiet = Stopwatch.StartNew();
        long last = 0;
        while (!meter.Done && !run.IsCompleted && quiet.Elapsed < Stall)
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
            if (meter.Committed != last)
            {
                last = meter.Committed;
                quiet.Restart();
            }
        }
    }

    private static async Task ShowProgressAsync(IAnsiConsole console, string name, long target, Func<long> done, Task work)
    {
        if (!console.Profile.Capabilities.Interactive)
        {
            Say(console, $"Running: {name}");
            await work.ConfigureAwait(false);
            return;
        }

        await console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                ProgressTask task = ctx.AddTask(name, maxValue: target);
                while (!work.IsCompleted)
                {
                    task.Value = Math.Min(target, done());
                    await Task.WhenAny(work, Task.Delay(200)).ConfigureAwait(false);
                }

                task.Value = Math.Min(target, done());
            }).ConfigureAwait(false);
        await work.ConfigureAwait(false);
    }

    private static ThroughputResult ReadPassThrough(BenchCluster cluster, BenchTopics topics, int partitions, FanOut fanOut, RunMeter meter, long inputs)
    {
        long audited = 0, auditRecords = 0;
        TopicReader.Read(cluster.BootstrapServers, FromStart(topics.PassThrough.Audit, partitions), result =>
        {
            audited += RawPassThrough.ReadAudit(result.Message.Value).Count;
            auditRecords++;
        }, TimeSpan.FromSeconds(120));
        var from = new Dictionary<(string, int), long>();
        foreach (string copy in topics.PassThrough.Copies)
        {
            foreach (KeyValuePair<(string, int), long> pair in FromStart(copy, partitions))
            {
                from[pair.Key] = pair.Value;
            }
        }

        Dictionary<string, long> read = TopicReader.Read(cluster.BootstrapServers, from, null, TimeSpan.FromSeconds(300));
        return Result(meter, inputs, audited, auditRecords, read.Values.Sum(), fanOut.TotalCopies);
    }

    private static ThroughputResult ReadMinimizer(BenchCluster cluster, BenchTopics topics, int partitions, CompiledPolicy policy, FanOut fanOut, RunMeter meter,
        long inputs, Dictionary<(string Topic, int Partition), long> outputsBefore, List<string> problems)
    {
        var audit = new AuditTotals();
        TopicReader.Read(cluster.BootstrapServers, FromStart(topics.Audit, partitions), r => audit.Add(r.Message.Value), TimeSpan.FromSeconds(120));
        var from = new Dictionary<(string, int), long>(outputsBefore);
        foreach (KeyValuePair<(string, int), long> pair in FromStart(topics.Quarantine, partitions))
        {
            from[pair.Key] = pair.Value;
        }

        Dictionary<string, long> read = TopicReader.Read(cluster.BootstrapServers, from, null, TimeSpan.FromSeconds(300));
        for (int p = 0; p < policy.Purposes.Count; p++)
        {
            PurposePlan plan = policy.Purposes[p];
            long wrote = read.GetValueOrDefault(plan.ForwardTopic);
            if (wrote != audit.WrittenTo(plan.Name))
            {
                problems.Add($"minimizer: {plan.ForwardTopic} holds {wrote} new records but audit.v1 says {audit.WrittenTo(plan.Name)} were forwarded or held");
            }

            if (wrote != fanOut.Copies[p])
            {
                problems.Add($"minimizer: {plan.Name} got {wrote} records where the fan-out expected {fanOut.Copies[p]} (the pass-through copied that many)");
            }
        }

        if (audit.Unbalanced > 0)
        {
            problems.Add($"minimizer: {audit.Unbalanced} audit records do not balance");
        }

        if (read.GetValueOrDefault(topics.Quarantine) != audit.Quarantined)
        {
            problems.Add($"minimizer: {read.GetValueOrDefault(topics.Quarantine)} quarantine records but audit.v1 counts {audit.Quarantined} quarantined");
        }

        return Result(meter, inputs, audit.Inputs, audit.Records, read.Values.Sum(), fanOut.TotalCopies);
    }

    private static ThroughputResult Result(RunMeter meter, long inputs, long audited, long auditRecords, long outputs, long expected) => new()
    {
        Inputs = inputs,
        MeasuredInputs = meter.MeasuredInputs,
        Seconds = meter.Elapsed.TotalSeconds,
        InputsPerSecond = meter.Rate,
        AllocatedBytesPerInput = meter.BytesPerInput,
        Gen0Collections = meter.Gen0Collections,
        Gen2Collections = meter.Gen2Collections,
        AuditedInputs = audited,
        AuditRecords = auditRecords,
        OutputsRead = outputs,
        OutputsExpected = expected,
    };

    private static void Check(ThroughputResult run, string name, List<string> problems, ref bool isVoid)
    {
        if (run.AuditedInputs != run.Inputs)
        {
            problems.Add($"{name}: audit records account for {run.AuditedInputs} of {run.Inputs} inputs");
            isVoid = true;
        }

        if (run.OutputsRead != run.OutputsExpected)
        {
            problems.Add($"{name}: {run.OutputsRead} output records read back where {run.OutputsExpected} were due");
            isVoid = true;
        }

        if (run.MeasuredInputs == 0)
        {
            // Not a loss: every input came in the first batch, which is not timed.
            problems.Add($"{name}: no rate measured (every input came in the first batch); use more --events");
        }
    }

    private static void CheckFloor(PacedFloorResult floor, List<string> problems, ref bool isVoid)
    {
        CheckStart(floor, "paced pass-through", problems);
        if (floor.AuditedInputs != floor.Produced || floor.CopiesRead != floor.CopiesExpected)
        {
            problems.Add($"paced pass-through at {floor.Rate}/s: audit records account for {floor.AuditedInputs} of {floor.Produced} inputs, {floor.CopiesRead} of {floor.CopiesExpected} copies read back");
            isVoid = true;
        }
    }

    // A level whose planning overran its head start sent its first inputs late, in a burst: its latency is not the
    // rate's. Every input is still accounted for, so the run is not void; the note says which level not to read.
    private static void CheckStart(PacedLatency level, string run, List<string> problems)
    {
        if (level.StartedLateMs > 0)
        {
            problems.Add($"{run} at {level.Rate}/s: planning the level overran its head start by {level.StartedLateMs} ms, so its first inputs went late in a burst; do not read its latency");
        }
    }

    private static void CheckPaced(PacedResult paced, CompiledPolicy policy, List<string> problems, ref bool isVoid)
    {
        CheckStart(paced, "paced", problems);
        if (paced.Audit.Inputs != paced.Produced)
        {
            problems.Add($"paced at {paced.Rate}/s: audit records account for {paced.Audit.Inputs} of {paced.Produced} inputs");
            isVoid = true;
        }

        foreach (PurposePlan plan in policy.Purposes)
        {
            if (paced.Outputs.GetValueOrDefault(plan.Name) != paced.Audit.WrittenTo(plan.Name))
            {
                problems.Add($"paced at {paced.Rate}/s: {plan.ForwardTopic} holds {paced.Outputs.GetValueOrDefault(plan.Name)} new records but audit.v1 says {paced.Audit.WrittenTo(plan.Name)}");
                isVoid = true;
            }
        }

        if (paced.QuarantineRead != paced.Audit.Quarantined || paced.Audit.Unbalanced > 0)
        {
            problems.Add($"paced at {paced.Rate}/s: {paced.QuarantineRead} quarantine records, {paced.Audit.Quarantined} quarantined in audit.v1, {paced.Audit.Unbalanced} unbalanced audit records");
            isVoid = true;
        }
    }

    private static Dictionary<(string Topic, int Partition), long> FromStart(string topic, int partitions)
    {
        var from = new Dictionary<(string, int), long>(partitions);
        for (int p = 0; p < partitions; p++)
        {
            from[(topic, p)] = 0;
        }

        return from;
    }

    private static double[] LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return [.. parts.Take(3).Select(p => double.Parse(p, CultureInfo.InvariantCulture))];
        }
        catch (IOException)
        {
            return [];
        }
        catch (UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static void Say(IAnsiConsole console, FormattableString line) => PlainText.WriteLine(console, line.ToString(CultureInfo.InvariantCulture));

}
