using Sieve.Core.Policy;

namespace Sieve.Fuzz.Harnesses;

/// <summary>
/// The policy file: <see cref="PolicyLoader.LoadUtf8"/> (parser, shape reader, rules and compiler). Every failure
/// is a <see cref="PolicyValidationException"/> naming the file and, for each problem, its line and column.
/// </summary>
public static class PolicyHarness
{
    /// <summary>Name in the registry and the corpus folder.</summary>
    public const string Name = "policy";

    private const string Source = "fuzz-policy.json";

    /// <summary>Checks the loader on <paramref name="input"/>.</summary>
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length > Contract.MaxInputBytes)
        {
            return;
        }

        byte[] document = input.ToArray();
        Contract.NoUndocumentedException(Name, "PolicyLoader.LoadUtf8", () => Check(document));
    }

    private static void Check(byte[] document)
    {
        try
        {
            CompiledPolicy policy = PolicyLoader.LoadUtf8(document, Source);
            Contract.Require(Name, policy is not null, "loaded a null policy");
        }
        catch (PolicyValidationException e)
        {
            Contract.Require(Name, e.PolicySource == Source && e.Message.StartsWith("Policy " + Source + " is invalid", StringComparison.Ordinal),
                "the exception does not name the file");
            Contract.Require(Name, e.Errors.Count > 0, "a PolicyValidationException without errors");
            foreach (PolicyError error in e.Errors)
            {
                Contract.Require(Name, error.Source == Source && error.Line >= 1 && error.Column >= 1 && error.Problem.Length > 0,
                    $"an error without file:line:column ({error.Line}:{error.Column})");
            }
        }
    }
}
