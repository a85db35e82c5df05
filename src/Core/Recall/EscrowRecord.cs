namespace Sieve.Core.Recall;

/// <summary>One decoded escrow entry (<c>schemas/recall-escrow.avsc</c>); the VIN inside is still sealed.</summary>
/// <param name="Pseudonym">The quality pseudonym it was sealed for.</param>
/// <param name="RecallKeyId">The recall key it was sealed under.</param>
/// <param name="Nonce">The 12-byte AES-GCM nonce.</param>
/// <param name="Ciphertext">The encrypted VIN followed by the 16-byte tag.</param>
/// <param name="SealedAtMillis">When it was sealed, Unix milliseconds.</param>
public sealed record EscrowRecord(string Pseudonym, string RecallKeyId, byte[] Nonce, byte[] Ciphertext, long SealedAtMillis)
{
    /// <summary>When it was sealed.</summary>
    public DateTimeOffset SealedAt => DateTimeOffset.FromUnixTimeMilliseconds(SealedAtMillis);

    /// <summary>Only the pseudonym, key id and time, never the sealed bytes.</summary>
    public override string ToString() => $"EscrowRecord({Pseudonym}, {RecallKeyId}, {SealedAtMillis})";
}
