using System.Text.Json;
using System.Text.Json.Serialization;

namespace Sieve.Commands.Bench;

/// <summary>The whole result of <c>sieve bench</c>, as printed and as written by <c>--json</c>.</summary>
public sealed class BenchReport
{
    /// <summary>Serializer options of the JSON report.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The goal for <see cref="Ratio"/>.</summary>
    public const double RatioGoal = 0.85;

    /// <summary>Processor count, operating system and runtime.</summary>
    public required string Machine { get; init; }

    /// <summary>1-, 5- and 15-minute load averages when the run ended (Linux), else empty.</summary>
    public required IReadOnlyList<double> LoadAverage { get; init; }

    /// <summary>The Kafka cluster used.</summary>
    public required string Kafka { get; init; }

    /// <summary><c>redis</c> or <c>in-memory</c>.</summary>
    public required string ConsentStore { get; init; }

    /// <summary>Pre-generated inputs.</summary>
    public int Events { get; init; }

    /// <summary>Partitions per topic.</summary>
    public int Partitions { get; init; }

    /// <summary>Subjects of the population (vehicles and visitors).</summary>
    public int Subjects { get; init; }

    /// <summary>The raw pass-through run.</summary>
    public required ThroughputResult PassThrough { get; init; }

    /// <summary>The minimizer run.</summary>
    public required ThroughputResult Minimizer { get; init; }

    /// <summary>Minimizer inputs/s over pass-through inputs/s.</summary>
    public double Ratio { get; init; }

    /// <summary>How the engines closed their batches (<c>--batch-policy</c>).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<Core.Engine.BatchPolicy>))]
    public Core.Engine.BatchPolicy BatchPolicy { get; init; }

    /// <summary>The paced latency levels, in the order they ran.</summary>
    public required IReadOnlyList<PacedResult> Latency { get; init; }

    /// <summary>The same levels through the raw pass-through, in the same order: the setup's own latency at each rate.</summary>
    public IReadOnlyList<PacedFloorResult> Floor { get; init; } = [];

    /// <summary>Held records the release stage decided (released or withheld) during the paced run.</summary>
    public long ReleaseDecided { get; init; }

    /// <summary>Held records the release stage still held when the paced run ended (their trips not over).</summary>
    public long ReleaseHeld { get; init; }

    /// <summary>True when some input was not accounted for: the numbers mean nothing.</summary>
    public bool Void { get; init; }

    /// <summary>Why the run is void, or what else did not match.</summary>
    public required IReadOnlyList<string> Problems { get; init; }
}
