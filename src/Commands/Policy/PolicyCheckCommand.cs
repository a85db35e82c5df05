using Sieve.Core.Policy;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Policy;

/// <summary><c>sieve policy check FILE</c>: validates a policy file and lists every problem with its position.</summary>
internal sealed class PolicyCheckCommand(CliSession session) : SieveCommand<PolicyCheckSettings>(session)
{
    public const string Name = "policy check";

    public const string Summary = "validate a policy file, listing every problem as file:line:col";

    public const string Usage = """
        Usage: sieve policy check FILE

        Loads, validates and compiles the policy FILE (format: src/Core/Policy/README.md).
        Prints "OK: N purposes (names)" and exits 0, or prints every problem as
        FILE:LINE:COLUMN: PROBLEM, one per line, and exits 1.

        Options:
          FILE  the policy file to check (required); it takes no other options

        Example:
          sieve policy check src/Core/Policy/default-policy.json
        """;

    protected override Task<int> RunAsync(PolicyCheckSettings settings, CancellationToken cancellationToken)
    {
        string file = settings.File!;
        CompiledPolicy policy;
        try
        {
            policy = PolicyLoader.LoadFile(file);
        }
        catch (PolicyValidationException e)
        {
            foreach (PolicyError error in e.Errors)
            {
                PlainText.WriteLine(Console, error.ToString());
            }

            return Task.FromResult(ExitCodes.Failure);
        }

        PlainText.WriteLine(Console, Describe(policy));
        return Task.FromResult(ExitCodes.Ok);
    }

    /// <summary><c>OK: 3 purposes (positioning, personalization, analytics)</c>.</summary>
    public static string Describe(CompiledPolicy policy)
    {
        var names = new List<string>(policy.Purposes.Count);
        foreach (PurposePlan plan in policy.Purposes)
        {
            names.Add(plan.Name);
        }

        string noun = names.Count == 1 ? "purpose" : "purposes";
        return $"OK: {names.Count} {noun} ({string.Join(", ", names)})";
    }
}

/// <summary>The arguments of <c>sieve policy check</c>.</summary>
internal sealed class PolicyCheckSettings : SieveSettings
{
    /// <summary>The policy file to check.</summary>
    [CommandArgument(0, "[FILE]")]
    public string? File { get; init; }

    protected override string CommandName => PolicyCheckCommand.Name;

    public override ValidationResult Validate() =>
        File is null ? ValidationResult.Error($"the policy FILE is missing; run 'sieve {CommandName} --help'") : ValidationResult.Success();
}
