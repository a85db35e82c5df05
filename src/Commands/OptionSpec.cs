namespace Sieve.Commands;

/// <summary>An option a command accepts.</summary>
/// <param name="Name">Long name with its dashes, e.g. <c>--event</c>.</param>
/// <param name="TakesValue">True for <c>--name VALUE</c>, false for a flag.</param>
/// <param name="Repeatable">True when the option may be given more than once, each value kept in order.</param>
internal readonly record struct OptionSpec(string Name, bool TakesValue, bool Repeatable = false)
{
    /// <summary>An option with a value.</summary>
    public static OptionSpec Value(string name) => new(name, true);

    /// <summary>An option with a value that may be given more than once (e.g. <c>--property k=v</c>).</summary>
    public static OptionSpec Repeated(string name) => new(name, true, true);

    /// <summary>A flag.</summary>
    public static OptionSpec Flag(string name) => new(name, false);
}
