namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// A master key: an id and secret bytes from which purpose keys are derived. The secret is reachable only inside
/// this assembly, and <see cref="ToString"/> shows only the id.
/// </summary>
public sealed class MasterKey
{
    /// <summary>Fewest secret bytes: 256 bits, the HMAC-SHA256 output size.</summary>
    public const int MinSecretLength = 32;

    /// <summary>Most secret bytes accepted.</summary>
    public const int MaxSecretLength = 1024;

    private readonly byte[] _secret;

    /// <summary>Creates a master key from a copy of <paramref name="secret"/>.</summary>
    /// <param name="id">1 to 64 characters of <c>[A-Za-z0-9._-]</c>, e.g. <c>k1</c>; it is part of every pseudonym key id.</param>
    /// <param name="secret"><see cref="MinSecretLength"/> to <see cref="MaxSecretLength"/> bytes of secret; copied.</param>
    /// <exception cref="ArgumentException">The id or the secret length is not valid.</exception>
    public MasterKey(string id, ReadOnlySpan<byte> secret)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!KeyNameSyntax.IsValid(id))
        {
            ThrowHelper.ThrowInvalidToken(nameof(id), "master key id");
        }

        if (secret.Length is < MinSecretLength or > MaxSecretLength)
        {
            ThrowHelper.ThrowSecretLength(nameof(secret));
        }

        Id = id;
        _secret = secret.ToArray();
    }

    /// <summary>Key id, e.g. <c>k1</c>.</summary>
    public string Id { get; }

    /// <summary>The secret bytes. Never log, print or copy them beyond key derivation.</summary>
    internal ReadOnlySpan<byte> Secret => _secret;

    /// <summary>Only the id: <c>MasterKey(k1)</c>.</summary>
    public override string ToString() => "MasterKey(" + Id + ")";
}
