namespace Sieve.Commands;

/// <summary>
/// One command's arguments, parsed against the options it declares: <c>--name value</c>, <c>--name=value</c>,
/// flags, and positionals (everything after <c>--</c> is positional). <c>-h</c> and <c>--help</c> are always
/// understood. Anything else is a usage error naming the option and pointing at the command's help.
/// </summary>
internal sealed class CommandArguments
{
    private readonly string _command;
    private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _repeated = new(StringComparer.Ordinal);
    private readonly List<string> _positionals = [];

    private CommandArguments(string command) => _command = command;

    /// <summary>True when <c>--help</c> or <c>-h</c> was given; the other arguments are then not checked.</summary>
    public bool HelpRequested { get; private set; }

    /// <summary>Arguments that are not options, in order.</summary>
    public IReadOnlyList<string> Positionals => _positionals;

    /// <summary>Parses <paramref name="args"/> for the command named <paramref name="command"/> (e.g. <c>policy check</c>).</summary>
    /// <exception cref="CliException">An unknown option, a repeated option that is not repeatable, or an option without its value.</exception>
    public static CommandArguments Parse(string command, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> options)
    {
        var parsed = new CommandArguments(command);
        foreach (string arg in args)
        {
            if (arg is "--help" or "-h")
            {
                parsed.HelpRequested = true;
                return parsed;
            }
        }

        bool optionsEnded = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (optionsEnded || arg.Length < 2 || arg[0] != '-')
            {
                parsed._positionals.Add(arg);
                continue;
            }

            if (arg == "--")
            {
                optionsEnded = true;
                continue;
            }

            string name = arg;
            string? inlineValue = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 2)
            {
                name = arg[..equals];
                inlineValue = arg[(equals + 1)..];
            }

            OptionSpec? spec = Find(options, name);
            if (spec is null)
            {
                ThrowHelper.Usage($"unknown option '{name}'; run 'sieve {command} --help' for the options");
            }

            if (parsed._given.ContainsKey(name) && !spec.Value.Repeatable)
            {
                ThrowHelper.Usage($"{name} is given more than once");
            }

            string? value = null;
            if (spec.Value.TakesValue)
            {
                if (inlineValue is not null)
                {
                    value = inlineValue;
                }
                else if (i + 1 < args.Count && !IsOptionLike(args[i + 1]))
                {
                    value = args[++i];
                }
                else
                {
                    ThrowHelper.Usage($"{name} needs a value; run 'sieve {command} --help'");
                }
            }
            else if (inlineValue is not null)
            {
                ThrowHelper.Usage($"{name} is a flag and takes no value");
            }

            parsed._given[name] = value;
            if (spec.Value.Repeatable)
            {
                if (!parsed._repeated.TryGetValue(name, out List<string>? values))
                {
                    values = [];
                    parsed._repeated[name] = values;
                }

                values.Add(value!);
            }
        }

        return parsed;
    }

    /// <summary>True when the option (flag or valued) was given.</summary>
    public bool Has(string name) => _given.ContainsKey(name);

    /// <summary>True when the flag was given.</summary>
    public bool Flag(string name) => _given.ContainsKey(name);

    /// <summary>The option's value, or null when it was not given.</summary>
    public string? Value(string name) => _given.TryGetValue(name, out string? value) ? value : null;

    /// <summary>Every value of a repeatable option, in the order given; empty when it was not given.</summary>
    public IReadOnlyList<string> Values(string name) => _repeated.TryGetValue(name, out List<string>? values) ? values : [];

    /// <summary>The option's value, or <paramref name="defaultValue"/> when it was not given.</summary>
    public string Value(string name, string defaultValue) => Value(name) ?? defaultValue;

    /// <summary>The option's value.</summary>
    /// <exception cref="CliException">The option was not given (usage error naming it).</exception>
    public string Required(string name, string what)
    {
        string? value = Value(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            ThrowHelper.Usage($"{name} {what} is required; run 'sieve {_command} --help'");
        }

        return value;
    }

    /// <summary>Checks the number of positionals.</summary>
    /// <exception cref="CliException">Too few or too many (usage error saying what is expected).</exception>
    public void ExpectPositionals(int min, int max, string expected)
    {
        if (_positionals.Count < min)
        {
            ThrowHelper.Usage($"{expected} is missing; run 'sieve {_command} --help'");
        }

        if (_positionals.Count > max)
        {
            ThrowHelper.Usage($"unexpected argument '{_positionals[max]}'; run 'sieve {_command} --help'");
        }
    }

    private static bool IsOptionLike(string arg) => arg.StartsWith("--", StringComparison.Ordinal) || arg == "-h";

    private static OptionSpec? Find(IReadOnlyList<OptionSpec> options, string name)
    {
        foreach (OptionSpec option in options)
        {
            if (string.Equals(option.Name, name, StringComparison.Ordinal))
            {
                return option;
            }
        }

        return null;
    }
}
