using System.Security.Cryptography;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// A reusable HMAC-SHA256 (RFC 2104) under one key: <see cref="Append"/> message parts, then <see cref="Finish"/>
/// writes the MAC and resets for the next message. The key schedule is done once, and no call allocates. Not
/// thread-safe.
/// </summary>
internal sealed class HmacSha256 : IDisposable
{
    /// <summary>MAC length.</summary>
    public const int MacLength = 32;

    private readonly IncrementalHash _hash;

    /// <summary>Creates the HMAC over a copy of <paramref name="key"/> (keys longer than 64 bytes are hashed first, per RFC 2104).</summary>
    public HmacSha256(ReadOnlySpan<byte> key) => _hash = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);

    /// <summary>Appends the next part of the message.</summary>
    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    /// <summary>Writes the 32-byte MAC of everything appended into <paramref name="mac"/>[0..32] and starts a new message.</summary>
    public void Finish(Span<byte> mac)
    {
        if (!_hash.TryGetHashAndReset(mac, out int written) || written != MacLength)
        {
            ThrowHelper.ThrowHmacFailed();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _hash.Dispose();
}
