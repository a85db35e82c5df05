using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// The master keys, one of them active. New pseudonym keys are derived from <see cref="Active"/>; the others stay so
/// that pseudonyms made before a rotation can still be recomputed.
/// </summary>
public sealed class MasterKeyRing
{
    /// <summary>The environment variable holding <c>id:base64,id:base64</c> when no keys file is given.</summary>
    public const string EnvironmentVariable = "SIEVE_MASTER_KEYS";

    /// <summary>Id of the key in <see cref="CreateDemo"/>.</summary>
    public const string DemoKeyId = "demo-1";

    /// <summary>
    /// The public text whose SHA-256 is the demo key's secret. Anyone can recompute it, so pseudonyms made with the
    /// demo ring protect nothing.
    /// </summary>
    public const string DemoSecretSeed = "sieve/demo-master-key/v1: public, for the demo and tests only";

    private readonly MasterKey[] _keys;

    /// <summary>Creates a ring of <paramref name="keys"/> with the key <paramref name="activeKeyId"/> active.</summary>
    /// <exception cref="ArgumentException">No keys, a repeated id, or no key with <paramref name="activeKeyId"/>.</exception>
    public MasterKeyRing(IEnumerable<MasterKey> keys, string activeKeyId)
        : this(keys, activeKeyId, isDemo: false)
    {
    }

    private MasterKeyRing(IEnumerable<MasterKey> keys, string activeKeyId, bool isDemo)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(activeKeyId);
        var ordered = new List<MasterKey>();
        MasterKey? active = null;
        foreach (MasterKey key in keys)
        {
            ArgumentNullException.ThrowIfNull(key, nameof(keys));
            foreach (MasterKey seen in ordered)
            {
                if (string.Equals(seen.Id, key.Id, StringComparison.Ordinal))
                {
                    throw new ArgumentException("Two master keys have the same id.", nameof(keys));
                }
            }

            ordered.Add(key);
            if (string.Equals(key.Id, activeKeyId, StringComparison.Ordinal))
            {
                active = key;
            }
        }

        if (ordered.Count == 0)
        {
            throw new ArgumentException("A master key ring needs at least one key.", nameof(keys));
        }

        if (active is null)
        {
            throw new ArgumentException("No master key has the active key id.", nameof(activeKeyId));
        }

        // Active first, the rest in their given order.
        ordered.Remove(active);
        ordered.Insert(0, active);
        _keys = [.. ordered];
        IsDemo = isDemo;
    }

    /// <summary>The key new pseudonyms are made with.</summary>
    public MasterKey Active => _keys[0];

    /// <summary>Every key, active first.</summary>
    public IReadOnlyList<MasterKey> Keys => _keys;

    /// <summary>True for the ring of <see cref="CreateDemo"/>, whose secret is public; services warn on it.</summary>
    public bool IsDemo { get; }

    /// <summary>Finds the key with id <paramref name="id"/>.</summary>
    public bool TryGetKey(string id, [NotNullWhen(true)] out MasterKey? key)
    {
        foreach (MasterKey candidate in _keys)
        {
            if (string.Equals(candidate.Id, id, StringComparison.Ordinal))
            {
                key = candidate;
                return true;
            }
        }

        key = null;
        return false;
    }

    /// <summary>
    /// Loads the ring from a keys file (JSON) or, when <paramref name="path"/> is null or blank, from
    /// <paramref name="environmentValue"/>, the value of <see cref="EnvironmentVariable"/>.
    /// </summary>
    /// <remarks>
    /// The keys file is <c>{"activeKeyId":"k1","keys":[{"id":"k1","secret":"&lt;base64&gt;"}]}</c>. The variable is
    /// <c>k1:&lt;base64&gt;,k2:&lt;base64&gt;</c> with the first key active. Every secret is standard base64 of at
    /// least <see cref="MasterKey.MinSecretLength"/> bytes.
    /// </remarks>
    /// <exception cref="KeyRingException">
    /// Neither source is given, or the one used is unreadable or malformed. The message names the file or variable
    /// and the problem, never a secret.
    /// </exception>
    public static MasterKeyRing Load(string? path, string? environmentValue)
    {
        if (!string.IsNullOrWhiteSpace(path))
        {
            return KeysFile.Load(path);
        }

        if (!string.IsNullOrWhiteSpace(environmentValue))
        {
            return KeysVariable.Parse(environmentValue);
        }

        throw new KeyRingException($"No master keys: pass a keys file or set the environment variable {EnvironmentVariable}.");
    }

    /// <summary>
    /// Loads the ring from a keys file, or when <paramref name="path"/> is null or blank, from the process's
    /// <see cref="EnvironmentVariable"/>. See <see cref="Load(string?, string?)"/>.
    /// </summary>
    /// <exception cref="KeyRingException">No keys, or malformed keys.</exception>
    public static MasterKeyRing Load(string? path) =>
        Load(path, string.IsNullOrWhiteSpace(path) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : null);

    /// <summary>
    /// A fixed ring with one key, <see cref="DemoKeyId"/>, whose secret is SHA-256 of the UTF-8 of
    /// <see cref="DemoSecretSeed"/>. For the demo and tests only: the secret is public, so its pseudonyms can be
    /// reversed by anyone who guesses the identifiers. Never use it for production data.
    /// </summary>
    public static MasterKeyRing CreateDemo()
    {
        Span<byte> secret = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(DemoSecretSeed), secret);
        return new MasterKeyRing([new MasterKey(DemoKeyId, secret)], DemoKeyId, isDemo: true);
    }

    /// <summary>
    /// A new keys file (JSON, indented) with one fresh random 32-byte key <paramref name="keyId"/>, active. Write it
    /// somewhere only the services can read.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="keyId"/> is not 1 to 64 characters of <c>[A-Za-z0-9._-]</c>.</exception>
    public static string GenerateJson(string keyId) => KeysFile.Generate(keyId);

    /// <summary>Only the key ids: <c>MasterKeyRing(active=k2; keys=k2,k1)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("MasterKeyRing(active=");
        text.Append(Active.Id).Append("; keys=");
        for (int i = 0; i < _keys.Length; i++)
        {
            text.Append(i == 0 ? "" : ",").Append(_keys[i].Id);
        }

        return text.Append(IsDemo ? "; demo)" : ")").ToString();
    }
}
