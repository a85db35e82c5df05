using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// Derives <see cref="PseudonymKey"/>s from a master key ring. The purpose key is
/// HKDF-SHA256(IKM = master secret, salt = UTF-8 <c>sieve/pseudonym/v1</c>,
/// info = UTF-8 <c>purpose=&lt;purpose&gt;;epoch=&lt;epoch&gt;</c>, L = 32): each purpose and epoch gets an
/// independent key, so pseudonyms of one subject cannot be linked across purposes or across daily epochs.
/// </summary>
public sealed class PseudonymKeyFactory
{
    /// <summary>Epoch name of keys that do not rotate.</summary>
    public const string StableEpoch = "stable";

    /// <summary>Purpose name of the key that indexes the consent store.</summary>
    public const string ConsentIndexPurpose = "consent-index";

    /// <summary>The HKDF salt, UTF-8. Changing it changes every pseudonym; it carries the derivation's version.</summary>
    public const string Salt = "sieve/pseudonym/v1";

    /// <summary>Bytes of derived key material per purpose key.</summary>
    public const int KeyLength = 32;

    private readonly MasterKeyRing _ring;

    /// <summary>Creates a factory over <paramref name="ring"/>.</summary>
    public PseudonymKeyFactory(MasterKeyRing ring)
    {
        ArgumentNullException.ThrowIfNull(ring);
        _ring = ring;
    }

    /// <summary>The ring keys are derived from.</summary>
    public MasterKeyRing Ring => _ring;

    /// <summary>A key for <paramref name="purpose"/> and <paramref name="epoch"/> under the active (or given) master key.</summary>
    /// <param name="purpose">e.g. <c>analytics</c> or <see cref="ConsentIndexPurpose"/>; 1 to 64 of <c>[A-Za-z0-9._-]</c>.</param>
    /// <param name="epoch"><see cref="StableEpoch"/> or <see cref="DailyEpoch"/>; 1 to 64 of <c>[A-Za-z0-9._-]</c>.</param>
    /// <param name="masterKey">The master key to derive from (e.g. an older one, to recompute earlier pseudonyms); the ring's active key when null.</param>
    /// <returns>A new key the caller owns and disposes.</returns>
    /// <exception cref="ArgumentException"><paramref name="purpose"/> or <paramref name="epoch"/> is not a valid name.</exception>
    public PseudonymKey Create(string purpose, string epoch, MasterKey? masterKey = null)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        ArgumentNullException.ThrowIfNull(epoch);
        if (!KeyNameSyntax.IsValid(purpose))
        {
            ThrowHelper.ThrowInvalidToken(nameof(purpose), "purpose");
        }

        if (!KeyNameSyntax.IsValid(epoch))
        {
            ThrowHelper.ThrowInvalidToken(nameof(epoch), "epoch");
        }

        MasterKey master = masterKey ?? _ring.Active;
        byte[] info = Encoding.UTF8.GetBytes("purpose=" + purpose + ";epoch=" + epoch);
        Span<byte> key = stackalloc byte[KeyLength];
        try
        {
            Hkdf.DeriveKey(master.Secret, Encoding.UTF8.GetBytes(Salt), info, key);
            return new PseudonymKey(master.Id, purpose, epoch, key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The UTC date epoch (<c>yyyy-MM-dd</c>) of a Unix-millisecond time.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The time is before year 1 or after year 9999.</exception>
    public static string DailyEpoch(long unixMillis) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMillis).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
