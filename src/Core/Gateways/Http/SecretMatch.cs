using System.Security.Cryptography;

namespace Sieve.Core.Gateways.Http;

/// <summary>
/// Compares a presented secret with configured ones in constant time: both sides are SHA-256 digests, so neither
/// the length nor the content of a configured secret shows in the timing.
/// </summary>
public static class SecretMatch
{
    /// <summary>True when SHA-256(<paramref name="presented"/>) equals <paramref name="expectedHash"/>.</summary>
    /// <param name="presented">The secret as received, UTF-8.</param>
    /// <param name="expectedHash">SHA-256 of the configured secret.</param>
    public static bool Matches(ReadOnlySpan<byte> presented, ReadOnlySpan<byte> expectedHash)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(presented, digest);
        return CryptographicOperations.FixedTimeEquals(digest, expectedHash);
    }

    /// <summary>
    /// The index in <paramref name="expectedHashes"/> whose secret is <paramref name="presented"/>, or -1. Every
    /// entry is compared, whatever matched, so the timing does not say which one did.
    /// </summary>
    public static int IndexOf(ReadOnlySpan<byte> presented, IReadOnlyList<byte[]> expectedHashes)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(presented, digest);
        int found = -1;
        for (int i = 0; i < expectedHashes.Count; i++)
        {
            bool equal = CryptographicOperations.FixedTimeEquals(digest, expectedHashes[i]);
            found = equal ? i : found;
        }

        return found;
    }
}
