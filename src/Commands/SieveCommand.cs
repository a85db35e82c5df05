using System.Reflection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands;

/// <summary>
/// A <c>sieve</c> command: refuses an option given twice unless it is repeatable, writes to the console it is given,
/// and, when the command line is only being parsed (tests), hands its settings back instead of running.
/// </summary>
/// <typeparam name="TSettings">Its options.</typeparam>
public abstract class SieveCommand<TSettings> : AsyncCommand<TSettings>
    where TSettings : SieveSettings
{
    private static readonly HashSet<string> SingleOptions = OptionsTakenOnce();

    private readonly CliSession _session;

    /// <summary>Creates the command for one run.</summary>
    protected SieveCommand(CliSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        _session = session;
    }

    /// <summary>Where results go (tables, lists, JSON).</summary>
    protected IAnsiConsole Console => _session.Console;

    /// <summary>Runs the command with its checked settings; returns the exit code.</summary>
    protected abstract Task<int> RunAsync(TSettings settings, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public sealed override ValidationResult Validate(CommandContext context, TSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Remaining.Parsed.FirstOrDefault() is { } unknown)
        {
            // Parsing is relaxed so that a missing value is reported as such; an option no command declares lands here.
            return ValidationResult.Error($"unknown option '{unknown.Key}'; run 'sieve {context.Data} --help' for the options");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string arg in context.Arguments)
        {
            if (arg == "--")
            {
                break;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals > 2 ? arg[..equals] : arg;
            if (SingleOptions.Contains(name) && !seen.Add(name))
            {
                return ValidationResult.Error($"{name} is given more than once");
            }
        }

        if (context.Remaining.Raw.Count > 0)
        {
            return ValidationResult.Error($"unexpected argument '{context.Remaining.Raw[0]}'; run 'sieve {context.Data} --help'");
        }

        return ValidationResult.Success();
    }

    /// <inheritdoc/>
    public sealed override Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        if (_session.ParseOnly)
        {
            _session.Parsed = settings;
            return Task.FromResult(ExitCodes.Ok);
        }

        return RunAsync(settings, cancellationToken);
    }

    private static HashSet<string> OptionsTakenOnce()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (PropertyInfo property in typeof(TSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<CommandOptionAttribute>() is { } option && !property.PropertyType.IsArray)
            {
                foreach (string name in option.LongNames)
                {
                    names.Add("--" + name);
                }
            }
        }

        return names;
    }
}

/// <summary>What the commands of one <c>sieve</c> run share: the console, and whether they only parse.</summary>
public sealed class CliSession(IAnsiConsole console)
{
    /// <summary>Standard output.</summary>
    public IAnsiConsole Console { get; } = console;

    /// <summary>True when the command line is parsed and checked but not run (tests).</summary>
    internal bool ParseOnly { get; init; }

    /// <summary>The settings the command was given, when <see cref="ParseOnly"/>.</summary>
    internal SieveSettings? Parsed { get; set; }
}
