using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Privacy;

/// <summary>Which city <c>sieve privacy --simulate</c> drives.</summary>
internal enum SimulatedCity
{
    /// <summary>No simulation: read a topic or the lake.</summary>
    None,

    /// <summary>A dense mid-size city.</summary>
    Dense,

    /// <summary>A sprawling metropolis with a sparse fleet.</summary>
    Sparse,
}

/// <summary>Command-line options of <c>sieve privacy</c>.</summary>
internal sealed class PrivacySettings : KafkaClientSettings
{
    private const string VehiclesProblem = "--vehicles needs a whole number from 1 to 1000000, e.g. --vehicles 2000";
    private const string SeedProblem = "--seed needs a whole number, e.g. --seed 2026";
    private const string SimulateProblem = "--simulate needs dense or sparse";
    private const string JsonProblem = "--json needs a file path";

    /// <summary><c>--purpose NAME</c>.</summary>
    [CommandOption("--purpose <NAME>")]
    public string Purpose { get; init; } = Sieve.Contracts.Purposes.KnownPurposes.Analytics;

    /// <summary><c>--bootstrap HOST:PORT</c>.</summary>
    [CommandOption("--bootstrap <HOST:PORT>")]
    public string? Bootstrap { get; init; }

    /// <summary><c>--topic NAME</c>: the purpose's topic, when it is not the policy's.</summary>
    [CommandOption("--topic <NAME>")]
    public string? Topic { get; init; }

    /// <summary><c>--lake DIR</c>.</summary>
    [CommandOption("--lake <DIR>")]
    public string? Lake { get; init; }

    /// <summary><c>--policy FILE</c>.</summary>
    [CommandOption("--policy <FILE>")]
    public string? Policy { get; init; }

    /// <summary><c>--simulate dense|sparse</c> as given.</summary>
    [CommandOption("--simulate <CITY>")]
    public string? SimulateText { get; init; }

    /// <summary><c>--vehicles N</c> as given.</summary>
    [CommandOption("--vehicles <N>")]
    public string? VehiclesText { get; init; }

    /// <summary><c>--seed S</c> as given.</summary>
    [CommandOption("--seed <S>")]
    public string? SeedText { get; init; }

    /// <summary><c>--json FILE</c>: also write the figures as JSON.</summary>
    [CommandOption("--json <FILE>")]
    public string? Json { get; init; }

    /// <summary>The city to simulate, or <see cref="SimulatedCity.None"/>.</summary>
    public SimulatedCity Simulate { get; private set; }

    /// <summary>Simulated vehicles when <c>--vehicles</c> is not given.</summary>
    public const int DefaultVehicles = 2_000;

    /// <summary>Seed of the simulated city when <c>--seed</c> is not given.</summary>
    public const int DefaultSeed = 2026;

    /// <summary>Simulated vehicles.</summary>
    public int Vehicles { get; private set; } = DefaultVehicles;

    /// <summary>Seed of the simulated city.</summary>
    public int Seed { get; private set; } = DefaultSeed;

    /// <inheritdoc/>
    protected override string CommandName => PrivacyCommand.Name;

    /// <inheritdoc/>
    public override string? MissingValueProblem(string option) => option switch
    {
        "--vehicles" => VehiclesProblem,
        "--seed" => SeedProblem,
        "--simulate" => SimulateProblem,
        "--json" => JsonProblem,
        _ => null,
    };

    /// <inheritdoc/>
    public override ValidationResult Validate()
    {
        if (SimulateText is not null)
        {
            Simulate = SimulateText switch
            {
                "dense" => SimulatedCity.Dense,
                "sparse" => SimulatedCity.Sparse,
                _ => SimulatedCity.None,
            };
            if (Simulate == SimulatedCity.None)
            {
                return ValidationResult.Error(SimulateProblem);
            }
        }

        if (VehiclesText is not null)
        {
            if (!TryInt(VehiclesText, 1, 1_000_000, out int vehicles)) { return ValidationResult.Error(VehiclesProblem); }
            Vehicles = vehicles;
        }

        if (SeedText is not null)
        {
            if (!TryInt(SeedText, int.MinValue, int.MaxValue, out int seed)) { return ValidationResult.Error(SeedProblem); }
            Seed = seed;
        }

        int sources = (Simulate != SimulatedCity.None ? 1 : 0) + (Bootstrap is not null ? 1 : 0) + (Lake is not null ? 1 : 0);
        if (sources != 1)
        {
            return ValidationResult.Error("give exactly one of --simulate dense|sparse, --bootstrap HOST:PORT (with --topic) or --lake DIR");
        }

        if (Simulate == SimulatedCity.None && (VehiclesText is not null || SeedText is not null))
        {
            return ValidationResult.Error("--vehicles and --seed go with --simulate");
        }

        if (Topic is not null && Bootstrap is null)
        {
            return ValidationResult.Error("--topic goes with --bootstrap");
        }

        return Json is not null && string.IsNullOrWhiteSpace(Json) ? ValidationResult.Error(JsonProblem) : ValidationResult.Success();
    }
}
