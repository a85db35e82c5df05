using System.Security.Cryptography;
using System.Text;
using Sieve.Contracts.Avro;

namespace Sieve.Core.Recall;

/// <summary>
/// Seals a subject's VIN under the recall key into the whole Kafka message value of <c>quality.escrow.v1</c>
/// (single-object encoding of <c>schemas/recall-escrow.avsc</c>): AES-256-GCM with a random 96-bit nonce per seal and
/// associated data binding the purpose <c>quality</c>, the pseudonym and the recall key id. Called once per new
/// subject, not per event; allocates nothing per call. Not thread-safe: one per worker.
/// </summary>
public sealed class EscrowSealer : IDisposable
{
    /// <summary>
    /// The largest value <see cref="Seal(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long, Span{byte})"/> writes: header,
    /// pseudonym, key id, nonce, ciphertext with tag and time, each with its length prefix.
    /// </summary>
    public const int MaxValueBytes = SingleObjectEncoding.HeaderLength
        + 1 + EscrowFormat.PseudonymLength
        + 2 + RecallKey.MaxIdLength
        + 1 + EscrowFormat.NonceLength
        + 1 + EscrowFormat.MaxVinBytes + EscrowFormat.TagLength
        + 10;

    private readonly AesGcm _aes;
    private readonly byte[] _keyIdUtf8;
    private readonly TimeProvider _time;
    private readonly ulong _fingerprint = EscrowFormat.Fingerprint;

    /// <summary>Creates a sealer for <paramref name="key"/>; <paramref name="time"/> stamps seals that give no time (system clock when null).</summary>
    public EscrowSealer(RecallKey key, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        _aes = new AesGcm(key.Secret, EscrowFormat.TagLength);
        _keyIdUtf8 = Encoding.UTF8.GetBytes(key.Id);
        _time = time ?? TimeProvider.System;
        KeyId = key.Id;
    }

    /// <summary>The id of the recall key entries are sealed under.</summary>
    public string KeyId { get; }

    /// <summary>
    /// Writes the whole message value sealing <paramref name="vinUtf8"/> for <paramref name="pseudonymUtf8"/> into
    /// <paramref name="destination"/> and returns its length. The message key is the pseudonym.
    /// </summary>
    /// <param name="pseudonymUtf8">The subject's quality pseudonym: 32 characters of <c>a-z2-7</c>.</param>
    /// <param name="vinUtf8">The normalized VIN, 1 to 32 bytes.</param>
    /// <param name="sealedAtMillis">When it was sealed, Unix milliseconds.</param>
    /// <param name="destination">At least the value's length; <see cref="MaxValueBytes"/> always suffices.</param>
    /// <exception cref="ArgumentException">The pseudonym or VIN is malformed, or <paramref name="destination"/> is too small.</exception>
    /// <exception cref="ObjectDisposedException">The sealer was disposed.</exception>
    public int Seal(ReadOnlySpan<byte> pseudonymUtf8, ReadOnlySpan<byte> vinUtf8, long sealedAtMillis, Span<byte> destination)
    {
        if (!EscrowFormat.IsPseudonym(pseudonymUtf8))
        {
            ThrowHelper.ThrowEscrowArgument(nameof(pseudonymUtf8), "The pseudonym must be 32 characters of a-z and 2-7.");
        }

        if (vinUtf8.IsEmpty || vinUtf8.Length > EscrowFormat.MaxVinBytes)
        {
            ThrowHelper.ThrowEscrowArgument(nameof(vinUtf8), "The VIN must be 1 to 32 bytes.");
        }

        var writer = new AvroWriter(destination);
        SingleObjectEncoding.WriteHeader(ref writer, _fingerprint);
        writer.WriteString(pseudonymUtf8);
        writer.WriteString(_keyIdUtf8);
        writer.WriteLong(EscrowFormat.NonceLength);
        writer.Reserve(EscrowFormat.NonceLength, out Span<byte> nonce);
        int sealedLength = vinUtf8.Length + EscrowFormat.TagLength;
        writer.WriteLong(sealedLength);
        writer.Reserve(sealedLength, out Span<byte> sealedBytes);
        writer.WriteLong(sealedAtMillis);
        if (writer.Overflowed)
        {
            ThrowHelper.ThrowEscrowArgument(nameof(destination), "The destination is too small; MaxValueBytes always suffices.");
        }

        RandomNumberGenerator.Fill(nonce);
        Span<byte> associated = stackalloc byte[EscrowFormat.MaxAssociatedDataLength];
        int associatedLength = EscrowFormat.WriteAssociatedData(pseudonymUtf8, _keyIdUtf8, associated);
        _aes.Encrypt(nonce, vinUtf8, sealedBytes[..vinUtf8.Length], sealedBytes[vinUtf8.Length..], associated[..associatedLength]);
        return writer.Position;
    }

    /// <summary>As <see cref="Seal(ReadOnlySpan{byte}, ReadOnlySpan{byte}, long, Span{byte})"/>, stamped with the sealer's clock.</summary>
    public int Seal(ReadOnlySpan<byte> pseudonymUtf8, ReadOnlySpan<byte> vinUtf8, Span<byte> destination) =>
        Seal(pseudonymUtf8, vinUtf8, _time.GetUtcNow().ToUnixTimeMilliseconds(), destination);

    /// <inheritdoc />
    public void Dispose() => _aes.Dispose();
}
