using System.Text;
using Sieve.Contracts.Identifiers;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// A purpose- and epoch-scoped HMAC-SHA256 key that turns normalized identifiers into pseudonyms:
/// pseudonym = base32(first 20 bytes of HMAC(key, [(byte)type] ++ normalized)), 32 lower-case characters of
/// <c>a-z2-7</c>. The type byte keeps a phone number and a device id with the same text apart. Made by
/// <see cref="PseudonymKeyFactory"/>. Not thread-safe: use one per thread (or per partition worker).
/// </summary>
public sealed class PseudonymKey : IDisposable
{
    /// <summary>Pseudonym length in ASCII characters.</summary>
    public const int PseudonymLength = 32;

    /// <summary>MAC bytes kept: 160 bits, which base32 spells in exactly 32 characters.</summary>
    internal const int TruncatedMacLength = 20;

    private readonly HmacSha256 _hmac;
    private readonly byte[] _keyIdUtf8;

    /// <summary>Creates the key from 32 bytes of derived key material (copied).</summary>
    internal PseudonymKey(string masterKeyId, string purpose, string epoch, ReadOnlySpan<byte> key)
    {
        MasterKeyId = masterKeyId;
        Purpose = purpose;
        Epoch = epoch;
        KeyId = masterKeyId + "/" + purpose + "/" + epoch;
        _keyIdUtf8 = Encoding.UTF8.GetBytes(KeyId);
        _hmac = new HmacSha256(key);
    }

    /// <summary>e.g. <c>k1/positioning/stable</c> or <c>k1/analytics/2026-11-25</c>: master key id, purpose, epoch.</summary>
    public string KeyId { get; }

    /// <summary><see cref="KeyId"/> in UTF-8 (cached; for writing into output records without encoding per event).</summary>
    public ReadOnlySpan<byte> KeyIdUtf8 => _keyIdUtf8;

    /// <summary>Id of the master key this key was derived from.</summary>
    public string MasterKeyId { get; }

    /// <summary>The purpose this key serves, e.g. <c>analytics</c>.</summary>
    public string Purpose { get; }

    /// <summary>The epoch, <see cref="PseudonymKeyFactory.StableEpoch"/> or a UTC date <c>yyyy-MM-dd</c>.</summary>
    public string Epoch { get; }

    /// <summary>
    /// Writes the 32-character pseudonym of (<paramref name="type"/>, <paramref name="normalized"/>) into
    /// <paramref name="destination"/>[0..32]. Nothing is allocated.
    /// </summary>
    /// <param name="type">The identifier's type; its byte value separates the types' pseudonym spaces.</param>
    /// <param name="normalized">The identifier as <see cref="IdentifierNormalizer.TryNormalize(SubjectType, ReadOnlySpan{byte}, Span{byte}, out int, out IdentifierFlags)"/> wrote it.</param>
    /// <param name="destination">At least <see cref="PseudonymLength"/> bytes; receives ASCII <c>a-z2-7</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="PseudonymLength"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a defined value.</exception>
    /// <exception cref="ObjectDisposedException">The key was disposed.</exception>
    public void Compute(SubjectType type, ReadOnlySpan<byte> normalized, Span<byte> destination)
    {
        if (destination.Length < PseudonymLength)
        {
            ThrowHelper.ThrowDestinationTooSmall(nameof(destination), PseudonymLength);
        }

        if ((uint)type > (uint)SubjectType.DeviceId)
        {
            ThrowHelper.ThrowUnknownSubjectType(nameof(type));
        }

        byte typeByte = (byte)type;
        Span<byte> mac = stackalloc byte[HmacSha256.MacLength];
        _hmac.Append(new ReadOnlySpan<byte>(in typeByte));
        _hmac.Append(normalized);
        _hmac.Finish(mac);
        Base32.EncodeLower(mac[..TruncatedMacLength], destination);
    }

    /// <summary>
    /// The pseudonym of an already normalized identifier, as a string. Allocates; for the CLI, tools and tests.
    /// </summary>
    public string ComputeString(SubjectType type, string normalizedAscii)
    {
        ArgumentNullException.ThrowIfNull(normalizedAscii);
        Span<byte> pseudonym = stackalloc byte[PseudonymLength];
        Compute(type, Encoding.UTF8.GetBytes(normalizedAscii), pseudonym);
        return Encoding.ASCII.GetString(pseudonym);
    }

    /// <summary>Only the key id: <c>PseudonymKey(k1/analytics/2026-11-25)</c>.</summary>
    public override string ToString() => "PseudonymKey(" + KeyId + ")";

    /// <inheritdoc />
    public void Dispose() => _hmac.Dispose();
}
