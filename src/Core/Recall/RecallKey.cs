using System.Security.Cryptography;

namespace Sieve.Core.Recall;

/// <summary>
/// The recall key: 256 bits that seal VINs into the escrow (<see cref="EscrowSealer"/>) and open them again
/// (<see cref="EscrowOpener"/>), with an id recorded in every sealed entry. It is deliberately unrelated to the
/// master key ring: it lives in its own file (<see cref="RecallKeyFile"/>, configuration <see cref="ConfigurationKey"/>),
/// only the Minimizer and the recall resolver load it, and nothing derived from the master keys can open the escrow.
/// <see cref="ToString"/> shows only the id.
/// </summary>
public sealed class RecallKey
{
    /// <summary>Secret bytes: an AES-256 key.</summary>
    public const int SecretLength = 32;

    /// <summary>Longest key id.</summary>
    public const int MaxIdLength = 64;

    /// <summary>Where the services read the recall key file's path: <c>Recall:KeyPath</c> (environment <c>Recall__KeyPath</c>).</summary>
    public const string ConfigurationKey = "Recall:KeyPath";

    /// <summary>The environment variable form of <see cref="ConfigurationKey"/>.</summary>
    public const string EnvironmentVariable = "Recall__KeyPath";

    private readonly byte[] _secret;

    /// <summary>Creates a recall key from a copy of <paramref name="secret"/>.</summary>
    /// <param name="id">1 to 64 characters of <c>[A-Za-z0-9._-]</c>, e.g. <c>recall-2026</c>.</param>
    /// <param name="secret">Exactly <see cref="SecretLength"/> bytes; copied.</param>
    /// <exception cref="ArgumentException">The id or the secret length is not valid.</exception>
    public RecallKey(string id, ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!IsValidId(id))
        {
            throw new ArgumentException($"A recall key id is 1 to {MaxIdLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.", nameof(id));
        }

        if (secret.Length != SecretLength)
        {
            throw new ArgumentException($"A recall key is exactly {SecretLength} bytes.", nameof(secret));
        }

        Id = id;
        _secret = secret.ToArray();
    }

    /// <summary>The key id, e.g. <c>recall-2026</c>; written into every sealed entry.</summary>
    public string Id { get; }

    /// <summary>The secret. Never log, print or copy it beyond the AES context.</summary>
    internal ReadOnlySpan<byte> Secret => _secret;

    /// <summary>A new random key with id <paramref name="id"/>.</summary>
    public static RecallKey Create(string id)
    {
        Span<byte> secret = stackalloc byte[SecretLength];
        RandomNumberGenerator.Fill(secret);
        try
        {
            return new RecallKey(id, secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Loads the recall key file at <paramref name="path"/> (see <see cref="RecallKeyFile"/>).</summary>
    /// <exception cref="RecallKeyException">The file is missing, unreadable, not a recall key file (e.g. the master keys file), or malformed.</exception>
    public static RecallKey Load(string path) => RecallKeyFile.Load(path);

    /// <summary>True when <paramref name="id"/> is 1 to 64 characters of <c>[A-Za-z0-9._-]</c>.</summary>
    public static bool IsValidId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty || id.Length > MaxIdLength)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Only the id: <c>RecallKey(recall-2026)</c>.</summary>
    public override string ToString() => "RecallKey(" + Id + ")";
}
