using System.Text;
using Sieve.Contracts.Identifiers;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>Normalize-then-pseudonymize for cold paths (CLI, tools, tests). Allocates the result string.</summary>
public static class Pseudonyms
{
    /// <summary>
    /// Normalizes <paramref name="rawIdentifier"/> as a <paramref name="type"/> and computes its pseudonym under
    /// <paramref name="key"/>.
    /// </summary>
    /// <param name="key">The purpose key.</param>
    /// <param name="type">What the identifier is.</param>
    /// <param name="rawIdentifier">The identifier as received.</param>
    /// <param name="pseudonym">The 32-character pseudonym; empty when normalization failed.</param>
    /// <param name="status"><see cref="NormalizeStatus.Ok"/> or why the identifier was rejected.</param>
    /// <returns>True when a pseudonym was made.</returns>
    public static bool TryPseudonymize(PseudonymKey key, SubjectType type, string rawIdentifier, out string pseudonym, out NormalizeStatus status)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(rawIdentifier);
        pseudonym = string.Empty;

        // Each char is at least one UTF-8 byte, so a longer string is over the normalizer's cap whatever it holds.
        if (rawIdentifier.Length > IdentifierNormalizer.MaxRawLength)
        {
            status = NormalizeStatus.TooLong;
            return false;
        }

        Span<byte> raw = stackalloc byte[IdentifierNormalizer.MaxRawLength * 3];
        int rawLength = Encoding.UTF8.GetBytes(rawIdentifier, raw);
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        status = IdentifierNormalizer.TryNormalize(type, raw[..rawLength], normalized, out int written, out _);
        if (status != NormalizeStatus.Ok)
        {
            return false;
        }

        Span<byte> result = stackalloc byte[PseudonymKey.PseudonymLength];
        key.Compute(type, normalized[..written], result);
        pseudonym = Encoding.ASCII.GetString(result);
        return true;
    }

    /// <summary>
    /// Writes a fresh random pseudonym (20 bytes from the OS's cryptographic generator, as 32 base32 characters, the
    /// length of keyed ones) into <paramref name="destination"/>. It is derived from nothing, so it links nothing.
    /// Allocates nothing.
    /// </summary>
    public static void FillRandom(Span<byte> destination)
    {
        Span<byte> random = stackalloc byte[20];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        Base32.EncodeLower(random, destination[..PseudonymKey.PseudonymLength]);
    }
}
