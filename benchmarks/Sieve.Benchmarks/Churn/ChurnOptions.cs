using System.Globalization;

namespace Sieve.Benchmarks.Churn;

/// <summary>Settings of the consent-churn run: <c>churn [--subjects N] [--changes-per-second N] [--seconds N] [--cache-capacity N]</c>.</summary>
internal sealed class ChurnOptions
{
    /// <summary>Vehicles in the population, each one consent subject.</summary>
    public int Subjects { get; init; } = 1_000_000;

    /// <summary>Consent changes written per second (1 % of the subjects by default).</summary>
    public int ChangesPerSecond { get; init; } = 10_000;

    /// <summary>Length of the measured window.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Near-cache capacity; two generations of half this each, so twice the subjects keep them all.</summary>
    public int CacheCapacity { get; init; }

    /// <summary>Parses the arguments after <c>churn</c>.</summary>
    /// <exception cref="ArgumentException">An unknown option or a value that is not a positive integer.</exception>
    public static ChurnOptions Parse(IReadOnlyList<string> args)
    {
        int subjects = 1_000_000;
        int? rate = null;
        int seconds = 30;
        int? capacity = null;
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            int value = i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
                ? v
                : throw new ArgumentException($"Option {name} needs a positive integer.");
            i++;
            switch (name)
            {
                case "--subjects":
                    subjects = value;
                    break;
                case "--changes-per-second":
                    rate = value;
                    break;
                case "--seconds":
                    seconds = Math.Min(value, 600);
                    break;
                case "--cache-capacity":
                    capacity = value;
                    break;
                default:
                    throw new ArgumentException($"Unknown option {name}; churn takes --subjects, --changes-per-second, --seconds and --cache-capacity.");
            }
        }

        return new ChurnOptions
        {
            Subjects = subjects,
            ChangesPerSecond = rate ?? Math.Max(1, subjects / 100),
            Duration = TimeSpan.FromSeconds(seconds),
            CacheCapacity = capacity ?? Math.Max(2, 2 * subjects),
        };
    }
}
