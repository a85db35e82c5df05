using System.Diagnostics;
using System.Net.Sockets;
using Sieve.Commands.Demo;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Records;
using Sieve.Simulation;

namespace Sieve.Commands.Load;

/// <summary>
/// Runs simulated vehicles (one Teltonika TCP connection each, Codec 8 Extended packets, counting acknowledged
/// records) and simulated dealer gateways (Meraki observations and portal sessions over HTTP) against an Ingest
/// service.
/// </summary>
public sealed class LoadGenerator
{
    private static readonly string[] Domains = ["autohome.com.cn", "dongchedi.com", "yiche.com", "jd.com", "weather.com.cn"];
    private readonly LoadOptions _options;
    private readonly List<SimulatedVehicle> _vehicles = [];
    private readonly List<WifiSighting> _visitors = [];
    private readonly List<WifiSighting> _macOnly = [];
    private readonly List<WifiSighting> _withPhone = [];
    private readonly TaskCompletionSource _allConnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<long> _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connecting;

    /// <summary>Builds the population of <paramref name="options"/>.</summary>
    public LoadGenerator(LoadOptions options)
    {
        Check(options);

        _options = options;
        AckLatency = new LatencyRecorder(LatencyCapacity(options, options.Vehicles));
        RegularAckLatency = new LatencyRecorder(LatencyCapacity(options, options.Vehicles));
        BurstAckLatency = new LatencyRecorder(LatencyCapacity(options, options.Vehicles));
        var ids = new SyntheticIdentities(options.Seed);
        var random = new Random(options.Seed);
        for (int i = 0; i < options.Vehicles; i++)
        {
            double r = 15_000 * Math.Sqrt(random.NextDouble()) / 111_320;
            double a = random.NextDouble() * 2 * Math.PI;
            _vehicles.Add(new SimulatedVehicle(ids.Imei(), ids.Vin(), 31.2304 + (r * Math.Cos(a)), 121.4737 + (r * Math.Sin(a)), random,
                Sieve.Simulation.FleetSimulator.OutletLocations));
        }

        for (int i = 0; i < options.Visitors; i++)
        {
            _visitors.Add(new WifiSighting(ids.Mac(randomized: random.Next(2) == 0), random.Next(2) == 0 ? ids.Phone() : null,
                31.2213 + (random.NextDouble() * 0.0005), 121.5447 + (random.NextDouble() * 0.0005), -40 - random.Next(50)));
        }

        SplitVisitors();
    }

    /// <summary>
    /// Uses a given population: <paramref name="vehicles"/> (<see cref="LoadOptions.Vehicles"/> is ignored) and
    /// <paramref name="visitors"/>; those with a phone number come through the captive portal, the others through Meraki.
    /// </summary>
    public LoadGenerator(LoadOptions options, IEnumerable<SimulatedVehicle> vehicles, IEnumerable<WifiSighting> visitors)
    {
        Check(options);

        _options = options;
        _vehicles.AddRange(vehicles);
        _visitors.AddRange(visitors);
        AckLatency = new LatencyRecorder(LatencyCapacity(options, _vehicles.Count));
        RegularAckLatency = new LatencyRecorder(LatencyCapacity(options, _vehicles.Count));
        BurstAckLatency = new LatencyRecorder(LatencyCapacity(options, _vehicles.Count));
        SplitVisitors();
    }

