using Sieve.Contracts.Pseudonymization;

namespace Sieve.Commands.Consent;

/// <summary>The <c>--keys FILE</c> and <c>--demo-keys</c> options: which master key ring to derive pseudonyms from.</summary>
internal static class MasterKeyArguments
{
    /// <summary>The ring from <c>--keys</c> <paramref name="file"/>, <c>--demo-keys</c>, or else the <c>SIEVE_MASTER_KEYS</c> environment variable.</summary>
    /// <exception cref="CliException">Both options, none of the three sources, or a malformed source (usage error).</exception>
    public static MasterKeyRing Load(string? file, bool demo)
    {
        if (file is not null && demo)
        {
            ThrowHelper.Usage("give --keys FILE or --demo-keys, not both");
        }

        if (demo)
        {
            return MasterKeyRing.CreateDemo();
        }

        string? variable = file is null ? Environment.GetEnvironmentVariable(MasterKeyRing.EnvironmentVariable) : null;
        if (file is null && string.IsNullOrWhiteSpace(variable))
        {
            ThrowHelper.Usage($"no master keys: pass --keys FILE (make one with 'sieve keys generate'), --demo-keys, or set {MasterKeyRing.EnvironmentVariable}");
        }

        try
        {
            return MasterKeyRing.Load(file, variable);
        }
        catch (KeyRingException e)
        {
            // The message names the file or variable and the problem, never a secret.
            string fix = file is null
                ? $"; set {MasterKeyRing.EnvironmentVariable} as id:base64[,id:base64] or pass --keys FILE"
                : "; pass --keys the Sieve keys file (make one with 'sieve keys generate')";
            return ThrowHelper.Usage<MasterKeyRing>(e.Message.TrimEnd('.') + fix);
        }
    }
}
