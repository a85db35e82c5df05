using Sieve.Contracts.Identifiers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Sieve.Commands.Consent;

/// <summary>
/// The options of a command that publishes to Kafka about a data subject (<c>sieve erasure request</c>,
/// <c>sieve consent grant|withdraw</c>): <c>--type</c> and <c>--id</c> besides the Kafka client properties.
/// </summary>
internal abstract class KafkaSubjectSettings : KafkaClientSettings
{
    /// <summary><c>--type</c>.</summary>
    [CommandOption("--type <TYPE>")]
    public string? TypeName { get; init; }

    /// <summary><c>--id</c>, as given.</summary>
    [CommandOption("--id <ID>")]
    public string? Id { get; init; }

    /// <summary>The subject type, once validated.</summary>
    public SubjectType SubjectType { get; private set; }

    /// <summary>The canonical identifier, once validated.</summary>
    public string NormalizedId { get; private set; } = "";

    /// <summary>Checks <c>--type</c>, then <c>--id</c> of that type, and sets <see cref="SubjectType"/> and <see cref="NormalizedId"/>.</summary>
    protected ValidationResult ValidateSubject()
    {
        ValidationResult result = ValidateSubjectType();
        return result.Successful ? ValidateSubjectId() : result;
    }

    /// <summary>The first half of <see cref="ValidateSubject"/>, for a command that checks more between the type and the id.</summary>
    protected ValidationResult ValidateSubjectType()
    {
        ValidationResult result = SubjectArguments.CheckType(CommandName, TypeName, out SubjectType type);
        SubjectType = type;
        return result;
    }

    /// <summary>The second half of <see cref="ValidateSubject"/>: <c>--id</c> of the type <see cref="ValidateSubjectType"/> set.</summary>
    protected ValidationResult ValidateSubjectId()
    {
        ValidationResult result = SubjectArguments.CheckId(CommandName, Id, SubjectType, out string normalizedId);
        NormalizedId = normalizedId;
        return result;
    }
}
