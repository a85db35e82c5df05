namespace Sieve.Cli.Commands;

/// <summary>An option a command accepts.</summary>
/// <param name="Name">Long name with its dashes, e.g. <c>--event</c>.</param>
/// <param name="TakesValue">True for <c>--name VALUE</c>, false for a flag.</param>
internal readonly record struct OptionSpec(string Name, bool TakesValue)
{
    /// <summary>An option with a value.</summary>
    public static OptionSpec Value(string name) => new(name, true);

    /// <summary>A flag.</summary>
    public static OptionSpec Flag(string name) => new(name, false);
}
