using System.Text;
using Sieve.Commands.Bench;
using Sieve.Commands.Access;
using Sieve.Commands.Consent;
using Sieve.Commands.Erasure;
using Sieve.Commands.Keys;
using Sieve.Commands.Policy;
using Sieve.Commands.TopicProvisioning;
using Sieve.Commands.Demo;
using Sieve.Commands.Load;
using Spectre.Console;

namespace Sieve.Commands;

/// <summary>
/// The <c>sieve</c> command line: finds the command named by the first words, parses its options, runs it, and
/// turns every error into one line on the error writer with exit code 2 (usage or configuration) or 1 (failure).
/// No stack trace is ever printed.
/// </summary>
public static class SieveCli
{
    private const string Overview = "sieve: enforce personal-data promises on telematics and dealer Wi-Fi streams";

    private static readonly CommandInfo[] Commands =
    [
        new(PolicyCheckCommand.Name, PolicyCheckCommand.Summary, PolicyCheckCommand.Usage, PolicyCheckCommand.Options, PolicyCheckCommand.RunAsync),
        new(PolicyExplainCommand.Name, PolicyExplainCommand.Summary, PolicyExplainCommand.Usage, PolicyExplainCommand.Options, PolicyExplainCommand.RunAsync),
        new(ConsentChangeCommand.GrantName, ConsentChangeCommand.GrantSummary, ConsentChangeCommand.Usage(granted: true), ConsentChangeCommand.Options,
            static (args, console, ct) => ConsentChangeCommand.RunAsync(args, console, granted: true, ct)),
        new(ConsentChangeCommand.WithdrawName, ConsentChangeCommand.WithdrawSummary, ConsentChangeCommand.Usage(granted: false), ConsentChangeCommand.Options,
            static (args, console, ct) => ConsentChangeCommand.RunAsync(args, console, granted: false, ct)),
        new(ConsentShowCommand.Name, ConsentShowCommand.Summary, ConsentShowCommand.Usage, ConsentShowCommand.Options, ConsentShowCommand.RunAsync),
        new(KeysGenerateCommand.Name, KeysGenerateCommand.Summary, KeysGenerateCommand.Usage, KeysGenerateCommand.Options, KeysGenerateCommand.RunAsync),
        new(KeysRotateCommand.Name, KeysRotateCommand.Summary, KeysRotateCommand.Usage, KeysRotateCommand.Options, KeysRotateCommand.RunAsync),
        new(ErasureRequestCommand.Name, ErasureRequestCommand.Summary, ErasureRequestCommand.Usage, ErasureRequestCommand.Options, ErasureRequestCommand.RunAsync),
        new(AccessCommand.Name, AccessCommand.Summary, AccessCommand.Usage, AccessCommand.Options, AccessCommand.RunAsync),
        new(TopicsProvisionCommand.Name, TopicsProvisionCommand.Summary, TopicsProvisionCommand.Usage, TopicsProvisionCommand.Options, TopicsProvisionCommand.RunAsync),
    ];

    /// <summary>Name and summary of the demo, which parses its own options.</summary>
    private const string DemoLine = "demo";
    private const string DemoSummary = "run the end-to-end demo: simulated fleet, embedded Kafka and Redis, live minimizer";

    /// <summary>Name and summary of the load generator, which parses its own options.</summary>
    private const string LoadLine = "load";
    private const string LoadSummary = "drive an Ingest service: vehicles over Teltonika TCP, gateways over HTTP; prints acked records/s";

    /// <summary>Name of the end-to-end benchmark, which parses its own options.</summary>
    private const string BenchLine = BenchCommand.Name;

