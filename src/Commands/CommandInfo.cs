using Spectre.Console;

namespace Sieve.Commands;

/// <summary>Runs a parsed command and returns its exit code.</summary>
internal delegate Task<int> CommandHandler(CommandArguments args, IAnsiConsole console, CancellationToken cancellationToken);

/// <summary>One entry of the command table.</summary>
/// <param name="Name">Words after <c>sieve</c>, e.g. <c>policy check</c>.</param>
/// <param name="Summary">One line for <c>sieve --help</c>.</param>
/// <param name="Usage">The full text of <c>sieve NAME --help</c>.</param>
/// <param name="Options">The options the command accepts.</param>
/// <param name="Handler">Runs it.</param>
internal sealed record CommandInfo(string Name, string Summary, string Usage, IReadOnlyList<OptionSpec> Options, CommandHandler Handler);
