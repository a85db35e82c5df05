using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Sieve.Commands.Load;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Contracts;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Embedded;
using Sieve.Simulation;
using Spectre.Console;

namespace Sieve.Commands.Demo;

/// <summary>
/// <c>sieve demo</c>: the whole pipeline in one process with no outside services. Kafka is librdkafka's mock
/// cluster on loopback; consent lives in a redis-server started for the run when one is installed, else in an
/// in-process store. A simulated fleet and dealer Wi-Fi visitors produce raw events; the minimizer and the consent
/// loader run for real; a watcher reads the purpose topics like a downstream team.
/// </summary>
public static class DemoCommand
{
    private const int RawPartitions = 6;
    private const int OutputPartitions = 3;

    /// <summary>Runs the demo; returns the process exit code. Usage goes to standard output, option errors to standard error.</summary>
    public static Task<int> RunAsync(string[] args, CancellationToken cancellationToken) => RunAsync(args, Console.Out, Console.Error, cancellationToken);

    /// <summary>
    /// Runs the demo: <c>--help</c> writes the usage to <paramref name="output"/> (exit 0); a wrong option writes one
    /// line to <paramref name="error"/> (exit 2); otherwise the demo draws on the console.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        if (Array.Exists(args, static a => a is "--help" or "-h"))
        {
            await output.WriteLineAsync(DemoOptions.Usage).ConfigureAwait(false);
            return 0;
        }

        DemoOptions? options = DemoOptions.Parse(args, out string? problem);
        if (options is null)
        {
            await error.WriteLineAsync("sieve demo: " + problem).ConfigureAwait(false);
            return 2;
        }

