using System.Text;
using System.Text.RegularExpressions;
using Sieve.Commands.Access;
using Sieve.Commands.Bench;
using Sieve.Commands.Consent;
using Sieve.Commands.Demo;
using Sieve.Commands.EmbeddedKafka;
using Sieve.Commands.Erasure;
using Sieve.Commands.Keys;
using Sieve.Commands.Load;
using Sieve.Commands.Policy;
using Sieve.Commands.Privacy;
using Sieve.Commands.PrivacyConsole;
using Sieve.Commands.Recall;
using Sieve.Commands.Soak;
using Sieve.Commands.TopicProvisioning;
using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace Sieve.Commands;

/// <summary>
/// The <c>sieve</c> command line on Spectre.Console.Cli: every command with its settings, one help text per command,
/// and one convention for errors: a single line <c>sieve COMMAND: PROBLEM</c> on the error writer with exit code 2
/// (usage or configuration) or 1 (failure). No stack trace is ever printed.
/// </summary>
public static partial class SieveCli
{
    private const string Overview = "sieve: enforce personal-data promises on telematics and dealer Wi-Fi streams";

    private static readonly CommandEntry[] Commands =
    [
        CommandEntry.Top(DemoCommand.Name, DemoCommand.Summary, typeof(DemoOptions), () => DemoOptions.Usage, static c => c.AddCommand<DemoCommand>("demo")),
        CommandEntry.Top(LoadCommand.Name, LoadCommand.Summary, typeof(LoadSettings), () => LoadCommand.Usage, static c => c.AddCommand<LoadCommand>("load")),
        CommandEntry.Top(BenchCommand.Name, BenchCommand.Summary, typeof(BenchOptions), () => BenchOptions.Usage, static c => c.AddCommand<BenchCommand>("bench")),
        CommandEntry.Top(SoakCommand.Name, SoakCommand.Summary, typeof(SoakSettings), () => SoakCommand.Usage, static c => c.AddCommand<SoakCommand>("soak")),
        CommandEntry.InGroup(PolicyCheckCommand.Name, PolicyCheckCommand.Summary, typeof(PolicyCheckSettings), () => PolicyCheckCommand.Usage, static c => c.AddCommand<PolicyCheckCommand>("check")),
        CommandEntry.InGroup(PolicyExplainCommand.Name, PolicyExplainCommand.Summary, typeof(PolicyExplainSettings), () => PolicyExplainCommand.Usage, static c => c.AddCommand<PolicyExplainCommand>("explain")),
        CommandEntry.InGroup(ConsentChangeCommand.GrantName, ConsentChangeCommand.GrantSummary, typeof(ConsentGrantSettings), () => ConsentChangeCommand.Usage(granted: true), static c => c.AddCommand<ConsentChangeCommand<ConsentGrantSettings>>("grant")),
        CommandEntry.InGroup(ConsentChangeCommand.WithdrawName, ConsentChangeCommand.WithdrawSummary, typeof(ConsentWithdrawSettings), () => ConsentChangeCommand.Usage(granted: false), static c => c.AddCommand<ConsentChangeCommand<ConsentWithdrawSettings>>("withdraw")),
        CommandEntry.InGroup(ConsentShowCommand.Name, ConsentShowCommand.Summary, typeof(ConsentShowSettings), () => ConsentShowCommand.Usage, static c => c.AddCommand<ConsentShowCommand>("show")),
        CommandEntry.InGroup(ConsentExpiringCommand.Name, ConsentExpiringCommand.Summary, typeof(ConsentExpiringSettings), () => ConsentExpiringCommand.Usage, static c => c.AddCommand<ConsentExpiringCommand>("expiring")),
        CommandEntry.InGroup(KeysGenerateCommand.Name, KeysGenerateCommand.Summary, typeof(KeysGenerateSettings), () => KeysGenerateCommand.Usage, static c => c.AddCommand<KeysGenerateCommand>("generate")),
        CommandEntry.InGroup(KeysRotateCommand.Name, KeysRotateCommand.Summary, typeof(KeysRotateSettings), () => KeysRotateCommand.Usage, static c => c.AddCommand<KeysRotateCommand>("rotate")),
        CommandEntry.InGroup(ErasureRequestCommand.Name, ErasureRequestCommand.Summary, typeof(ErasureRequestSettings), () => ErasureRequestCommand.Usage, static c => c.AddCommand<ErasureRequestCommand>("request")),
        CommandEntry.InGroup(ErasureStatusCommand.Name, ErasureStatusCommand.Summary, typeof(ErasureStatusSettings), () => ErasureStatusCommand.Usage, static c => c.AddCommand<ErasureStatusCommand>("status")),
        CommandEntry.Top(PrivacyCommand.Name, PrivacyCommand.Summary, typeof(PrivacySettings), () => PrivacyCommand.Usage, static c => c.AddCommand<PrivacyCommand>("privacy")),
        CommandEntry.Top(AccessCommand.Name, AccessCommand.Summary, typeof(AccessSettings), () => AccessCommand.Usage, static c => c.AddCommand<AccessCommand>("access")),
        CommandEntry.Top(ConsoleCommand.Name, ConsoleCommand.Summary, typeof(ConsoleSettings), () => ConsoleCommand.Usage, static c => c.AddCommand<ConsoleCommand>("console")),
        CommandEntry.InGroup(RecallKeygenCommand.Name, RecallKeygenCommand.Summary, typeof(RecallKeygenSettings), () => RecallKeygenCommand.Usage, static c => c.AddCommand<RecallKeygenCommand>("keygen")),
        CommandEntry.InGroup(RecallOperatorKeyCommand.Name, RecallOperatorKeyCommand.Summary, typeof(RecallOperatorKeySettings), () => RecallOperatorKeyCommand.Usage, static c => c.AddCommand<RecallOperatorKeyCommand>("operator-key")),
        CommandEntry.InGroup(RecallRequestCommand.Name, RecallRequestCommand.Summary, typeof(RecallRequestSettings), () => RecallRequestCommand.Usage, static c => c.AddCommand<RecallRequestCommand>("request")),
        CommandEntry.InGroup(RecallApproveCommand.Name, RecallApproveCommand.Summary, typeof(RecallApproveSettings), () => RecallApproveCommand.Usage, static c => c.AddCommand<RecallApproveCommand>("approve")),
        CommandEntry.InGroup(RecallResolveCommand.Name, RecallResolveCommand.Summary, typeof(RecallResolveSettings), () => RecallResolveCommand.Usage, static c => c.AddCommand<RecallResolveCommand>("resolve")),
        CommandEntry.InGroup(TopicsProvisionCommand.Name, TopicsProvisionCommand.Summary, typeof(TopicsProvisionSettings), () => TopicsProvisionCommand.Usage, static c => c.AddCommand<TopicsProvisionCommand>("provision")),
        CommandEntry.Top(KafkaCommand.Name, KafkaCommand.Summary, typeof(KafkaSettings), () => KafkaCommand.Usage, static c => c.AddCommand<KafkaCommand>("kafka")),
    ];

