using System.Security.Cryptography;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// HKDF with HMAC-SHA256 (RFC 5869) over spans, argument order as in the RFC. Delegates to
/// <see cref="HKDF"/>; nothing is allocated.
/// </summary>
public static class Hkdf
{
    /// <summary>SHA-256 output size, and the length of a pseudorandom key (PRK).</summary>
    public const int HashLength = 32;

    /// <summary>Longest output key material <see cref="Expand"/> can make (255 blocks).</summary>
    public const int MaxOutputLength = 255 * HashLength;

    /// <summary>
    /// HKDF-Extract(salt, IKM): writes the pseudorandom key into <paramref name="prk"/>[0..32] and returns 32. An
    /// empty <paramref name="salt"/> means 32 zero bytes, as the RFC says.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="prk"/> is shorter than <see cref="HashLength"/>.</exception>
    public static int Extract(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ikm, Span<byte> prk) =>
        HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt, prk);

    /// <summary>HKDF-Expand(PRK, info, L): fills all of <paramref name="okm"/> (L = its length).</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="prk"/> is shorter than <see cref="HashLength"/>, or <paramref name="okm"/> is empty or longer than
    /// <see cref="MaxOutputLength"/>.
    /// </exception>
    public static void Expand(ReadOnlySpan<byte> prk, ReadOnlySpan<byte> info, Span<byte> okm) =>
        HKDF.Expand(HashAlgorithmName.SHA256, prk, okm, info);

    /// <summary>Extract then Expand: fills all of <paramref name="okm"/> with key material derived from <paramref name="ikm"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="okm"/> is empty or longer than <see cref="MaxOutputLength"/>.</exception>
    public static void DeriveKey(ReadOnlySpan<byte> ikm, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> okm) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, okm, salt, info);
}