        bool live = !options.Plain && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (Console.IsOutputRedirected)
        {
            // Logs and CI capture: do not wrap tables at the 80 columns a redirected console reports.
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 140);
        }
        AnsiConsole.MarkupLine("[bold]Sieve demo[/]: raw telematics and dealer Wi-Fi events -> consent -> purpose-scoped pseudonyms -> minimized purpose topics");

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
        }

        kafka.CreateTopic(Topics.Quarantine, 1);
        kafka.CreateTopic(Topics.Audit, 1);
        AnsiConsole.MarkupLineInterpolated($"Kafka:   librdkafka mock cluster at [cyan]{kafka.BootstrapServers}[/] (real Kafka protocol on loopback; try: kcat -b {kafka.BootstrapServers} -L)");

        RedisServerProcess? redis = null;
        IConsentStore store;
        string storeKind;
        if (!options.InMemory && RedisServerProcess.FindBinary() is not null)
        {
            redis = await RedisServerProcess.StartNewAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            store = await RedisConsentStore.ConnectAsync(new RedisConsentStoreOptions { Configuration = redis.Configuration }).ConfigureAwait(false);
            storeKind = "redis";
            AnsiConsole.MarkupLineInterpolated($"Consent: Redis ([cyan]redis-server[/] started at {redis.Configuration}), near-cache with pub/sub invalidation");
        }
        else
        {
            store = new InMemoryConsentStore();
            storeKind = "in-memory";
            AnsiConsole.MarkupLine(options.InMemory
                ? "Consent: in-process store (--in-memory)"
                : "Consent: in-process store ([yellow]redis-server is not installed[/]; install it with: sudo apt-get install -y redis-server)");
        }

        AnsiConsole.MarkupLineInterpolated($"Policy:  {policy.Source} v{policy.PolicyVersion}: {string.Join(", ", policy.Purposes.Select(p => p.Name + (p.ConsentRequired ? " (consent)" : " (no consent, de-identified)")))}");
        AnsiConsole.MarkupLine("Keys:    built-in demo master key (never for real data)");

        try
        {
            return await RunPipelineAsync(options, live, kafka.BootstrapServers, policy, store, storeKind, cancellationToken).ConfigureAwait(false);
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

    private static async Task<int> RunPipelineAsync(DemoOptions options, bool live, string bootstrap, CompiledPolicy policy, IConsentStore store,
        string storeKind, CancellationToken cancellationToken)
    {
        var keyFactory = new PseudonymKeyFactory(MasterKeyRing.CreateDemo());
        using var cache = new ConsentCache(store);
        using var core = new MinimizerCore(policy, keyFactory, cache);
        var engineOptions = new MinimizerOptions
        {
            BootstrapServers = bootstrap,
            GroupId = "sieve-demo-minimizer",
            InstanceId = "demo-1",
            BatchMaxWaitMs = 20,
            Delivery = DeliveryMode.ExactlyOnce,
        };
        using var engine = new MinimizerEngine(engineOptions, core, cache, NullLogger.Instance);
        var loader = new ConsentLoader(new ConsentLoaderOptions { BootstrapServers = bootstrap, GroupId = "sieve-demo-consent" }, store, keyFactory);
        var watched = policy.Purposes.ToDictionary(p => p.Topic, _ => OutputPartitions, StringComparer.Ordinal);
        watched[Topics.Quarantine] = 1;
        var watcher = new OutputWatcher(bootstrap, watched, policy.FindPurpose(Sieve.Contracts.Purposes.KnownPurposes.Positioning)?.Topic);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task engineTask = Task.Factory.StartNew(() => engine.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
        Task loaderTask = Task.Factory.StartNew(() => loader.RunAsync(stop.Token), stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
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

        AnsiConsole.MarkupLineInterpolated($"Population: {options.Fleet.Vehicles} vehicles, {options.Fleet.Visitors} Wi-Fi visitors; {loader.Applied} consent decisions loaded in {consentWait.ElapsedMilliseconds} ms");
        AnsiConsole.MarkupLineInterpolated($"Running for {options.Seconds} s at about {options.Rate} events/s; a wave of personalization opt-outs comes at {options.Seconds * 2 / 5} s; one input in {options.Fleet.BadInputEvery} is deliberately bad.");

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
        AnsiConsole.MarkupLineInterpolated($"Ingest:  in-process; {options.Fleet.Vehicles} units on Teltonika TCP 127.0.0.1:{ingest.TeltonikaPort} (Codec 8 Extended, {perVehicle} records a second each), gateways at {ingest.Gateways.BaseAddress} (Meraki, captive portal)");
        AnsiConsole.MarkupLine("Direct:  a dealer Wi-Fi feed and a misbehaving producer write straight to the raw topics");

        var run = new DemoRun(options, storeKind, engine, watcher, loader, cache) { Devices = devices.Stats };
        long produced = 0;
        int withdrawals = 0;
        bool waveSent = false;
        var clock = Stopwatch.StartNew();
        var renderer = new LiveView(run);

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
                    ProduceWithBackpressure(producer, m.Topic, new Message<byte[], byte[]> { Key = m.Key, Value = m.Value, Timestamp = new Timestamp(nowMs, TimestampType.CreateTime) });
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
        await Task.WhenAll(engineTask.ContinueWith(_ => { }, TaskScheduler.Default), loaderTask.ContinueWith(_ => { }, TaskScheduler.Default), watcherTask.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);

        DemoSummary summary = DemoSummary.From(run);
        summary.Print(run);
        if (watcherTask.Exception?.GetBaseException() is Exception watcherFailure)
        {
            // The samples and latency come from that reader: say why they are short instead of showing them as complete.
            AnsiConsole.MarkupLineInterpolated($"[red]the downstream reader stopped early ({watcherFailure.GetType().Name}); samples and latency cover only what it read[/]");
        }
        if (options.SummaryJson is not null)
        {
            await File.WriteAllTextAsync(options.SummaryJson, JsonSerializer.Serialize(summary, DemoSummary.JsonOptions), CancellationToken.None).ConfigureAwait(false);
            AnsiConsole.MarkupLineInterpolated($"Summary written to {options.SummaryJson}");
        }

        return summary.AllAccountedFor ? 0 : 1;
    }

    private static void ProduceWithBackpressure(IProducer<byte[], byte[]> producer, string topic, Message<byte[], byte[]> message)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message);
                return;
            }
            catch (ProduceException<byte[], byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(20));
            }
        }
    }
}
