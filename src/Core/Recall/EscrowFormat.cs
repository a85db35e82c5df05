using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Recall;

/// <summary>
/// What the sealer and the opener agree on: the schema (<c>schemas/recall-escrow.avsc</c>), the lengths, and the
/// associated data <c>sieve/recall-escrow/v1 NUL quality NUL pseudonym NUL recallKeyId</c> that binds each entry to
/// the purpose, the subject's pseudonym and the recall key, so an entry moved under another key or pseudonym fails
/// to open.
/// </summary>
internal static class EscrowFormat
{
    /// <summary>The escrow schema's full name.</summary>
    public const string SchemaName = "sieve.recall.RecallEscrow";

    /// <summary>Pseudonym length: the quality pseudonym is 32 base32 characters.</summary>
    public const int PseudonymLength = PseudonymKey.PseudonymLength;

    /// <summary>Longest VIN sealed (a normalized VIN has 17 characters).</summary>
    public const int MaxVinBytes = 32;

    /// <summary>AES-GCM nonce bytes.</summary>
    public const int NonceLength = 12;

    /// <summary>AES-GCM tag bytes, appended to the ciphertext.</summary>
    public const int TagLength = 16;

    /// <summary>The purpose the escrow serves; part of the associated data.</summary>
    public const string Purpose = KnownPurposes.Quality;

    /// <summary>Longest associated data: domain, purpose, pseudonym and key id with their separators.</summary>
    public const int MaxAssociatedDataLength = 64 + PseudonymLength + RecallKey.MaxIdLength;

    private static readonly byte[] Domain = "sieve/recall-escrow/v1\0quality\0"u8.ToArray();

    /// <summary>The schema's fingerprint, written in each single-object header.</summary>
    public static ulong Fingerprint { get; } = SchemaCatalog.Default.Get(SchemaName).Fingerprint;

    /// <summary>Writes the associated data for (<paramref name="pseudonym"/>, <paramref name="keyId"/>) and returns its length.</summary>
    public static int WriteAssociatedData(ReadOnlySpan<byte> pseudonym, ReadOnlySpan<byte> keyId, Span<byte> destination)
    {
        Domain.CopyTo(destination);
        int n = Domain.Length;
        pseudonym.CopyTo(destination[n..]);
        n += pseudonym.Length;
        destination[n++] = 0;
        keyId.CopyTo(destination[n..]);
        return n + keyId.Length;
    }

    /// <summary>True when <paramref name="pseudonym"/> is 32 characters of <c>a-z2-7</c>.</summary>
    public static bool IsPseudonym(ReadOnlySpan<byte> pseudonym)
    {
        if (pseudonym.Length != PseudonymLength)
        {
            return false;
        }

        foreach (byte b in pseudonym)
        {
            if (!(b is >= (byte)'a' and <= (byte)'z' or >= (byte)'2' and <= (byte)'7'))
            {
                return false;
            }
        }

        return true;
    }
}
