using Sieve.Commands.Load;

namespace Sieve.Commands.Soak;

/// <summary>What a soak did and found.</summary>
internal sealed class SoakResult
{
    public required SoakOptions Options { get; init; }

    /// <summary>The work folder (logs, lake, keys).</summary>
    public required string Directory { get; init; }

    /// <summary>How long the load (and the kills) ran.</summary>
    public required TimeSpan LoadTime { get; init; }

    /// <summary>How long the drain took.</summary>
    public required TimeSpan DrainTime { get; init; }

    /// <summary>True when everything was audited, decided and landed within the drain limit.</summary>
    public required bool Drained { get; init; }

    public required IReadOnlyList<SoakKill> Kills { get; init; }

    /// <summary>Per service: starts and the exit codes of exits nobody asked for.</summary>
    public required IReadOnlyList<(string Name, int Starts, int[] UnexpectedExits)> Services { get; init; }

    public required LoadStats Load { get; init; }

    public required int Vehicles { get; init; }

    public required int Visitors { get; init; }

    public required int IdentifiersLookedFor { get; init; }

    public required SoakFindings Findings { get; init; }

    public required LeakCounts Leaks { get; init; }

    public required Dictionary<string, long> RecordsByTopic { get; init; }

    /// <summary>Data moved through every stage, a service was killed, nothing was lost or leaked, and the drain finished.</summary>
    public bool Passed => Drained && Kills.Count > 0 && Findings.Exercised && Findings.NothingLost && Leaks.Hits == 0;
}
