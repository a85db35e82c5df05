namespace Sieve.Commands.Soak;

/// <summary>What a soak runs, and for how long.</summary>
internal sealed class SoakOptions
{
    /// <summary>Minutes the load runs when <c>--minutes</c> is not given.</summary>
    public const int DefaultMinutes = 30;

    /// <summary>Shortest pause between kills, in seconds, when <c>--kill-every</c> is not given.</summary>
    public const int DefaultKillMinSeconds = 20;

    /// <summary>Longest pause between kills, in seconds, when <c>--kill-every</c> is not given.</summary>
    public const int DefaultKillMaxSeconds = 60;

    /// <summary>Simulated vehicles when <c>--vehicles</c> is not given.</summary>
    public const int DefaultVehicles = 30;

    /// <summary>Wi-Fi visitors when <c>--visitors</c> is not given.</summary>
    public const int DefaultVisitors = 40;

    /// <summary>Seed when <c>--seed</c> is not given.</summary>
    public const int DefaultSeed = 2026;

    /// <summary>How long the load runs (and services are killed).</summary>
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(DefaultMinutes);

    /// <summary>Shortest pause between kills.</summary>
    public TimeSpan KillMin { get; set; } = TimeSpan.FromSeconds(DefaultKillMinSeconds);

    /// <summary>Longest pause between kills (60 s by default: 40 s on average, so 30 minutes see about 45 kills).</summary>
    public TimeSpan KillMax { get; set; } = TimeSpan.FromSeconds(DefaultKillMaxSeconds);

    /// <summary>How long the drain after the load may take before the checks run on what there is.</summary>
    public TimeSpan DrainLimit { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Simulated vehicles (one Teltonika connection each, a packet of 5 records every 5 s).</summary>
    public int Vehicles { get; set; } = DefaultVehicles;

    /// <summary>Wi-Fi visitors the gateways see (one Meraki post and one portal session a second).</summary>
    public int Visitors { get; set; } = DefaultVisitors;

    /// <summary>Partitions of the raw and purpose topics.</summary>
    public int Partitions { get; set; } = 4;

    /// <summary>The Sink's <c>Sink:RollSeconds</c>.</summary>
    public int SinkRollSeconds { get; set; } = 5;

    /// <summary>Seed of the population, the load and the kills.</summary>
    public int Seed { get; set; } = DefaultSeed;

    /// <summary>Work folder (logs, lake, keys); a new temporary one when null.</summary>
    public string? Directory { get; set; }

    /// <summary>Folder holding the service builds; the source tree's build output when null.</summary>
    public string? Services { get; set; }
}
