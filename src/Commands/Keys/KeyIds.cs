using Sieve.Contracts.Pseudonymization;

namespace Sieve.Commands.Keys;

/// <summary>Master key ids and fresh keys for the keys commands.</summary>
internal static class KeyIds
{
    /// <summary>A keys file with one fresh key <paramref name="id"/> (<see cref="MasterKeyRing.GenerateJson"/>).</summary>
    /// <exception cref="CliException">The id is not valid (usage error).</exception>
    public static string Generate(string id)
    {
        try
        {
            return MasterKeyRing.GenerateJson(id);
        }
        catch (ArgumentException)
        {
            return ThrowHelper.Usage<string>("--id must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
        }
    }

    /// <summary>Loads a file this command just wrote; a failure here is a defect, reported as one line.</summary>
    public static MasterKeyRing LoadWritten(string path)
    {
        try
        {
            return MasterKeyRing.Load(path, null);
        }
        catch (KeyRingException e)
        {
            return ThrowHelper.Failure<MasterKeyRing>("the written keys file does not load: " + e.Message.TrimEnd('.'));
        }
    }
}
