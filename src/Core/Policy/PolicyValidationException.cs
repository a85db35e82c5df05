namespace Sieve.Core.Policy;

/// <summary>
/// A policy file failed to parse or validate. Carries every problem found, not just the first, each with its line
/// and column; the message lists them one per line.
/// </summary>
public sealed class PolicyValidationException : Exception
{
    /// <summary>Creates the exception for <paramref name="errors"/> (at least one) found in <paramref name="source"/>.</summary>
    public PolicyValidationException(string source, IReadOnlyList<PolicyError> errors)
        : base(FormatMessage(source, errors))
    {
        PolicySource = source;
        Errors = errors;
    }

    /// <summary>The policy's source name.</summary>
    public string PolicySource { get; }

    /// <summary>Every problem found, ordered by position in the file.</summary>
    public IReadOnlyList<PolicyError> Errors { get; }

    private static string FormatMessage(string source, IReadOnlyList<PolicyError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var text = new System.Text.StringBuilder();
        text.Append("Policy ").Append(source).Append(" is invalid (")
            .Append(errors.Count).Append(errors.Count == 1 ? " error):" : " errors):");
        foreach (PolicyError error in errors)
        {
            text.Append('\n').Append(error.ToString());
        }

        return text.ToString();
    }
}
