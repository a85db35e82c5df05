using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Sieve.Commands.Load;
using Sieve.Commands.Privacy;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Contracts;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Policy;
using Sieve.Core.Registry;
using Confluent.SchemaRegistry;
using Sieve.Embedded.SchemaRegistry;
using Sieve.Embedded;
using Sieve.Simulation;
using Sieve.Simulation.Mobility;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Demo;

/// <summary>
/// <c>sieve demo</c>: the whole pipeline in one process with no outside services. Kafka is librdkafka's mock
/// cluster on loopback; consent lives in a redis-server started for the run when one is installed, else in an
/// in-process store. A simulated fleet and dealer Wi-Fi visitors produce raw events; the minimizer and the consent
/// loader run for real; a watcher reads the purpose topics like a downstream team.
/// </summary>
public sealed class DemoCommand(CliSession session) : SieveCommand<DemoOptions>(session)
{
    /// <summary>Name of the command.</summary>
    public const string Name = "demo";

    /// <summary>One-line summary for <c>sieve --help</c>.</summary>
    public const string Summary = "run the end-to-end demo: simulated fleet, embedded Kafka and Redis, live minimizer";

    private const int RawPartitions = 6;
    private const int OutputPartitions = 3;

    /// <summary>
    /// Runs the demo, drawing on the session's console: a live table where it is an interactive terminal, progress
    /// lines otherwise (or with <c>--plain</c>), then the summary. Returns 0 when every input is accounted for.
    /// </summary>
    protected override async Task<int> RunAsync(DemoOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        IAnsiConsole console = Console;
        bool live = !options.Plain && console.Profile.Capabilities.Interactive && console.Profile.Capabilities.Ansi;
        if (!console.Profile.Capabilities.Ansi)
        {
            // Logs and CI capture: do not wrap tables at the 80 columns a redirected console reports.
            console.Profile.Width = Math.Max(console.Profile.Width, 140);
        }
        console.MarkupLine("[bold]Sieve demo[/]: raw telematics and dealer Wi-Fi events -> consent -> purpose-scoped pseudonyms -> minimized purpose topics");

        using MockKafkaCluster kafka = MockKafkaCluster.Start(brokers: 1);
        kafka.SetGroupInitialRebalanceDelay(TimeSpan.Zero);
        CompiledPolicy policy = PolicyLoader.LoadDefault();
        foreach (string topic in new[] { Topics.TelematicsRaw, Topics.WifiRaw })
        {
            kafka.CreateTopic(topic, RawPartitions);
        }

        kafka.CreateTopic(Topics.ConsentChanges, OutputPartitions);
        foreach (PurposePlan plan in policy.Purposes)
        {
            kafka.CreateTopic(plan.Topic, OutputPartitions);
            if (plan.Anonymization is { } anonymization)
            {
                kafka.CreateTopic(anonymization.PendingTopic, OutputPartitions);
            }

            if (plan.EscrowTopic is { } escrow)
            {
                kafka.CreateTopic(escrow, 1);
            }
        }

        kafka.CreateTopic(Topics.Quarantine, 1);
        kafka.CreateTopic(Topics.Audit, 1);
        console.MarkupLineInterpolated($"Kafka:   librdkafka mock cluster at [cyan]{kafka.BootstrapServers}[/] (real Kafka protocol on loopback; try: kcat -b {kafka.BootstrapServers} -L)");

        RedisServerProcess? redis = null;
        IConsentStore store;
        string storeKind;
        if (!options.InMemory && RedisServerProcess.FindBinary() is not null)
        {
            redis = await RedisServerProcess.StartNewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            store = await RedisConsentStore.ConnectAsync(new RedisConsentStoreOptions { Configuration = redis.Configuration, ConsentTopic = Topics.ConsentChanges }).ConfigureAwait(false);
            storeKind = "redis";
            console.MarkupLineInterpolated($"Consent: Redis ([cyan]redis-server[/] started at {redis.Configuration}), near-cache with pub/sub invalidation");
        }
        else
        {
            store = new InMemoryConsentStore();
            storeKind = "in-memory";
            console.MarkupLine(options.InMemory
                ? "Consent: in-process store (--in-memory)"
                : "Consent: in-process store ([yellow]redis-server is not installed[/]; install it with: sudo apt-get install -y redis-server)");
        }

        EmbeddedSchemaRegistry? registry = null;
        if (options.Confluent)
        {
            registry = await EmbeddedSchemaRegistry.StartAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            console.MarkupLineInterpolated($"Schemas: embedded schema registry (a stand-in for Confluent's) at [cyan]{registry.Url}[/]; outputs in Confluent framing, subjects <topic>-value");
        }
        else
        {
            console.MarkupLine("Schemas: Avro single-object encoding (C3 01, fingerprint, body); no registry (--format confluent runs one)");
        }

        console.MarkupLineInterpolated($"Policy:  {policy.Source} v{policy.PolicyVersion}: {string.Join(", ", policy.Purposes.Select(p => p.Name + " (" + LegalBasisNames.NameOf(p.LegalBasis) + ")"))}");
        console.MarkupLine("Keys:    built-in demo master key, and a recall key made for this run (never for real data)");

        try
        {
            return await RunPipelineAsync(console, options, live, kafka.BootstrapServers, policy, store, storeKind, registry?.Url, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (registry is not null)
            {
                await registry.DisposeAsync().ConfigureAwait(false);
            }

            if (store is IAsyncDisposable disposable)
            {
                await disposable.DisposeAsync().ConfigureAwait(false);
            }

            redis?.Dispose();
        }
    }

    private static async Task<int> RunPipelineAsync(IAnsiConsole console, DemoOptions options, bool live, string bootstrap, CompiledPolicy policy, IConsentStore store,
        string storeKind, string? registryUrl, CancellationToken cancellationToken)
    {
        using CachedSchemaRegistryClient? registryClient = registryUrl is null ? null : new CachedSchemaRegistryClient(new SchemaRegistryConfig { Url = registryUrl });
        using SchemaRegistryBinding? binding = registryClient is null ? null : new SchemaRegistryBinding(registryClient);
        MinimizerPipelineBuilder builder = Pipeline(bootstrap, policy, store, new PseudonymKeyFactory(MasterKeyRing.CreateDemo()), binding);
        await builder.RegisterSchemasAsync(cancellationToken).ConfigureAwait(false);
        RawFraming? direct = registryClient is null ? null : await RawFraming.RegisterAsync(registryClient).ConfigureAwait(false);
        using MinimizerPipeline pipeline = builder.Build();
        MinimizerEngine engine = pipeline.Engine;
        ConsentLoader loader = pipeline.Loader!;
        ConsentCache cache = pipeline.Cache;
        var watched = policy.Purposes.ToDictionary(p => p.Topic, _ => OutputPartitions, StringComparer.Ordinal);
        watched[Topics.Quarantine] = 1;
        var watcher = new OutputWatcher(bootstrap, watched, policy.FindPurpose(Sieve.Contracts.Purposes.KnownPurposes.Positioning)?.Topic, registryClient);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task engineTask = Task.Factory.StartNew(() => engine.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Task loaderTask = Task.Factory.StartNew(() => loader.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Task releaseTask = Task.Factory.StartNew(() => pipeline.Release.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Task watcherTask = Task.Factory.StartNew(() => watcher.Run(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var fleet = new FleetSimulator(options.Fleet);
        using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 2,
            ClientId = "sieve-demo-devices",
        }).Build();

        // Consent first: the population's decisions, through Kafka and the loader, as in production.
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        int consentCount = 0;
        foreach (ConsentChangeData change in fleet.InitialConsent(now))
        {
            producer.Produce(Topics.ConsentChanges, new Message<byte[], byte[]> { Key = change.MessageKey(), Value = change.ToMessage() });
            consentCount++;
        }

        producer.Flush(cancellationToken);
        var consentWait = Stopwatch.StartNew();
        while (loader.Applied + loader.Unchanged + loader.Rejected < consentCount && consentWait.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }

        console.MarkupLineInterpolated($"Population: {options.Fleet.Vehicles} vehicles, {options.Fleet.Visitors} Wi-Fi visitors; {loader.Applied} consent decisions loaded in {consentWait.ElapsedMilliseconds} ms");
        console.MarkupLineInterpolated($"Running for {options.Seconds} s at about {options.Rate} events/s; a wave of personalization opt-outs comes at {options.Seconds * 2 / 5} s; one input in {options.Fleet.BadInputEvery} is deliberately bad.");

        // Ingest in-process: vehicles reach Kafka through its Teltonika TCP endpoint, dealer gateways through HTTP.
        (string merakiOutlet, string merakiGateway) = FleetSimulator.Outlet(1);
        (string portalOutlet, string portalGateway) = FleetSimulator.Outlet(0);
        await using InProcessIngest ingest = await InProcessIngest.StartAsync(bootstrap, merakiGateway, merakiOutlet, portalGateway, portalOutlet, cancellationToken).ConfigureAwait(false);
        int perVehicle = (int)Math.Clamp(Math.Ceiling(options.Rate * 2.0 / 3 / options.Fleet.Vehicles), 1, AvlWriter.MaxRecordsPerPacket);
        var devices = new LoadGenerator(
            new LoadOptions
            {
                TcpHost = "127.0.0.1",
                TcpPort = ingest.TeltonikaPort,
                Http = ingest.Gateways,
                RecordsPerPacket = perVehicle,
                PacketInterval = TimeSpan.FromSeconds(1),
                GatewayInterval = TimeSpan.FromMilliseconds(100),
                Duration = TimeSpan.FromSeconds(options.Seconds),
                Seed = options.Fleet.Seed,
            },
            fleet.DeviceVehicles(),
            fleet.GatewayVisitors(0));
        console.MarkupLineInterpolated($"Ingest:  in-process; {options.Fleet.Vehicles} units on Teltonika TCP 127.0.0.1:{ingest.TeltonikaPort} (Codec 8 Extended, {perVehicle} records a second each), gateways at {ingest.Gateways.BaseAddress} (Meraki, captive portal)");
        console.MarkupLine("Direct:  a dealer Wi-Fi feed and a misbehaving producer write straight to the raw topics");

        var run = new DemoRun(options, storeKind, engine, watcher, loader, cache) { Devices = devices.Stats, Release = pipeline.Release, RegistryUrl = registryUrl, Core = pipeline.Core };
        long produced = 0;
        int withdrawals = 0;
        bool waveSent = false;
        var clock = Stopwatch.StartNew();
        var renderer = new LiveView(run, console);

        async Task Produce()
        {
            Task devicesTask = devices.RunAsync(cancellationToken);

            // The direct feeds start once the first device packet is acknowledged, so the first records downstream
            // (and the samples printed at the end) have come the whole way: device socket, raw topic, minimizer.
            var firstAck = Stopwatch.StartNew();
            while (devices.Stats.RecordsAcked == 0 && !devicesTask.IsCompleted && firstAck.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }

            clock.Restart();
            double directRate = Math.Max(1, options.Rate / 3.0);
            while (clock.Elapsed.TotalSeconds < options.Seconds && !cancellationToken.IsCancellationRequested)
            {
                long due = (long)(clock.Elapsed.TotalSeconds * directRate);
                long nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                while (produced < due)
                {
                    RawMessage m = fleet.NextDirect(nowMs);
                    KafkaBackpressure.Produce(producer, m.Topic, new Message<byte[], byte[]> { Key = m.Key, Value = direct?.Frame(m.Value) ?? m.Value, Timestamp = new Timestamp(nowMs, TimestampType.CreateTime) });
                    produced++;
                }

                if (!waveSent && clock.Elapsed.TotalSeconds >= options.Seconds * 2 / 5.0)
                {
                    waveSent = true;
                    foreach (ConsentChangeData change in fleet.WithdrawalWave(nowMs))
                    {
                        producer.Produce(Topics.ConsentChanges, new Message<byte[], byte[]> { Key = change.MessageKey(), Value = change.ToMessage() });
                        withdrawals++;
                    }
                }

                run.DirectProduced = produced;
                run.Produced = produced + devices.Stats.RecordsAcked + devices.Stats.HttpRecordsAccepted;
                run.Withdrawals = withdrawals;
                await Task.Delay(5, cancellationToken).ConfigureAwait(false);
            }

            producer.Flush(cancellationToken);

            // Every record a device wrote is acknowledged (or its connection failed) before the devices finish.
            await devicesTask.ConfigureAwait(false);
            run.DirectProduced = produced;
            run.Produced = produced + devices.Stats.RecordsAcked + devices.Stats.HttpRecordsAccepted;
            produced = run.Produced;

            // Drain: wait until the minimizer has accounted for every input (or give up after 30 s and say so).
            var drain = Stopwatch.StartNew();
            while (engine.Stats.Inputs < produced && drain.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            // The release stage decides what it holds once its partitions are quiet.
            while (run.ReleaseDecided() < run.HeldTotal() && drain.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            long forwarded = run.ForwardedTotal();
            while (run.ConsumedOutputs() < forwarded && !watcherTask.IsCompleted && drain.Elapsed < TimeSpan.FromSeconds(35))
            {
                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }

            run.Elapsed = clock.Elapsed;
        }

        if (live)
        {
            await renderer.RunLiveAsync(Produce).ConfigureAwait(false);
        }
        else
        {
            await renderer.RunPlainAsync(Produce).ConfigureAwait(false);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(engineTask.ContinueWith(_ => { }, TaskScheduler.Default), loaderTask.ContinueWith(_ => { }, TaskScheduler.Default),
            releaseTask.ContinueWith(_ => { }, TaskScheduler.Default), watcherTask.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);

        DemoSummary summary = DemoSummary.From(run);
        summary.Print(run, console);
        if (watcherTask.Exception?.GetBaseException() is Exception watcherFailure)
        {
            // The samples and latency come from that reader: say why they are short instead of showing them as complete.
            console.MarkupLineInterpolated($"[red]the downstream reader stopped early ({watcherFailure.GetType().Name}); samples and latency cover only what it read[/]");
        }
        if (options.SummaryJson is not null)
        {
            await File.WriteAllTextAsync(options.SummaryJson, JsonSerializer.Serialize(summary, DemoSummary.JsonOptions), CancellationToken.None).ConfigureAwait(false);
            console.MarkupLineInterpolated($"Summary written to {options.SummaryJson}");
        }

        if (!summary.AllAccountedFor)
        {
            return 1;
        }

        if (options.CityVehicles > 0 && policy.Purposes.FirstOrDefault(p => p.Anonymization is not null) is { } anonymized)
        {
            // The live run is minutes of a few hundred vehicles: too little for k. A day of a city shows what the release protects.
            console.MarkupLineInterpolated($"Privacy: what {anonymized.Name} releases, measured by the attack suite on one simulated day (sieve privacy --simulate dense --vehicles {options.CityVehicles})");
            CityAuditResult audit = await CityAudit.RunAsync(policy, anonymized, CityProfile.Dense(options.CityVehicles), options.Fleet.Seed,
                line => PlainText.WriteLine(console, line), cancellationToken).ConfigureAwait(false);
            foreach (string line in audit.Report.ToTable().TrimEnd('\n').Split('\n'))
            {
                PlainText.WriteLine(console, line);
            }
        }

        return 0;
    }

    /// <summary>
    /// The demo's minimizer: the production pipeline under the demo's own groups and instance id, with batches that
    /// wait at most 20 ms (production: 50) so records show up downstream promptly.
    /// </summary>
    internal static MinimizerPipelineBuilder Pipeline(string bootstrap, CompiledPolicy policy, IConsentStore store, PseudonymKeyFactory keys, SchemaRegistryBinding? registry = null) =>
        new(store, policy, keys)
        {
            Registry = registry,
            BootstrapServers = bootstrap,
            GroupId = "sieve-demo-minimizer",
            InstanceId = "demo-1",
            Delivery = DeliveryMode.ExactlyOnce,
            LoaderGroupId = "sieve-demo-consent",
            Options = MinimizerPipelineOptions.Production with { BatchMaxWaitMs = 20 },
            // The quality purpose's VINs are sealed to its escrow under a key that lives only for this run.
            RecallKey = Sieve.Core.Recall.RecallKey.Create("demo-recall"),
            Release = new Sieve.Core.Anonymization.ReleaseOptions { IdleFlushMs = 1_000 },
        };
}
