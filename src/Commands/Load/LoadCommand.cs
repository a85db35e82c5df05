using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using Sieve.Commands.Consent;
using Sieve.Commands.Demo;
using Sieve.Contracts;
using Sieve.Contracts.Records;
using Sieve.Hosting;
using Sieve.Simulation;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Load;

/// <summary>
/// <c>sieve load</c>: drives an Ingest service with simulated vehicles over TCP and simulated gateways over HTTP and
/// prints acknowledged records per second, the acknowledgement latency, and, when it can read Ingest's metrics
/// (<c>--metrics</c>, or <c>--start-ingest</c>), what the connections cost Ingest in memory and CPU.
/// </summary>
public sealed class LoadCommand(CliSession session) : SieveCommand<LoadSettings>(session)
{
    /// <summary>Usage text.</summary>
    public static string Usage => $"""
        Usage: sieve load [--tcp HOST:PORT] [--http URL] [--metrics URL] [--start-ingest [--partitions N] [--services DIR]]
                          [--vehicles N] [--connect-concurrency N] [--seconds S] [--records-per-vehicle N]
                          [--records-per-packet N] [--interval-ms MS] [--burst-every S] [--burst-percent P]
                          [--burst-records N] [--visitors N] [--meraki-secret S] [--meraki-network ID]
                          [--portal-gateway ID] [--portal-outlet ID] [--portal-token T] [--seed N]
                          [--consent-mix none|demo [--bootstrap HOST:PORT] [--consent-topic TOPIC] [--property NAME=VALUE ...]]

        Drives an Ingest service the way the field does: simulated vehicles, one TCP connection each, speak
        Teltonika's protocol (Codec 8 Extended) and count a record delivered only when Ingest acknowledges it;
        simulated gateways post Meraki observations and captive-portal sessions over HTTP. Every vehicle connects
        first, then all send. Prints acknowledged records per second each second, then the totals and the ack
        latency (p50, p99, max); with --metrics or --start-ingest also what the connections cost Ingest in memory
        and CPU. Give --tcp, --http, or both, or --start-ingest. Exit code 0 when every record sent was
        acknowledged and no request was refused, 1 otherwise (see src/Commands/Load/README.md).

        Options:
          --tcp HOST:PORT            Ingest's Teltonika TCP endpoint (default: no vehicles' traffic)
          --http URL                 Ingest's gateway endpoints' base address (default: no Wi-Fi traffic)
          --metrics URL              Ingest's metrics listener (its Metrics:Urls), to read its connections,
                                     memory and CPU (default: not read)
          --start-ingest             run Ingest as a process of its own, publishing to an embedded Kafka,
                                     and measure it
          --partitions N             with --start-ingest, the raw topic's partitions, 1 to 1024 (default {LoadSettings.DefaultPartitions})
          --services DIR             with --start-ingest, where Sieve.Ingest.dll is (default: this source tree's build)
          --vehicles N               simulated vehicles, 0 to 100000 (default {LoadOptions.DefaultVehicles})
          --connect-concurrency N    handshakes in flight at once while connecting (default {LoadOptions.DefaultConnectConcurrency})
          --seconds S                how long to send, counted once all are connected (default {LoadOptions.DefaultSeconds})
          --records-per-vehicle N    records each vehicle sends at most (default 0: no limit)
          --records-per-packet N     records per AVL packet, 1 to 255 (default {LoadOptions.DefaultRecordsPerPacket})
          --interval-ms MS           pause after each acknowledgement before a vehicle's next packet (default {LoadOptions.DefaultIntervalMs})
          --burst-every S            every S seconds some vehicles send a burst packet besides their regular ones
                                     (default: no bursts)
          --burst-percent P          percent of the vehicles in each burst, 0 to 100 (default {LoadOptions.DefaultBurstPercent})
          --burst-records N          records of a burst packet, 1 to 255 (default {LoadOptions.DefaultBurstRecords})
          --visitors N               simulated Wi-Fi visitors (default {LoadOptions.DefaultVisitors})
          --meraki-secret S          the Meraki network's shared secret (default {LoadSettings.DefaultMerakiSecret})
          --meraki-network ID        the Meraki network id (default {LoadSettings.DefaultMerakiNetwork})
          --portal-gateway ID        the captive portal's gateway id (default {LoadSettings.DefaultPortalGateway})
          --portal-outlet ID         the captive portal's outlet id (default {LoadSettings.DefaultPortalOutlet})
          --portal-token T           the captive portal's token (default {LoadSettings.DefaultPortalToken})
          --seed N                   seed of identities and movement (default {LoadOptions.DefaultSeed})
          --consent-mix MIX          consent published for the simulated subjects before sending: none
                                     (default) or demo (the mix of 'sieve demo'); not with --start-ingest
          --bootstrap HOST:PORT      with --consent-mix demo, the Kafka to publish to (default {ConsentChangeCommand.DefaultBootstrap})
          --consent-topic TOPIC      with --consent-mix demo, the topic (default {Topics.ConsentChanges})
        {KafkaClientProperties.UsageLines}

        Example:
          sieve load --tcp 127.0.0.1:5027 --http http://127.0.0.1:8080 --vehicles 500 --seconds 60
        """;

