using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands;

/// <summary>
/// The options of one <c>sieve</c> command. Values arrive as text and are checked by <see cref="CommandSettings.Validate"/>,
/// so that every problem is one line naming the option and what to give, the same whatever the command.
/// </summary>
public abstract class SieveSettings : CommandSettings
{
    /// <summary>The words after <c>sieve</c> that name the command, e.g. <c>policy check</c>.</summary>
    protected abstract string CommandName { get; }

    /// <summary>
    /// The problem to report when <paramref name="option"/> (with its dashes) is given without its value; null for the
    /// usual "needs a value" line.
    /// </summary>
    public virtual string? MissingValueProblem(string option) => null;

    /// <summary>A usage error naming <paramref name="option"/> as required.</summary>
    protected ValidationResult Required(string option, string what) =>
        ValidationResult.Error($"{option} {what} is required; run 'sieve {CommandName} --help'");

    /// <summary>True when <paramref name="text"/> is a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    protected static bool TryInt(string? text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    /// <summary>As <see cref="TryInt"/>, digits only (no sign, no spaces).</summary>
    protected static bool TryDigits(string? text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    /// <summary>Reads <c>--timeout</c> in seconds (1 to 3600), or <paramref name="defaultSeconds"/> when absent.</summary>
    protected static ValidationResult CheckTimeout(string? text, int defaultSeconds, out int seconds)
    {
        seconds = defaultSeconds;
        if (text is null)
        {
            return ValidationResult.Success();
        }

        return TryDigits(text, 1, 3600, out seconds)
            ? ValidationResult.Success()
            : ValidationResult.Error("--timeout must be a whole number of seconds from 1 to 3600");
    }
}

/// <summary>
/// Extra librdkafka client properties of a command that talks to Kafka: <c>--property NAME=VALUE</c> and
/// <c>--properties FILE</c> (see <see cref="KafkaClientProperties"/>). A command whose settings derive from
/// another base declares the two options itself and implements this.
/// </summary>
internal interface IKafkaClientSettings
{
    /// <summary><c>--property NAME=VALUE</c>, repeatable.</summary>
    string[] Properties { get; }

    /// <summary><c>--properties FILE</c>.</summary>
    string? PropertiesFile { get; }
}

/// <summary>The options of a command that talks to Kafka: extra librdkafka client properties.</summary>
internal abstract class KafkaClientSettings : SieveSettings, IKafkaClientSettings
{
    /// <summary><c>--property NAME=VALUE</c>, repeatable.</summary>
    [CommandOption(KafkaClientProperties.PropertyOption + " <NAME=VALUE>")]
    public string[] Properties { get; init; } = [];

    /// <summary><c>--properties FILE</c>.</summary>
    [CommandOption(KafkaClientProperties.FileOption + " <FILE>")]
    public string? PropertiesFile { get; init; }
}
