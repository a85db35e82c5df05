using System.Buffers;
using System.Security.Cryptography;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// The <c>SIEVE_MASTER_KEYS</c> value: comma-separated <c>id:base64</c> entries, the first active, whitespace around
/// entries ignored. Error messages name the variable, the entry's position and the problem; never a value.
/// </summary>
internal static class KeysVariable
{
    /// <summary>Most entries read.</summary>
    public const int MaxKeys = 64;

    public static MasterKeyRing Parse(string value)
    {
        string where = "Environment variable " + MasterKeyRing.EnvironmentVariable;
        var keys = new List<MasterKey>();
        ReadOnlySpan<char> rest = value;
        int entry = 0;
        while (true)
        {
            entry++;
            int comma = rest.IndexOf(',');
            ReadOnlySpan<char> item = (comma < 0 ? rest : rest[..comma]).Trim();
            if (entry > MaxKeys)
            {
                ThrowHelper.ThrowRing($"{where}: more than {MaxKeys} entries.");
            }

            keys.Add(ParseEntry(item, $"{where}: entry {entry}"));
            for (int i = 0; i < keys.Count - 1; i++)
            {
                if (string.Equals(keys[i].Id, keys[^1].Id, StringComparison.Ordinal))
                {
                    ThrowHelper.ThrowRing($"{where}: entry {entry} repeats the key id of entry {i + 1}.");
                }
            }

            if (comma < 0)
            {
                break;
            }

            rest = rest[(comma + 1)..];
        }

        return new MasterKeyRing(keys, keys[0].Id);
    }

    private static MasterKey ParseEntry(ReadOnlySpan<char> item, string where)
    {
        if (item.IsEmpty)
        {
            ThrowHelper.ThrowRing(where + " is empty (expected id:base64).");
        }

        int colon = item.IndexOf(':');
        if (colon < 0)
        {
            ThrowHelper.ThrowRing(where + " has no ':' between the key id and the secret (expected id:base64).");
        }

        ReadOnlySpan<char> id = item[..colon].Trim();
        ReadOnlySpan<char> base64 = item[(colon + 1)..].Trim();
        if (!KeyNameSyntax.IsValid(id))
        {
            ThrowHelper.ThrowRing($"{where}: the key id must be 1 to {KeyNameSyntax.MaxLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
        }

        if (base64.Length > ((MasterKey.MaxSecretLength + 2) / 3 * 4) + 4)
        {
            ThrowHelper.ThrowRing($"{where}: the secret is longer than {MasterKey.MaxSecretLength} bytes.");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent(MasterKey.MaxSecretLength + 3);
        try
        {
            if (!Convert.TryFromBase64Chars(base64, buffer, out int length))
            {
                ThrowHelper.ThrowRing($"{where}: the secret is not valid base64.");
            }

            if (length is < MasterKey.MinSecretLength or > MasterKey.MaxSecretLength)
            {
                ThrowHelper.ThrowRing(
                    $"{where}: the secret decodes to {length} bytes; {MasterKey.MinSecretLength} to {MasterKey.MaxSecretLength} are required.");
            }

            return new MasterKey(id.ToString(), buffer.AsSpan(0, length));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