    /// <summary>
    /// Runs the command named by <paramref name="args"/>, writing results to <paramref name="console"/> and error
    /// lines to <paramref name="error"/>.
    /// </summary>
    /// <param name="args">The command line after <c>sieve</c>.</param>
    /// <param name="console">Standard output (tables, lists, JSON).</param>
    /// <param name="error">Standard error: one line per error.</param>
    /// <param name="cancellationToken">Cancels a running command (Ctrl+C).</param>
    /// <returns>The process exit code: 0 ok, 1 failure, 2 usage or configuration error, 130 interrupted.</returns>
    public static async Task<int> RunAsync(string[] args, IAnsiConsole console, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(console);
        ArgumentNullException.ThrowIfNull(error);
        if (args.Length == 0)
        {
            PlainText.WriteLine(console, GeneralHelp());
            return ExitCodes.Usage;
        }

        if (args[0] is "--help" or "-h" or "help")
        {
            PlainText.WriteLine(console, args.Length > 1 && args[0] == "help" ? HelpFor(args[1..]) : GeneralHelp());
            return ExitCodes.Ok;
        }

        if (args[0] == DemoLine)
        {
            return await DemoCommand.RunAsync(args[1..], cancellationToken).ConfigureAwait(false);
        }

        if (args[0] == LoadLine)
        {
            return await LoadCommand.RunAsync(args[1..], Console.Out, error, cancellationToken).ConfigureAwait(false);
        }

        if (args[0] == BenchLine)
        {
            return await BenchCommand.RunAsync(args[1..], console, error, cancellationToken).ConfigureAwait(false);
        }

        CommandInfo? command = Find(args, out int words);
        if (command is null)
        {
            return GroupOrUnknown(args, console, error);
        }

        try
        {
            CommandArguments parsed = CommandArguments.Parse(command.Name, args[words..], command.Options);
            if (parsed.HelpRequested)
            {
                PlainText.WriteLine(console, command.Usage);
                return ExitCodes.Ok;
            }

            return await command.Handler(parsed, console, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            WriteError(error, command.Name, e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            WriteError(error, command.Name, "interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            WriteError(error, command.Name, DescribeUnexpected(e));
            return ExitCodes.Failure;
        }
    }

    /// <summary>
    /// One line for an exception no command anticipated: its type and the first line of its message. Library
    /// messages in this code base name fields and codes, never identifiers.
    /// </summary>
    public static string DescribeUnexpected(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        int newline = message.IndexOfAny(['\r', '\n']);
        if (newline >= 0)
        {
            message = message[..newline];
        }

        return $"unexpected {exception.GetType().Name}: {message}";
    }

    private static void WriteError(TextWriter error, string command, string message)
    {
        // Exactly one line, whatever the message holds.
        error.WriteLine("sieve " + command + ": " + message.ReplaceLineEndings(" "));
        error.Flush();
    }

    private static CommandInfo? Find(string[] args, out int words)
    {
        words = 0;
        foreach (CommandInfo command in Commands)
        {
            // A one-word command (e.g. 'access') takes its options straight after its name.
            if (string.Equals(command.Name, args[0], StringComparison.Ordinal))
            {
                words = 1;
                return command;
            }
        }

        if (args.Length < 2)
        {
            return null;
        }

        string name = args[0] + " " + args[1];
        foreach (CommandInfo command in Commands)
        {
            if (string.Equals(command.Name, name, StringComparison.Ordinal))
            {
                words = 2;
                return command;
            }
        }

        return null;
    }

    private static int GroupOrUnknown(string[] args, IAnsiConsole console, TextWriter error)
    {
        string group = args[0];
        if (!IsGroup(group))
        {
            error.WriteLine($"sieve: unknown command '{group}'; run 'sieve --help' to see the commands");
            return ExitCodes.Usage;
        }

        if (args.Length == 1 || args[1] is "--help" or "-h")
        {
            PlainText.WriteLine(console, GroupHelp(group));
            return args.Length == 1 ? ExitCodes.Usage : ExitCodes.Ok;
        }

        error.WriteLine($"sieve: unknown command '{group} {args[1]}'; run 'sieve {group} --help' to see its commands");
        return ExitCodes.Usage;
    }

    private static bool IsGroup(string word)
    {
        foreach (CommandInfo command in Commands)
        {
            if (command.Name.StartsWith(word + " ", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string HelpFor(string[] words)
    {
        string name = string.Join(' ', words);
        foreach (CommandInfo command in Commands)
        {
            if (string.Equals(command.Name, name, StringComparison.Ordinal))
            {
                return command.Usage;
            }
        }

        return words.Length == 1 && IsGroup(words[0]) ? GroupHelp(words[0]) : GeneralHelp();
    }

    private static string GeneralHelp()
    {
        var text = new StringBuilder();
        text.Append(Overview).Append("\n\nUsage: sieve COMMAND [options]\n\nCommands:\n");
        text.Append("  ").Append(DemoLine.PadRight(18)).Append(DemoSummary).Append('\n');
        text.Append("  ").Append(LoadLine.PadRight(18)).Append(LoadSummary).Append('\n');
        text.Append("  ").Append(BenchLine.PadRight(18)).Append(BenchCommand.Summary).Append('\n');
        foreach (CommandInfo command in Commands)
        {
            text.Append("  ").Append(command.Name.PadRight(18)).Append(command.Summary).Append('\n');
        }

        text.Append("\nRun 'sieve COMMAND --help' for a command's options.\n")
            .Append("Exit codes: 0 ok, 1 failure, 2 usage or configuration error.");
        return text.ToString();
    }

    private static string GroupHelp(string group)
    {
        var text = new StringBuilder();
        text.Append("Usage: sieve ").Append(group).Append(" COMMAND [options]\n\nCommands:\n");
        foreach (CommandInfo command in Commands)
        {
            if (command.Name.StartsWith(group + " ", StringComparison.Ordinal))
            {
                text.Append("  ").Append(command.Name.PadRight(18)).Append(command.Summary).Append('\n');
            }
        }

        text.Append("\nRun 'sieve ").Append(group).Append(" COMMAND --help' for a command's options.");
        return text.ToString();
    }
}
