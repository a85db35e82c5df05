using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Sieve.Core.Recall;

/// <summary>
/// Opens escrow entries with the recall key, for the recall resolver. The pseudonym the entry is opened for is the
/// one asked about (the message key), not the one the entry claims: an entry moved under another pseudonym or
/// re-labelled with another key id fails authentication. Not thread-safe.
/// </summary>
public sealed class EscrowOpener : IDisposable
{
    private readonly AesGcm _aes;
    private readonly byte[] _keyIdUtf8;

    /// <summary>Creates an opener for <paramref name="key"/>.</summary>
    public EscrowOpener(RecallKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _aes = new AesGcm(key.Secret, EscrowFormat.TagLength);
        _keyIdUtf8 = Encoding.UTF8.GetBytes(key.Id);
        KeyId = key.Id;
    }

    /// <summary>The recall key id this opener holds.</summary>
    public string KeyId { get; }

    /// <summary>Opens <paramref name="record"/> as the entry of <paramref name="pseudonym"/>.</summary>
    /// <param name="record">The decoded entry.</param>
    /// <param name="pseudonym">The quality pseudonym asked about.</param>
    /// <param name="vin">The VIN when <see cref="EscrowOpenStatus.Opened"/>.</param>
    public EscrowOpenStatus Open(EscrowRecord record, string pseudonym, [NotNullWhen(true)] out string? vin)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(pseudonym);
        vin = null;
        if (!string.Equals(record.RecallKeyId, KeyId, StringComparison.Ordinal))
        {
            return EscrowOpenStatus.OtherKey;
        }

        Span<byte> pseudonymUtf8 = stackalloc byte[EscrowFormat.PseudonymLength];
        if (pseudonym.Length != EscrowFormat.PseudonymLength || Encoding.UTF8.GetBytes(pseudonym, pseudonymUtf8) != EscrowFormat.PseudonymLength
            || record.Nonce.Length != EscrowFormat.NonceLength || record.Ciphertext.Length <= EscrowFormat.TagLength)
        {
            return EscrowOpenStatus.Failed;
        }

        Span<byte> associated = stackalloc byte[EscrowFormat.MaxAssociatedDataLength];
        int associatedLength = EscrowFormat.WriteAssociatedData(pseudonymUtf8, _keyIdUtf8, associated);
        int plainLength = record.Ciphertext.Length - EscrowFormat.TagLength;
        Span<byte> plain = stackalloc byte[EscrowFormat.MaxVinBytes];
        if (plainLength > plain.Length)
        {
            return EscrowOpenStatus.Failed;
        }

        try
        {
            _aes.Decrypt(record.Nonce, record.Ciphertext.AsSpan(0, plainLength), record.Ciphertext.AsSpan(plainLength), plain[..plainLength], associated[..associatedLength]);
        }
        catch (AuthenticationTagMismatchException)
        {
            return EscrowOpenStatus.Failed;
        }

        vin = Encoding.UTF8.GetString(plain[..plainLength]);
        CryptographicOperations.ZeroMemory(plain);
        return EscrowOpenStatus.Opened;
    }

    /// <inheritdoc />
    public void Dispose() => _aes.Dispose();
}
