using Sieve.Contracts.Identifiers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Consent;

/// <summary>
/// The options of a command that looks a data subject up in the consent store (<c>sieve access</c>,
/// <c>sieve consent show</c>): <c>--type</c> and <c>--id</c>, the consent store (<c>--redis</c>), the master keys
/// (<c>--keys</c> or <c>--demo-keys</c>) and the policy (<c>--policy</c>).
/// </summary>
internal abstract class SubjectLookupSettings : SieveSettings
{
    /// <summary>Sets <see cref="Redis"/> to the command's default consent store.</summary>
    protected SubjectLookupSettings(string defaultRedis) => Redis = defaultRedis;

    /// <summary><c>--type</c>.</summary>
    [CommandOption("--type <TYPE>")]
    public string? TypeName { get; init; }

    /// <summary><c>--id</c>, as given.</summary>
    [CommandOption("--id <ID>")]
    public string? Id { get; init; }

    /// <summary><c>--redis</c>.</summary>
    [CommandOption("--redis <HOST:PORT>")]
    public string Redis { get; init; }

    /// <summary><c>--keys FILE</c>.</summary>
    [CommandOption("--keys <FILE>")]
    public string? Keys { get; init; }

    /// <summary><c>--demo-keys</c>.</summary>
    [CommandOption("--demo-keys")]
    public bool DemoKeys { get; init; }

    /// <summary><c>--policy FILE</c>; null for the shipped policy.</summary>
    [CommandOption("--policy <FILE>")]
    public string? Policy { get; init; }

    /// <summary>The subject type, once validated.</summary>
    public SubjectType SubjectType { get; private set; }

    /// <summary>The canonical identifier, once validated.</summary>
    public string NormalizedId { get; private set; } = "";

    /// <summary>Checks the subject (<see cref="ValidateSubject"/>); a command with more options to check overrides this.</summary>
    public override ValidationResult Validate() => ValidateSubject();

    /// <summary>Checks <c>--type</c>, then <c>--id</c> of that type, and sets <see cref="SubjectType"/> and <see cref="NormalizedId"/>.</summary>
    protected ValidationResult ValidateSubject()
    {
        ValidationResult result = SubjectArguments.Check(CommandName, TypeName, Id, out SubjectType type, out string normalizedId);
        SubjectType = type;
        NormalizedId = normalizedId;
        return result;
    }
}
