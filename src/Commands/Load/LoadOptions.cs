using Sieve.Simulation;

namespace Sieve.Commands.Load;

/// <summary>What a load run sends, where, and for how long.</summary>
public sealed class LoadOptions
{
    /// <summary>Simulated vehicles when <c>--vehicles</c> is not given.</summary>
    public const int DefaultVehicles = 100;

    /// <summary>Seconds of sending when <c>--seconds</c> is not given.</summary>
    public const int DefaultSeconds = 10;

    /// <summary>Records per AVL packet when <c>--records-per-packet</c> is not given.</summary>
    public const int DefaultRecordsPerPacket = 10;

    /// <summary>Milliseconds between a vehicle's packets when <c>--interval-ms</c> is not given.</summary>
    public const int DefaultIntervalMs = 1000;

    /// <summary>Wi-Fi visitors when <c>--visitors</c> is not given.</summary>
    public const int DefaultVisitors = 50;

    /// <summary>Handshakes in flight at once when <c>--connect-concurrency</c> is not given.</summary>
    public const int DefaultConnectConcurrency = 256;

    /// <summary>Percent of the vehicles in each burst when <c>--burst-percent</c> is not given.</summary>
    public const int DefaultBurstPercent = 10;

    /// <summary>Records of a burst packet when <c>--burst-records</c> is not given.</summary>
    public const int DefaultBurstRecords = 50;

    /// <summary>Seed when <c>--seed</c> is not given.</summary>
    public const int DefaultSeed = 2026;
    /// <summary>Host of the Teltonika TCP endpoint; null sends no telematics.</summary>
    public string? TcpHost { get; set; }

    /// <summary>Port of the Teltonika TCP endpoint.</summary>
    public int TcpPort { get; set; }

    /// <summary>Gateway endpoints; null sends no Wi-Fi.</summary>
    public GatewayTargets? Http { get; set; }

    /// <summary>Simulated vehicles, one TCP connection each.</summary>
    public int Vehicles { get; set; } = DefaultVehicles;

    /// <summary>How long to send; the run also ends when every vehicle has sent <see cref="RecordsPerVehicle"/>.</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(DefaultSeconds);

    /// <summary>Records each vehicle sends at most (0: no limit).</summary>
    public int RecordsPerVehicle { get; set; }

    /// <summary>Records per AVL packet (1 to 255).</summary>
    public int RecordsPerPacket { get; set; } = DefaultRecordsPerPacket;

    /// <summary>Pause between a vehicle's packets (after the acknowledgement); zero sends as fast as acks come.</summary>
    public TimeSpan PacketInterval { get; set; } = TimeSpan.FromMilliseconds(DefaultIntervalMs);

    /// <summary>Wi-Fi visitors the gateways see.</summary>
    public int Visitors { get; set; } = DefaultVisitors;

    /// <summary>Pause between gateway posts.</summary>
    public TimeSpan GatewayInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// When true, a vehicle whose connection fails (Ingest restarted, say) connects again after
    /// <see cref="ReconnectDelay"/> and resends the records not acknowledged, as units do; when false it stops.
    /// </summary>
    public bool Reconnect { get; set; }

    /// <summary>Pause before a vehicle connects again (<see cref="Reconnect"/>).</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// When true, every vehicle connects and completes its handshake first (<see cref="LoadGenerator.AllConnected"/>),
    /// and none sends until <see cref="LoadGenerator.StartSending"/>; <see cref="Duration"/> counts from then, and
    /// each vehicle's first packet comes at a random moment within its first <see cref="PacketInterval"/>, so the
    /// fleet's packets are spread as a real fleet's are. When false, each vehicle sends as soon as it is connected.
    /// </summary>
    public bool ConnectFirst { get; set; }

    /// <summary>Handshakes in flight at once while the vehicles first connect (the server's listen backlog is finite).</summary>
    public int ConnectConcurrency { get; set; } = DefaultConnectConcurrency;

    /// <summary>
    /// Every this long (from the start of sending), <see cref="BurstPercent"/> of the vehicles, drawn anew each time,
    /// send <see cref="BurstRecords"/> buffered records in one packet at the same moment, as units do when coverage
    /// comes back; zero for no bursts. A burst packet comes besides the vehicle's regular ones.
    /// </summary>
    public TimeSpan BurstEvery { get; set; }

    /// <summary>Percent of the vehicles in each burst (0 to 100).</summary>
    public double BurstPercent { get; set; } = DefaultBurstPercent;

    /// <summary>Records of a burst packet (1 to 255).</summary>
    public int BurstRecords { get; set; } = DefaultBurstRecords;

    /// <summary>Random seed of identities and movement.</summary>
    public int Seed { get; set; } = DefaultSeed;

    /// <summary>Consent decisions published for the simulated subjects before sending (<c>--consent-mix</c>).</summary>
    public LoadConsentMix ConsentMix { get; set; }
}

/// <summary>Which consent <c>sieve load</c> publishes for its simulated subjects before it sends.</summary>
public enum LoadConsentMix
{
    /// <summary>None: the pipeline sees no consent for them, so only purposes that need none receive their records.</summary>
    None,

    /// <summary>The mix of <c>sieve demo</c>: half consent to everything, one in five to positioning only, the rest to nothing.</summary>
    Demo,
}
