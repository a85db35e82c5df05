namespace Sieve.Core.Policy;

/// <summary>One problem found in a policy file, with where it is.</summary>
/// <param name="Source">The policy's source name (file path, or <c>embedded:default-policy.json</c>).</param>
/// <param name="Line">One-based line, or 0 when the problem concerns the whole file (it could not be read).</param>
/// <param name="Column">One-based column in characters, or 0 with <paramref name="Line"/> 0.</param>
/// <param name="Problem">What is wrong, naming keys, fields and values from the policy only.</param>
public sealed record PolicyError(string Source, int Line, int Column, string Problem)
{
    /// <summary><c>&lt;file&gt;:&lt;line&gt;:&lt;col&gt;: &lt;problem&gt;</c>, the form compilers and editors understand.</summary>
    public override string ToString() => Line > 0 ? $"{Source}:{Line}:{Column}: {Problem}" : $"{Source}: {Problem}";
}
