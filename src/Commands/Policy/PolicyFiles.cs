using Sieve.Core.Policy;

namespace Sieve.Commands.Policy;

/// <summary>Loads the policy a command names: a file, or the shipped default.</summary>
internal static class PolicyFiles
{
    /// <summary>
    /// Loads <paramref name="file"/>, or the shipped policy when it is null. An invalid policy is a configuration
    /// error (one line pointing at <c>sieve policy check</c>, which lists the problems).
    /// </summary>
    /// <exception cref="CliException">The policy cannot be read or is invalid.</exception>
    public static CompiledPolicy Load(string? file)
    {
        try
        {
            return file is null ? PolicyLoader.LoadDefault() : PolicyLoader.LoadFile(file);
        }
        catch (PolicyValidationException e)
        {
            PolicyError first = e.Errors[0];
            if (first.Line == 0)
            {
                return ThrowHelper.Usage<CompiledPolicy>(first.ToString());
            }

            string count = e.Errors.Count == 1 ? "1 problem" : e.Errors.Count + " problems";
            return ThrowHelper.Usage<CompiledPolicy>($"policy {e.PolicySource} is invalid ({count}, first: {first}); run 'sieve policy check {e.PolicySource}' to list them");
        }
    }
}
