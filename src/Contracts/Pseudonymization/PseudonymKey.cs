using Sieve.Contracts.Identifiers;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>Purpose- and epoch-scoped HMAC-SHA256 key that turns normalized identifiers into pseudonyms. Not thread-safe. (Stub.)</summary>
public sealed class PseudonymKey : IDisposable
{
    /// <summary>Pseudonym length in ASCII characters.</summary>
    public const int PseudonymLength = 32;

    /// <summary>e.g. <c>k1/positioning/stable</c> or <c>k1/analytics/2026-11-25</c>.</summary>
    public string KeyId => throw new NotImplementedException();

    /// <summary><see cref="KeyId"/> in UTF-8.</summary>
    public ReadOnlySpan<byte> KeyIdUtf8 => throw new NotImplementedException();

    /// <summary>Writes the 32-character pseudonym of (<paramref name="type"/>, <paramref name="normalized"/>) into <paramref name="destination"/>.</summary>
    public void Compute(SubjectType type, ReadOnlySpan<byte> normalized, Span<byte> destination) => throw new NotImplementedException();

    /// <inheritdoc />
    public void Dispose()
    {
    }
}

/// <summary>Derives <see cref="PseudonymKey"/>s from a master key ring with HKDF. (Stub.)</summary>
public sealed class PseudonymKeyFactory
{
    /// <summary>Epoch name of keys that do not rotate.</summary>
    public const string StableEpoch = "stable";

    /// <summary>Purpose name of the key that indexes the consent store.</summary>
    public const string ConsentIndexPurpose = "consent-index";

    /// <summary>Creates a factory over <paramref name="ring"/>.</summary>
    public PseudonymKeyFactory(MasterKeyRing ring) => _ = ring;

    /// <summary>A key for <paramref name="purpose"/> and <paramref name="epoch"/> under the active (or given) master key.</summary>
    public PseudonymKey Create(string purpose, string epoch, MasterKey? masterKey = null) => throw new NotImplementedException();

    /// <summary>The UTC date epoch (<c>yyyy-MM-dd</c>) of a Unix-millisecond time.</summary>
    public static string DailyEpoch(long unixMillis) => throw new NotImplementedException();
}