    private static void Check(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.RecordsPerPacket is < 1 or > AvlWriter.MaxRecordsPerPacket)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "RecordsPerPacket must be 1 to 255.");
        }

        if (options.BurstEvery > TimeSpan.Zero && (options.BurstRecords is < 1 or > AvlWriter.MaxRecordsPerPacket || options.BurstPercent is < 0 or > 100))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "BurstRecords must be 1 to 255 and BurstPercent 0 to 100.");
        }
    }

    /// <summary>About as many packets as the run may send (every one when it sends at intervals), from 1,000 to 2 million.</summary>
    private static int LatencyCapacity(LoadOptions options, int vehicles)
    {
        double seconds = options.Duration.TotalSeconds;
        double perVehicle = options.PacketInterval > TimeSpan.Zero ? (seconds / options.PacketInterval.TotalSeconds) + 1 : seconds * 1000;
        if (options.BurstEvery > TimeSpan.Zero)
        {
            perVehicle += seconds / options.BurstEvery.TotalSeconds;
        }

        return (int)Math.Clamp(perVehicle * vehicles, 1_000, 2_000_000);
    }

    private void SplitVisitors()
    {
        foreach (WifiSighting visitor in _visitors)
        {
            (visitor.PhoneNumber is null ? _macOnly : _withPhone).Add(visitor);
        }
    }

    /// <summary>The simulated vehicles (their identifiers are synthetic, and never printed).</summary>
    public IReadOnlyList<SimulatedVehicle> Vehicles => _vehicles;

    /// <summary>The Wi-Fi visitors the gateways see.</summary>
    public IReadOnlyList<WifiSighting> Visitors => _visitors;

    /// <summary>
    /// The consent subjects of the population: each vehicle by its VIN, each visitor by its phone number, or its MAC
    /// when it has none (as the demo's visitors are).
    /// </summary>
    public IEnumerable<(SubjectType Type, string Id)> Subjects()
    {
        foreach (SimulatedVehicle vehicle in _vehicles)
        {
            yield return (SubjectType.Vin, vehicle.Vin);
        }

        foreach (WifiSighting visitor in _visitors)
        {
            yield return visitor.PhoneNumber is { } phone ? (SubjectType.Phone, phone) : (SubjectType.Mac, visitor.ClientMac);
        }
    }

    /// <summary>
    /// The consent decisions of <see cref="LoadOptions.ConsentMix"/> for <see cref="Subjects"/>, effective before
    /// <paramref name="nowMillis"/>: none for <see cref="LoadConsentMix.None"/>, the demo's mix for <see cref="LoadConsentMix.Demo"/>.
    /// </summary>
    public IReadOnlyList<ConsentChangeData> Consent(long nowMillis) => _options.ConsentMix switch
    {
        LoadConsentMix.Demo => [.. FleetSimulator.DemoConsent(Subjects(), _options.Seed, nowMillis)],
        _ => [],
    };

    /// <summary>Told of every acknowledged record, from the vehicles' and gateways' tasks; null for none.</summary>
    public ILoadObserver? Observer { get; set; }

    /// <summary>The counters, live while <see cref="RunAsync"/> runs.</summary>
    public LoadStats Stats { get; } = new();

    /// <summary>
    /// Per acknowledged packet, from its last byte handed to the socket to its whole 4-byte acknowledgement read, in
    /// milliseconds (the most recent packets when there are more than it keeps).
    /// </summary>
    public LatencyRecorder AckLatency { get; }

    /// <summary>The same as <see cref="AckLatency"/> for regular packets only (every <see cref="LoadOptions.PacketInterval"/>).</summary>
    public LatencyRecorder RegularAckLatency { get; }

    /// <summary>The same as <see cref="AckLatency"/> for burst packets only (<see cref="LoadOptions.BurstEvery"/>).</summary>
    public LatencyRecorder BurstAckLatency { get; }

    /// <summary>
    /// Completes once every vehicle has made its first connection attempt (accepted or failed): with
    /// <see cref="LoadOptions.ConnectFirst"/>, the moment every connection is open and nothing has been sent yet.
    /// </summary>
    public Task AllConnected => _allConnected.Task;

    /// <summary>With <see cref="LoadOptions.ConnectFirst"/>, lets the vehicles send; <see cref="LoadOptions.Duration"/> counts from now.</summary>
    public void StartSending() => _go.TrySetResult(Stopwatch.GetTimestamp());

    /// <summary>
    /// Sends until the duration passes, every vehicle has sent its records, or <paramref name="cancellationToken"/>
    /// fires. With <see cref="LoadOptions.ConnectFirst"/>, nothing is sent before <see cref="StartSending"/>.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var connectGate = new SemaphoreSlim(Math.Max(1, _options.ConnectConcurrency));
        var tasks = new List<Task>(_vehicles.Count + 1);
        bool tcp = _options.TcpHost is not null && _vehicles.Count > 0;
        _connecting = tcp ? _vehicles.Count : 0;
        if (!tcp)
        {
            _allConnected.TrySetResult();
        }

        if (_options.ConnectFirst)
        {
            tasks.Add(StopAfterDurationAsync(stop));
        }
        else
        {
            StartSending();
            stop.CancelAfter(_options.Duration);
        }

        if (tcp)
        {
            for (int i = 0; i < _vehicles.Count; i++)
            {
                tasks.Add(DriveAsync(_vehicles[i], _options.Seed + i, connectGate, stop.Token));
            }
        }

        Task? gateways = null;
        if (_options.Http is not null && _visitors.Count > 0)
        {
            gateways = GatewaysAsync(_options.Http, stop.Token);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        if (gateways is not null)
        {
            if (tcp)
            {
                // Vehicles are done (record budgets spent): the gateways stop with them.
                await stop.CancelAsync().ConfigureAwait(false);
            }

            await gateways.ConfigureAwait(false);
        }
    }

    private async Task StopAfterDurationAsync(CancellationTokenSource stop)
    {
        try
        {
            await _go.Task.WaitAsync(stop.Token).ConfigureAwait(false);
            stop.CancelAfter(_options.Duration);
        }
        catch (OperationCanceledException)
        {
            // Stopped before sending started.
        }
    }

    private async Task DriveAsync(SimulatedVehicle vehicle, int seed, SemaphoreSlim connectGate, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        bool bursts = _options.BurstEvery > TimeSpan.Zero;
        var batch = new UnitRecord[Math.Max(_options.RecordsPerPacket, bursts ? _options.BurstRecords : 0)];
        int budget = _options.RecordsPerVehicle > 0 ? _options.RecordsPerVehicle : int.MaxValue;
        int sent = 0;
        // Records of the current packet not acknowledged yet; a reconnecting unit resends them, as units do.
        int pending = 0;
        bool pendingIsBurst = false;
        long spacingMillis = _options.PacketInterval > TimeSpan.Zero
            ? Math.Max(1, (long)_options.PacketInterval.TotalMilliseconds / _options.RecordsPerPacket)
            : 1000;
        long intervalTicks = (long)(_options.PacketInterval.TotalSeconds * Stopwatch.Frequency);
        long burstTicks = (long)(_options.BurstEvery.TotalSeconds * Stopwatch.Frequency);

        // Stopwatch timestamps: when the next regular packet is due, and the next burst and whether this vehicle is in it.
        long nextRegular = 0;
        long nextBurst = long.MaxValue;
        bool inBurst = false;
        bool attempted = false;
        bool started = false;
        TeltonikaConnection? connection = null;
        try
        {
            while (sent < budget && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    if (connection is null)
                    {
                        bool first = !attempted;
                        if (first)
                        {
                            await connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
                        }

                        try
                        {
                            connection = await TeltonikaConnection.ConnectAsync(_options.TcpHost!, _options.TcpPort, vehicle.Imei, cancellationToken).ConfigureAwait(false);
                            Stats.ConnectionOpened();
                        }
                        finally
                        {
                            if (first)
                            {
                                connectGate.Release();
                                attempted = true;
                                FirstAttemptDone();
                            }
                        }
                    }

                    if (!started)
                    {
                        long go = await _go.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
                        started = true;
                        nextRegular = _options.ConnectFirst && intervalTicks > 0 ? go + random.NextInt64(intervalTicks) : go;
                        if (bursts)
                        {
                            nextBurst = go + burstTicks;
                            inBurst = DrawBurst(random);
                        }
                    }

                    if (pending == 0)
                    {
                        // Bursts this vehicle is not in pass by; then the next packet is a burst if one is due first.
                        while (bursts && !inBurst && nextBurst <= nextRegular)
                        {
                            nextBurst += burstTicks;
                            inBurst = DrawBurst(random);
                        }

                        pendingIsBurst = bursts && inBurst && nextBurst <= nextRegular;
                        long due = pendingIsBurst ? nextBurst : nextRegular;
                        long now = Stopwatch.GetTimestamp();
                        if (due > now)
                        {
                            await Task.Delay(Stopwatch.GetElapsedTime(now, due), cancellationToken).ConfigureAwait(false);
                        }

                        if (pendingIsBurst)
                        {
                            nextBurst += burstTicks;
                            inBurst = DrawBurst(random);
                        }

                        pending = Math.Min(pendingIsBurst ? _options.BurstRecords : _options.RecordsPerPacket, budget - sent);
                        long nowMillis = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                        for (int i = 0; i < pending; i++)
                        {
                            // A unit records on its own schedule and sends what it buffered: the packet's records are
                            // spread over the time since the last send, the newest stamped now.
                            batch[i] = vehicle.Next(nowMillis - ((pending - 1 - i) * spacingMillis), spacingMillis / 1000.0, random);
                        }

                        Stats.RecordsWritten(pending);
                    }

                    // The ack is awaited even when the run is stopping, so every record written is counted or failed.
                    int acked = Math.Clamp(await connection.SendAsync(batch.AsMemory(0, pending), CancellationToken.None).ConfigureAwait(false), 0, pending);
                    double latency = connection.LastAckLatency.TotalMilliseconds;
                    AckLatency.Add(latency);
                    (pendingIsBurst ? BurstAckLatency : RegularAckLatency).Add(latency);

                    Stats.PacketAcked(acked);
                    Observer?.RecordsAcked(vehicle.Imei, batch.AsSpan(0, acked));
                    sent += acked;
                    if (acked < pending)
                    {
                        // The server took the first records only: the rest go again.
                        batch.AsSpan(acked, pending - acked).CopyTo(batch);
                        pending -= acked;
                        continue;
                    }

                    pending = 0;
                    if (!pendingIsBurst)
                    {
                        // The pause between regular packets runs from the acknowledgement.
                        nextRegular = Stopwatch.GetTimestamp() + intervalTicks;
                    }
                }
                catch (Exception e) when (_options.Reconnect && e is LoadException or SocketException or IOException)
                {
                    // Ingest went away (restarted, say): connect again after a pause and resend what was not acknowledged.
                    Stats.ConnectionFailed();
                    if (connection is not null)
                    {
                        Stats.ConnectionClosed();
                        await connection.DisposeAsync().ConfigureAwait(false);
                        connection = null;
                    }

                    await Task.Delay(_options.ReconnectDelay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run ended.
        }
        catch (Exception e) when (e is LoadException or SocketException or IOException)
        {
            Stats.ConnectionFailed();
        }
        finally
        {
            if (!attempted)
            {
                FirstAttemptDone();
            }

            if (connection is not null)
            {
                Stats.ConnectionClosed();
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private bool DrawBurst(Random random) => random.NextDouble() * 100 < _options.BurstPercent;

    private void FirstAttemptDone()
    {
        if (Interlocked.Decrement(ref _connecting) == 0)
        {
            _allConnected.TrySetResult();
        }
    }

    private async Task GatewaysAsync(GatewayTargets targets, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var client = new GatewayClient(http, targets) { Refused = Stats.HttpRefusal };
        var random = new Random(_options.Seed ^ 0x5A5A);
        var sightings = new List<WifiSighting>(8);
        var domains = new List<string>(4);
        var clock = Stopwatch.StartNew();
        try
        {
            await _go.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                if (_macOnly.Count > 0)
                {
                    // Distinct clients per post: Meraki reports each client once per post.
                    sightings.Clear();
                    int n = 1 + random.Next(Math.Min(8, _macOnly.Count));
                    int first = random.Next(_macOnly.Count);
                    for (int i = 0; i < n; i++)
                    {
                        sightings.Add(_macOnly[(first + i) % _macOnly.Count]);
                    }

                    int accepted = await PostAsync(client.PostMerakiAsync(sightings, now, CancellationToken.None), n).ConfigureAwait(false);
                    if (accepted == n && Observer is { } observer)
                    {
                        foreach (WifiSighting sighting in sightings)
                        {
                            observer.WifiAccepted(sighting, now.ToUnixTimeMilliseconds(), 1);
                        }
                    }
                }

                if (_withPhone.Count > 0)
                {
                    domains.Clear();
                    for (int i = random.Next(4); i > 0; i--)
                    {
                        domains.Add(Domains[random.Next(Domains.Length)]);
                    }

                    WifiSighting visitor = _withPhone[random.Next(_withPhone.Count)];
                    DateTimeOffset start = now.AddMinutes(-5 - random.Next(60));
                    int accepted = await PostAsync(client.PostPortalSessionAsync(visitor, start, now, domains, CancellationToken.None), 1).ConfigureAwait(false);
                    if (accepted > 0)
                    {
                        Observer?.WifiAccepted(visitor, start.ToUnixTimeMilliseconds(), accepted);
                    }
                }
                await Task.Delay(_options.GatewayInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    private async Task<int> PostAsync(Task<int> post, int records)
    {
        int accepted;
        try
        {
            accepted = await post.ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            accepted = -1;
        }

        Stats.HttpAnswered(accepted >= 0, accepted >= 0 ? accepted : records);
        return accepted;
    }
}