    /// <summary>Every command: its words after <c>sieve</c> (e.g. <c>policy check</c>) and the type of its settings.</summary>
    internal static IEnumerable<(string Name, Type Settings)> CommandTable => Commands.Select(static c => (c.Name, c.Settings));

    /// <summary>
    /// Runs the command named by <paramref name="args"/>, writing results to <paramref name="console"/> and error
    /// lines to <paramref name="error"/>.
    /// </summary>
    /// <param name="args">The command line after <c>sieve</c>.</param>
    /// <param name="console">Standard output (tables, lists, JSON, the demo's live view).</param>
    /// <param name="error">Standard error: one line per error.</param>
    /// <param name="cancellationToken">Cancels a running command (Ctrl+C).</param>
    /// <returns>The process exit code: 0 ok, 1 failure, 2 usage or configuration error, 130 interrupted.</returns>
    public static Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(error);
        if (!console.Profile.Capabilities.Interactive)
        {
            Unwrapped(console);
        }

        return RunAsync(args, new CliSession(console), error, cancellationToken);
    }

    /// <summary>
    /// The width a console gets when its output goes to a pipe, a file or a log: wide enough that no table cell
    /// (a pseudonym, a key id, a time) wraps, so every value can be copied and found with <c>grep</c>. A redirected
    /// console otherwise reports 80 columns.
    /// </summary>
    public const int UnwrappedWidth = 250;

    /// <summary>Widens <paramref name="console"/> to <see cref="UnwrappedWidth"/> (for output that is not a terminal).</summary>
    public static void Unwrapped(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        console.Profile.Width = Math.Max(console.Profile.Width, UnwrappedWidth);
    }

    /// <summary>
    /// Parses and checks the options of <paramref name="command"/> (e.g. <c>topics provision</c>) without running it:
    /// the settings it would run with, or null with the problem it would report.
    /// </summary>
    internal static TSettings? Parse<TSettings>(string command, IReadOnlyList<string> args, out string? problem)
        where TSettings : SieveSettings
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var session = new CliSession(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, Interactive = InteractionSupport.No }))
        {
            ParseOnly = true,
        };

        int exitCode = RunAsync([.. command.Split(' '), .. args], session, error, CancellationToken.None).GetAwaiter().GetResult();
        if (exitCode == ExitCodes.Ok && session.Parsed is TSettings settings)
        {
            problem = null;
            return settings;
        }

        string line = error.ToString().TrimEnd('\n', '\r');
        string prefix = "sieve " + command + ": ";
        problem = line.StartsWith(prefix, StringComparison.Ordinal) ? line[prefix.Length..] : line.Length > 0 ? line : output.ToString();
        return null;
    }

    /// <summary>
    /// One line for an exception no command anticipated: its type and the first line of its message. Library
    /// messages in this code base name fields and codes, never identifiers.
    /// </summary>
    public static string DescribeUnexpected(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return $"unexpected {exception.GetType().Name}: {FirstLine(exception.Message)}";
    }

    private static async Task<int> RunAsync(string[] args, CliSession session, TextWriter error, CancellationToken cancellationToken)
    {
        // 'sieve help policy check' is 'sieve policy check --help'; 'sieve help' of anything else is 'sieve --help'.
        if (args.Length > 0 && args[0] == "help")
        {
            string[] words = args[1..];
            bool known = (Find(words) is { } named && named.Words.Length == words.Length) || (words.Length == 1 && IsGroup(words[0]));
            args = known ? [.. words, "--help"] : ["--help"];
        }

        var help = new HelpText(session.Console);
        CommandEntry? entry = Find(args);
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("sieve");
            config.ConfigureConsole(session.Console);

            // Relaxed parsing: strict parsing retries a failed parse with a hidden default command inserted at every
            // position, which can turn '--out' without its value into '--out __default_command'. Unknown options are
            // refused by SieveCommand instead.
            config.SetHelpProvider(help);
            config.Settings.Registrar.RegisterInstance(session);
            config.SetExceptionHandler((e, _) => Report(e, entry, args, error, cancellationToken));
            foreach (IGrouping<string, CommandEntry> group in Commands.GroupBy(static c => c.Group))
            {
                if (group.Key.Length == 0)
                {
                    foreach (CommandEntry command in group)
                    {
                        command.Register(config).WithDescription(command.Summary).WithData(command.Name);
                    }

                    continue;
                }

                config.AddBranch(group.Key, branch =>
                {
                    foreach (CommandEntry command in group)
                    {
                        command.Register(branch).WithDescription(command.Summary).WithData(command.Name);
                    }
                });
            }
        });

        int exitCode = await app.RunAsync(args, cancellationToken).ConfigureAwait(false);

        // 'sieve' alone and 'sieve keys' alone show what can follow, but are not a command: usage error.
        return args.Length == 0 || (help.ShownForGroup && exitCode == 1) ? ExitCodes.Usage : exitCode;
    }

    private static int Report(Exception exception, CommandEntry? entry, string[] args, TextWriter error, CancellationToken cancellationToken)
    {
        string where = entry is null ? "sieve" : "sieve " + entry.Name;
        (string message, int exitCode) = exception switch
        {
            CliException e => (e.Message, e.ExitCode),
            OperationCanceledException when cancellationToken.IsCancellationRequested => ("interrupted", ExitCodes.Interrupted),
            CommandParseException e when UnknownCommand().Match(e.Message) is { Success: true } m => (UnknownCommandLine(args, m.Groups[1].Value, ref where), ExitCodes.Usage),
            CommandAppException e => (Describe(e, entry, args), ExitCodes.Usage),
            _ => (DescribeUnexpected(exception), ExitCodes.Failure),
        };

        // Exactly one line, whatever the message holds.
        error.WriteLine(where + ": " + message.ReplaceLineEndings(" "));
        error.Flush();
        return exitCode;
    }

    private static string UnknownCommandLine(string[] args, string word, ref string where)
    {
        CommandEntry? entry = Find(args);
        if (entry is not null)
        {
            // A word after a whole command: the command takes no such argument.
            return $"unexpected argument '{word}'; run 'sieve {entry.Name} --help'";
        }

        where = "sieve";
        string group = args.Length > 0 ? args[0] : word;
        return word != group && IsGroup(group)
            ? $"unknown command '{group} {word}'; run 'sieve {group} --help' to see its commands"
            : $"unknown command '{word}'; run 'sieve --help' to see the commands";
    }

    private static string Describe(CommandAppException exception, CommandEntry? entry, string[] args)
    {
        string command = entry?.Name ?? "";
        string hint = entry is null ? "run 'sieve --help'" : $"run 'sieve {command} --help'";
        string message = exception.Message;
        if (UnknownOption().Match(message) is { Success: true } unknown)
        {
            return $"unknown option '{Dashed(unknown.Groups[1].Value)}'; {hint} for the options";
        }

        if (UnexpectedOption().Match(message) is { Success: true } unexpected)
        {
            return $"unknown option '{Dashed(unexpected.Groups[1].Value)}'; {hint} for the options";
        }

        if (NoValue().Match(message) is { Success: true } noValue)
        {
            string option = Dashed(noValue.Groups[1].Value);
            SieveSettings? settings = entry is null ? null : Activator.CreateInstance(entry.Settings) as SieveSettings;
            return settings?.MissingValueProblem(option) ?? $"{option} needs a value; {hint}";
        }

        if (NotAnArgument().Match(message) is { Success: true } argument)
        {
            return $"unexpected argument '{argument.Groups[1].Value}'; {hint}";
        }

        if (message.StartsWith("Flags cannot be assigned a value", StringComparison.Ordinal))
        {
            foreach (string arg in args)
            {
                int equals = arg.IndexOf('=', StringComparison.Ordinal);
                if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 2)
                {
                    return $"{arg[..equals]} is a flag and takes no value";
                }
            }

            return "a flag takes no value; " + hint;
        }

        if (exception is CommandParseException)
        {
            return $"{FirstLine(message).TrimEnd('.')}; {hint}";
        }

        // Validation problems are already one line naming the option and what to give.
        return FirstLine(message);
    }

    private static string Dashed(string name) => name.StartsWith('-') ? name : (name.Length == 1 ? "-" : "--") + name;

    private static CommandEntry? Find(string[] args)
    {
        CommandEntry? found = null;
        foreach (CommandEntry command in Commands)
        {
            string[] words = command.Words;
            if (args.Length >= words.Length && args.AsSpan(0, words.Length).SequenceEqual(words))
            {
                found = command;
            }
        }

        return found;
    }

    private static bool IsGroup(string word)
    {
        foreach (CommandEntry command in Commands)
        {
            if (command.Group == word)
            {
                return true;
            }
        }

        return false;
    }

    private static string FirstLine(string message)
    {
        int newline = message.IndexOfAny(['\r', '\n']);
        return newline >= 0 ? message[..newline] : message;
    }

    private static string GeneralHelp()
    {
        var text = new StringBuilder();
        text.Append(Overview).Append("\n\nUsage: sieve COMMAND [options]\n\nCommands:\n");
        foreach (CommandEntry command in Commands)
        {
            text.Append("  ").Append(command.Name.PadRight(18)).Append(command.Name.Length >= 18 ? " " : "").Append(command.Summary).Append('\n');
        }

        text.Append("\nRun 'sieve COMMAND --help' for a command's options.\n")
            .Append("Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 130 interrupted.");
        return text.ToString();
    }

    private static string GroupHelp(string group)
    {
        var text = new StringBuilder();
        text.Append("Usage: sieve ").Append(group).Append(" COMMAND [options]\n\nCommands:\n");
        foreach (CommandEntry command in Commands)
        {
            if (command.Group == group)
            {
                text.Append("  ").Append(command.Name.PadRight(18)).Append(command.Name.Length >= 18 ? " " : "").Append(command.Summary).Append('\n');
            }
        }

        text.Append("\nRun 'sieve ").Append(group).Append(" COMMAND --help' for a command's options.");
        return text.ToString();
    }

    [GeneratedRegex("^Unknown command '(.*)'\\.")]
    private static partial Regex UnknownCommand();

    [GeneratedRegex("^Unknown option '(.*)'\\.")]
    private static partial Regex UnknownOption();

    [GeneratedRegex("^Unexpected option '(.*)'\\.")]
    private static partial Regex UnexpectedOption();

    [GeneratedRegex("^Option '(.*)' is defined but no value has been provided")]
    private static partial Regex NoValue();

    [GeneratedRegex("^Could not match '(.*)' with an argument")]
    private static partial Regex NotAnArgument();

    /// <summary>One command: its words, its one-line summary, its settings, its help text, and how it is registered.</summary>
    private sealed class CommandEntry(string name, string summary, Type settings, Func<string> usage,
        Func<IConfigurator, ICommandConfigurator>? top, Func<IConfigurator<CommandSettings>, ICommandConfigurator>? inGroup)
    {
        public static CommandEntry Top(string name, string summary, Type settings, Func<string> usage, Func<IConfigurator, ICommandConfigurator> register) =>
            new(name, summary, settings, usage, register, null);

        public static CommandEntry InGroup(string name, string summary, Type settings, Func<string> usage, Func<IConfigurator<CommandSettings>, ICommandConfigurator> register) =>
            new(name, summary, settings, usage, null, register);

        public string Name { get; } = name;

        public string[] Words { get; } = name.Split(' ');

        /// <summary>The first word of a two-word command (<c>policy</c>), else empty.</summary>
        public string Group => Words.Length > 1 ? Words[0] : "";

        public string Summary { get; } = summary;

        public Type Settings { get; } = settings;

        public string Usage => usage();

        public ICommandConfigurator Register(IConfigurator configurator) => top!(configurator);

        public ICommandConfigurator Register(IConfigurator<CommandSettings> configurator) => inGroup!(configurator);
    }

    /// <summary>
    /// Help as the commands write it: the overview, a group's commands, or a command's own usage text, written
    /// unwrapped so it reads the same in a terminal, a pipe or a test.
    /// </summary>
    private sealed class HelpText(IAnsiConsole console) : IHelpProvider
    {
        /// <summary>True when the help shown was a group's (e.g. <c>sieve keys</c>).</summary>
        public bool ShownForGroup { get; private set; }

        public IEnumerable<IRenderable> Write(ICommandModel model, ICommandInfo? command)
        {
            string text;
            if (command is null)
            {
                text = GeneralHelp();
            }
            else if (command.IsBranch)
            {
                ShownForGroup = true;
                text = GroupHelp(command.Name);
            }
            else
            {
                string name = command.Parent is { } parent ? parent.Name + " " + command.Name : command.Name;
                text = Array.Find(Commands, c => c.Name == name)?.Usage ?? GeneralHelp();
            }

            PlainText.WriteLine(console, text);
            return [];
        }
    }
}