    /// <summary>Name of the command.</summary>
    public const string Name = "load";

    /// <summary>One-line summary for <c>sieve --help</c>.</summary>
    public const string Summary = "drive an Ingest service: vehicles over Teltonika TCP, gateways over HTTP; prints acked records/s, ack latency, Ingest's memory and CPU";

    /// <summary>Runs the load; returns the process exit code (0 when every record sent was acknowledged).</summary>
    protected override async Task<int> RunAsync(LoadSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        LoadOptions options = settings.Options;
        options.ConnectFirst = true;

        // One open file per vehicle's connection here; with --start-ingest, Ingest checks its own when it starts.
        if (options.TcpHost is not null || settings.StartIngest)
        {
            string what = string.Create(CultureInfo.InvariantCulture, $"{options.Vehicles:N0} unit connections and {OpenFileLimit.Reserve:N0} other files");
            if (!OpenFileLimit.TryEnsure((long)options.Vehicles + OpenFileLimit.Reserve, what, out string? problem))
            {
                throw new CliException(ExitCodes.Failure, problem + " Or run fewer --vehicles.");
            }
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        SpawnedIngest? spawned = null;
        EventHandler? onExit = null;
        try
        {
            IngestProbe? probe = settings.MetricsUrl is { } metrics ? new IngestProbe(http, new Uri(metrics, "metrics")) : null;
            if (settings.StartIngest)
            {
                PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
                    $"starting Ingest as its own process, publishing to an embedded Kafka (raw topic in {settings.PartitionCount} partitions)"));
                spawned = await SpawnedIngest.StartAsync(options.Vehicles, settings.PartitionCount, settings.Services, http, cancellationToken).ConfigureAwait(false);
                SpawnedIngest started = spawned;

                // A second SIGTERM (or SIGKILL of the parent) ends this process without unwinding: Ingest must not outlive it.
                onExit = (_, _) => started.DisposeAsync().AsTask().GetAwaiter().GetResult();
                AppDomain.CurrentDomain.ProcessExit += onExit;
                options.TcpHost = "127.0.0.1";
                options.TcpPort = spawned.TeltonikaPort;
                probe = new IngestProbe(http, new Uri(spawned.Ops, "metrics"), spawned.ProcessId);
                PlainText.WriteLine(Console, "Ingest is ready: Teltonika on 127.0.0.1:" + spawned.TeltonikaPort.ToString(CultureInfo.InvariantCulture)
                    + ", metrics at " + probe.Metrics + ", output in " + spawned.LogDirectory);
            }

            var generator = new LoadGenerator(options);
            await PublishConsentAsync(generator, settings, cancellationToken).ConfigureAwait(false);
            (int code, long acked) = await RunLoadAsync(generator, options, probe, cancellationToken).ConfigureAwait(false);
            if (spawned is not null)
            {
                // Acknowledged means persisted: the raw topic holds exactly the records the units got acks for.
                long raw = spawned.RawRecords();
                PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
                    $"raw topic: {raw:N0} records, {(raw == acked ? "every acknowledged record" : "NOT the " + acked.ToString("N0", CultureInfo.InvariantCulture) + " acknowledged")}"));
                return raw == acked ? code : ExitCodes.Failure;
            }

            return code;
        }
        finally
        {
            if (onExit is not null)
            {
                AppDomain.CurrentDomain.ProcessExit -= onExit;
            }

            if (spawned is not null)
            {
                await spawned.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>How long the connections are held idle, and Ingest's CPU measured, before sending starts (with Ingest's metrics).</summary>
    private static readonly TimeSpan IdleHold = TimeSpan.FromSeconds(5);

    /// <summary>With <c>--consent-mix</c>, publishes the population's consent decisions before anything is sent.</summary>
    private async Task PublishConsentAsync(LoadGenerator generator, LoadSettings settings, CancellationToken cancellationToken)
    {
        IReadOnlyList<ConsentChangeData> changes = generator.Consent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        if (changes.Count == 0)
        {
            return;
        }

        string bootstrap = settings.Bootstrap ?? ConsentChangeCommand.DefaultBootstrap;
        string topic = settings.ConsentTopic ?? Topics.ConsentChanges;
        Message<byte[], byte[]>[] messages = [.. changes.Select(static c => new Message<byte[], byte[]> { Key = c.MessageKey(), Value = c.ToMessage() })];
        await KafkaPublish.PublishAllAsync(bootstrap, KafkaClientProperties.From(settings), topic, ConsentTimeoutSeconds, messages, cancellationToken).ConfigureAwait(false);
        int grants = changes.Count(static c => c.Granted);
        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
            $"consent ({settings.ConsentMix} mix): published {changes.Count:N0} changes ({grants:N0} grants) for {generator.Vehicles.Count + generator.Visitors.Count:N0} subjects to {topic} via {bootstrap}"));
    }

    /// <summary>How long Kafka may take to acknowledge the consent changes.</summary>
    private const int ConsentTimeoutSeconds = 30;

    private async Task<(int Code, long Acked)> RunLoadAsync(LoadGenerator generator, LoadOptions options, IngestProbe? probe, CancellationToken cancellationToken)
    {
        LoadStats stats = generator.Stats;
        IngestSample? idle = probe is null ? null : await probe.SampleAfterFullCollectionAsync(cancellationToken).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        Task run = generator.RunAsync(cancellationToken);

        // 1. Every vehicle connects and is accepted; nothing is sent yet.
        while (!generator.AllConnected.IsCompleted)
        {
            await Task.WhenAny(generator.AllConnected, Task.Delay(1000, CancellationToken.None)).ConfigureAwait(false);
            PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
                $"{clock.Elapsed.TotalSeconds,6:F1} s  connecting: {stats.ActiveConnections,6} connected, {stats.ConnectionFailures} failed"));
        }

        double connectSeconds = clock.Elapsed.TotalSeconds;
        long connected = stats.ActiveConnections;
        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
            $"connected {connected:N0} of {options.Vehicles:N0} units in {connectSeconds:F1} s ({stats.ConnectionFailures} failed); none has sent anything yet"));
        if (probe is not null && idle is { } before)
        {
            await WaitForServerConnectionsAsync(probe, connected, cancellationToken).ConfigureAwait(false);
            IngestSample after = await probe.SampleAfterFullCollectionAsync(cancellationToken).ConfigureAwait(false);
            double n = Math.Max(1, after.OpenConnections);
            string heap = probe.CanCollect ? "GC heap (after a full collection)" : "GC heap (as of the latest collection, which may lag)";
            PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
                $"Ingest holds {after.OpenConnections:N0} connections. Working set {Mib(before.WorkingSetBytes)} before connecting, {Mib(after.WorkingSetBytes)} after: "
                + $"{Kib((after.WorkingSetBytes - before.WorkingSetBytes) / n)} per connection. {heap} {Mib(before.GcHeapBytes)} before, "
                + $"{Mib(after.GcHeapBytes)} after: {Kib((after.GcHeapBytes - before.GcHeapBytes) / n)} per connection"));

            // What holding the connections costs with nothing sent: the part of the CPU below that is not per record.
            await Task.Delay(IdleHold, cancellationToken).ConfigureAwait(false);
            IngestSample held = await probe.SampleAsync(cancellationToken).ConfigureAwait(false);
            PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
                $"Ingest CPU holding them idle for {IdleHold.TotalSeconds:F0} s: {100 * (held.CpuSeconds - after.CpuSeconds) / IdleHold.TotalSeconds:F1} % of one core; {held.OpenConnections:N0} connections"));
        }

        // 2. The vehicles send for the duration. The window measured ends at the last once-a-second tick before the
        // duration is over, while every connection is still open.
        string load = LoadAverage();
        generator.StartSending();
        var window = Stopwatch.StartNew();
        IngestSample? first = probe is null ? null : await probe.SampleAsync(cancellationToken).ConfigureAwait(false);
        long firstAcked = stats.RecordsAcked;
        IngestSample? last = first;
        long lastAcked = firstAcked;
        double lastSeconds = 0;
        double minServerConnections = double.MaxValue;
        long minClientConnections = long.MaxValue;
        while (!run.IsCompleted && window.Elapsed + TimeSpan.FromSeconds(1) < options.Duration)
        {
            await Task.WhenAny(run, Task.Delay(1000, CancellationToken.None)).ConfigureAwait(false);
            IngestSample? sample = probe is null ? null : await probe.SampleAsync(cancellationToken).ConfigureAwait(false);
            double seconds = window.Elapsed.TotalSeconds;
            long acked = stats.RecordsAcked;
            long clients = stats.ActiveConnections;
            minClientConnections = Math.Min(minClientConnections, clients);
            string server = "";
            if (sample is { } s)
            {
                minServerConnections = Math.Min(minServerConnections, s.OpenConnections);
                server = string.Create(CultureInfo.InvariantCulture, $"  Ingest: {s.OpenConnections,6:F0} connections, {Mib(s.WorkingSetBytes)}, CPU {100 * (s.CpuSeconds - last!.Value.CpuSeconds) / (seconds - lastSeconds),5:F1} %");
                last = s;
            }

            double rate = seconds > lastSeconds ? (acked - lastAcked) / (seconds - lastSeconds) : 0;
            PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
                $"{seconds,6:F1} s  connections {clients,6}  acked records {acked,10}  {rate,9:F0} records/s  wifi accepted {stats.HttpRecordsAccepted,8}  refused {stats.HttpRefused + stats.ConnectionFailures}{server}"));
            lastAcked = acked;
            lastSeconds = seconds;
        }

        double measured = lastSeconds;
        long windowAcked = lastAcked - firstAcked;
        string loadAfter = LoadAverage();

        // The vehicles stop when the duration is over: each awaits the ack in flight, then closes.
        await run.ConfigureAwait(false);

        double total = clock.Elapsed.TotalSeconds;
        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
            $"done in {total:F1} s: {stats.Connections} connections, {stats.RecordsSent} records sent, {stats.RecordsAcked} acked, "
            + $"{stats.PacketsAcked} packets ({generator.BurstAckLatency.Count} of them bursts); {stats.HttpRequests} gateway requests, {stats.HttpRecordsAccepted} Wi-Fi records accepted, "
            + $"{stats.HttpRefused} refused; {stats.ConnectionFailures} connection failures"));
        foreach (string refusal in stats.DescribeRefusals())
        {
            PlainText.WriteLine(Console, "  refused: " + refusal);
        }

        long heldByUnits = minClientConnections == long.MaxValue ? connected : minClientConnections;
        string heldByIngest = minServerConnections == double.MaxValue ? "" : string.Create(CultureInfo.InvariantCulture, $", {minServerConnections:N0} (Ingest)");
        PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
            $"sending window {measured:F1} s: {windowAcked:N0} records acked, {windowAcked / Math.Max(measured, 0.001):F0} records/s; connections held throughout: at least {heldByUnits:N0} (units){heldByIngest}"));
        PlainText.WriteLine(Console, "ack latency, last byte of a packet to its whole ack: all " + Describe(generator.AckLatency)
            + (generator.BurstAckLatency.Count > 0 ? "; regular " + Describe(generator.RegularAckLatency) + "; bursts " + Describe(generator.BurstAckLatency) : ""));
        if (first is { } f && last is { } l && measured > 0)
        {
            double cpu = l.CpuSeconds - f.CpuSeconds;
            double serverAcked = l.RecordsAcked - f.RecordsAcked;
            PlainText.WriteLine(Console, string.Create(CultureInfo.InvariantCulture,
                $"Ingest CPU over the window: {cpu:F2} s in {measured:F1} s = {100 * cpu / measured:F1} % of one core, {1e6 * cpu / Math.Max(1, serverAcked):F0} µs per acked record; "
                + $"at its end working set {Mib(l.WorkingSetBytes)}, GC heap {Mib(l.GcHeapBytes)} (as of the latest collection)"));
        }

        PlainText.WriteLine(Console, "load average (1, 5, 15 min) when sending started: " + load + "; when the window ended: " + loadAfter);
        bool complete = stats.RecordsAcked == stats.RecordsSent && stats.ConnectionFailures == 0 && stats.HttpRefused == 0;
        return (complete ? ExitCodes.Ok : ExitCodes.Failure, stats.RecordsAcked);
    }

    /// <summary>Scrapes until Ingest counts <paramref name="connections"/> open (its sessions start as the handshakes end), at most 30 s.</summary>
    private static async Task<IngestSample> WaitForServerConnectionsAsync(IngestProbe probe, long connections, CancellationToken cancellationToken)
    {
        var limit = Stopwatch.StartNew();
        while (true)
        {
            IngestSample sample = await probe.SampleAsync(cancellationToken).ConfigureAwait(false);
            if (sample.OpenConnections >= connections || limit.Elapsed > TimeSpan.FromSeconds(30))
            {
                return sample;
            }

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Describe(LatencyRecorder latency) => latency.Count == 0
        ? "none"
        : string.Create(CultureInfo.InvariantCulture,
            $"{latency.Count:N0} packets, p50 {latency.Percentile(50):F2} ms, p99 {latency.Percentile(99):F2} ms, max {latency.Percentile(100):F2} ms");

    private static string Mib(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024 * 1024):F1} MiB");

    private static string Kib(double bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024:F1} KiB");

    private static string LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return parts.Length >= 3 ? parts[0] + ", " + parts[1] + ", " + parts[2] : "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}

/// <summary>The options of <c>sieve load</c>, checked into <see cref="LoadOptions"/>.</summary>
public sealed class LoadSettings : SieveSettings, IKafkaClientSettings
{
    /// <summary><c>--property NAME=VALUE</c>, repeatable: librdkafka properties of the consent publisher, with <c>--consent-mix</c>.</summary>
    [CommandOption(KafkaClientProperties.PropertyOption + " <NAME=VALUE>")]
    public string[] Properties { get; init; } = [];

    /// <summary><c>--properties FILE</c>.</summary>
    [CommandOption(KafkaClientProperties.FileOption + " <FILE>")]
    public string? PropertiesFile { get; init; }

    /// <summary>The Meraki shared secret when <c>--meraki-secret</c> is not given (the example of src/Core/Gateways/README.md).</summary>
    public const string DefaultMerakiSecret = "meraki-shared-secret-0001";

    /// <summary>The Meraki network id when <c>--meraki-network</c> is not given.</summary>
    public const string DefaultMerakiNetwork = "N_24329156";

    /// <summary>The captive portal's gateway id when <c>--portal-gateway</c> is not given.</summary>
    public const string DefaultPortalGateway = "gw-bj-01";

    /// <summary>The captive portal's outlet id when <c>--portal-outlet</c> is not given.</summary>
    public const string DefaultPortalOutlet = "outlet-bj-01";

    /// <summary>The captive portal's token when <c>--portal-token</c> is not given.</summary>
    public const string DefaultPortalToken = "portal-token-bj-01-7f3a9c";

    /// <summary><c>--tcp HOST:PORT</c>: the Teltonika TCP endpoint.</summary>
    [CommandOption("--tcp <HOST:PORT>")]
    public string? Tcp { get; init; }

    /// <summary><c>--http URL</c>: the gateway endpoints' base address.</summary>
    [CommandOption("--http <URL>")]
    public string? Http { get; init; }

    /// <summary><c>--metrics URL</c>: Ingest's operations listener (its <c>Metrics:Urls</c>), to read its connections, memory and CPU.</summary>
    [CommandOption("--metrics <URL>")]
    public string? Metrics { get; init; }

    /// <summary><c>--start-ingest</c>: run Ingest as a process of its own, publishing to an embedded Kafka, and measure it.</summary>
    [CommandOption("--start-ingest")]
    public bool StartIngest { get; init; }

    /// <summary><c>--partitions N</c> as given: the raw topic's partitions with <c>--start-ingest</c>.</summary>
    [CommandOption("--partitions <N>")]
    public string? Partitions { get; init; }

    /// <summary><c>--services DIR</c>: where <c>Sieve.Ingest.dll</c> is, with <c>--start-ingest</c> (default: this source tree's build).</summary>
    [CommandOption("--services <DIR>")]
    public string? Services { get; init; }

    /// <summary><c>--connect-concurrency N</c> as given.</summary>
    [CommandOption("--connect-concurrency <N>")]
    public string? ConnectConcurrency { get; init; }

    /// <summary><c>--burst-every S</c> as given.</summary>
    [CommandOption("--burst-every <S>")]
    public string? BurstEvery { get; init; }

    /// <summary><c>--burst-percent P</c> as given.</summary>
    [CommandOption("--burst-percent <P>")]
    public string? BurstPercent { get; init; }

    /// <summary><c>--burst-records N</c> as given.</summary>
    [CommandOption("--burst-records <N>")]
    public string? BurstRecords { get; init; }

    /// <summary>The raw topic's partitions with <c>--start-ingest</c> when <c>--partitions</c> is not given.</summary>
    public const int DefaultPartitions = 32;

    /// <summary>The raw topic's partitions with <c>--start-ingest</c>.</summary>
    public int PartitionCount { get; private set; } = DefaultPartitions;

    /// <summary>The metrics page's base address, once validated.</summary>
    public Uri? MetricsUrl { get; private set; }

    /// <summary><c>--vehicles N</c> as given.</summary>
    [CommandOption("--vehicles <N>")]
    public string? Vehicles { get; init; }

    /// <summary><c>--seconds S</c> as given.</summary>
    [CommandOption("--seconds <S>")]
    public string? Seconds { get; init; }

    /// <summary><c>--records-per-vehicle N</c> as given.</summary>
    [CommandOption("--records-per-vehicle <N>")]
    public string? RecordsPerVehicle { get; init; }

    /// <summary><c>--records-per-packet N</c> as given.</summary>
    [CommandOption("--records-per-packet <N>")]
    public string? RecordsPerPacket { get; init; }

    /// <summary><c>--interval-ms MS</c> as given.</summary>
    [CommandOption("--interval-ms <MS>")]
    public string? IntervalMs { get; init; }

    /// <summary><c>--visitors N</c> as given.</summary>
    [CommandOption("--visitors <N>")]
    public string? Visitors { get; init; }

    /// <summary><c>--seed N</c> as given.</summary>
    [CommandOption("--seed <N>")]
    public string? Seed { get; init; }

    /// <summary><c>--meraki-secret S</c>.</summary>
    [CommandOption("--meraki-secret <S>")]
    public string MerakiSecret { get; init; } = DefaultMerakiSecret;

    /// <summary><c>--meraki-network ID</c>.</summary>
    [CommandOption("--meraki-network <ID>")]
    public string MerakiNetwork { get; init; } = DefaultMerakiNetwork;

    /// <summary><c>--portal-gateway ID</c>.</summary>
    [CommandOption("--portal-gateway <ID>")]
    public string PortalGateway { get; init; } = DefaultPortalGateway;

    /// <summary><c>--portal-outlet ID</c>.</summary>
    [CommandOption("--portal-outlet <ID>")]
    public string PortalOutlet { get; init; } = DefaultPortalOutlet;

    /// <summary><c>--portal-token T</c>.</summary>
    [CommandOption("--portal-token <T>")]
    public string PortalToken { get; init; } = DefaultPortalToken;

    /// <summary><c>--consent-mix none|demo</c> as given.</summary>
    [CommandOption("--consent-mix <MIX>")]
    public string? ConsentMix { get; init; }

    /// <summary><c>--bootstrap HOST:PORT</c>: the Kafka the consent changes go to, with <c>--consent-mix</c>.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string? Bootstrap { get; init; }

    /// <summary><c>--consent-topic TOPIC</c>: where the consent changes go, with <c>--consent-mix</c>.</summary>
    [CommandOption("--consent-topic <TOPIC>")]
    public string? ConsentTopic { get; init; }

    /// <summary>What the run sends, where and for how long, once validated.</summary>
    public LoadOptions Options { get; } = new();

    /// <inheritdoc/>
    protected override string CommandName => LoadCommand.Name;

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        LoadOptions o = Options;
        int value;
        if (Tcp is not null)
        {
            int colon = Tcp.LastIndexOf(':');
            if (colon <= 0 || !TryInt(Tcp[(colon + 1)..], 1, 65535, out int port)) { return ValidationResult.Error("--tcp needs HOST:PORT"); }
            o.TcpHost = Tcp[..colon];
            o.TcpPort = port;
        }

        if (Vehicles is not null)
        {
            if (!TryInt(Vehicles, 0, 100_000, out value)) { return ValidationResult.Error("--vehicles needs a whole number from 0 to 100000"); }
            o.Vehicles = value;
        }

        if (Seconds is not null)
        {
            if (!TryInt(Seconds, 1, 86_400, out value)) { return ValidationResult.Error("--seconds needs a whole number from 1 to 86400"); }
            o.Duration = TimeSpan.FromSeconds(value);
        }

        if (RecordsPerVehicle is not null)
        {
            if (!TryInt(RecordsPerVehicle, 0, int.MaxValue, out value)) { return ValidationResult.Error("--records-per-vehicle needs a whole number (0: no limit)"); }
            o.RecordsPerVehicle = value;
        }

        if (RecordsPerPacket is not null)
        {
            if (!TryInt(RecordsPerPacket, 1, 255, out value)) { return ValidationResult.Error("--records-per-packet needs a whole number from 1 to 255"); }
            o.RecordsPerPacket = value;
        }

        if (IntervalMs is not null)
        {
            if (!TryInt(IntervalMs, 0, 3_600_000, out value)) { return ValidationResult.Error("--interval-ms needs a whole number of milliseconds"); }
            o.PacketInterval = TimeSpan.FromMilliseconds(value);
        }

        if (Visitors is not null)
        {
            if (!TryInt(Visitors, 0, 1_000_000, out value)) { return ValidationResult.Error("--visitors needs a whole number"); }
            o.Visitors = value;
        }

        if (Seed is not null)
        {
            if (!TryInt(Seed, int.MinValue, int.MaxValue, out value)) { return ValidationResult.Error("--seed needs a whole number"); }
            o.Seed = value;
        }

        if (ConnectConcurrency is not null)
        {
            if (!TryInt(ConnectConcurrency, 1, 100_000, out value)) { return ValidationResult.Error("--connect-concurrency needs a whole number from 1 to 100000"); }
            o.ConnectConcurrency = value;
        }

        if (BurstEvery is not null)
        {
            if (!TryInt(BurstEvery, 1, 86_400, out value)) { return ValidationResult.Error("--burst-every needs a whole number of seconds from 1 to 86400"); }
            o.BurstEvery = TimeSpan.FromSeconds(value);
        }

        if (BurstPercent is not null)
        {
            if (!double.TryParse(BurstPercent, NumberStyles.Float, CultureInfo.InvariantCulture, out double percent) || percent is < 0 or > 100)
            {
                return ValidationResult.Error("--burst-percent needs a number from 0 to 100");
            }

            o.BurstPercent = percent;
        }

        if (BurstRecords is not null)
        {
            if (!TryInt(BurstRecords, 1, 255, out value)) { return ValidationResult.Error("--burst-records needs a whole number from 1 to 255"); }
            o.BurstRecords = value;
        }

        if (Partitions is not null)
        {
            if (!TryInt(Partitions, 1, 1024, out value)) { return ValidationResult.Error("--partitions needs a whole number from 1 to 1024"); }
            PartitionCount = value;
        }

        if (Metrics is not null)
        {
            if (!Uri.TryCreate(Metrics.EndsWith('/') ? Metrics : Metrics + "/", UriKind.Absolute, out Uri? ops) || ops.Scheme != Uri.UriSchemeHttp)
            {
                return ValidationResult.Error("--metrics needs Ingest's metrics listener, such as http://127.0.0.1:9464");
            }

            MetricsUrl = ops;
        }

        if (StartIngest && (Tcp is not null || Http is not null || Metrics is not null))
        {
            return ValidationResult.Error("--start-ingest starts its own Ingest: give no --tcp, --http or --metrics with it");
        }

        if (!StartIngest && (Partitions is not null || Services is not null))
        {
            return ValidationResult.Error("--partitions and --services go with --start-ingest");
        }

        if (ConsentMix is not null)
        {
            switch (ConsentMix)
            {
                case "none": o.ConsentMix = LoadConsentMix.None; break;
                case "demo": o.ConsentMix = LoadConsentMix.Demo; break;
                default: return ValidationResult.Error("--consent-mix needs none or demo");
            }

            if (o.ConsentMix != LoadConsentMix.None && StartIngest)
            {
                return ValidationResult.Error("--consent-mix goes to a pipeline's Kafka: give it with --tcp or --http, not --start-ingest");
            }
        }

        if ((Bootstrap is not null || ConsentTopic is not null || KafkaClientProperties.Given(this)) && o.ConsentMix == LoadConsentMix.None)
        {
            return ValidationResult.Error("--bootstrap, --consent-topic, --property and --properties go with --consent-mix demo");
        }

        if (Bootstrap is { } bootstrap && string.IsNullOrWhiteSpace(bootstrap) || ConsentTopic is { } topic && string.IsNullOrWhiteSpace(topic))
        {
            return ValidationResult.Error("--bootstrap and --consent-topic must not be empty");
        }

        if (Http is not null)
        {
            if (!Uri.TryCreate(Http.EndsWith('/') ? Http : Http + "/", UriKind.Absolute, out Uri? baseAddress)
                || (baseAddress.Scheme != Uri.UriSchemeHttp && baseAddress.Scheme != Uri.UriSchemeHttps))
            {
                return ValidationResult.Error("--http needs a URL such as http://127.0.0.1:8080");
            }

            o.Http = new GatewayTargets
            {
                BaseAddress = baseAddress,
                MerakiSecret = MerakiSecret,
                MerakiNetworkId = MerakiNetwork,
                PortalGatewayId = PortalGateway,
                PortalOutletId = PortalOutlet,
                PortalToken = PortalToken,
            };
        }

        return o.TcpHost is null && o.Http is null && !StartIngest
            ? ValidationResult.Error($"give --tcp HOST:PORT, --http URL, or both, or --start-ingest; run 'sieve {CommandName} --help'")
            : ValidationResult.Success();
    }
}
