using System.Buffers.Binary;
using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Publishing;

namespace Sieve.Core.Gateways.Events;

/// <summary>
/// Deterministic Wi-Fi event ids, in the <see cref="EventIdKeys"/> scheme of every source: the 32 base32 characters
/// (<c>a-z2-7</c>) of HMAC-SHA256 under the master key ring's <see cref="PurposeName"/> purpose key (stable epoch),
/// truncated to 160 bits, over the source kind, the scope (Meraki network or portal gateway), the normalized client
/// MAC and the record's time(s), each length-prefixed. A gateway that resends the same record gets the same id, so
/// duplicates can be recognised downstream; and without the key nobody can test a guessed MAC against an id, as they
/// could against an unkeyed hash.
/// </summary>
/// <remarks>Thread-safe: the receivers share one instance.</remarks>
internal sealed class WifiEventIds : EventIdKeys, IDisposable
{
    /// <summary>The key purpose.</summary>
    public const string PurposeName = "wifi-event-id";

    /// <summary>Characters of an event id.</summary>
    public const int Length = PseudonymKey.PseudonymLength;

    private const int MaxMessageBytes = 512;

    private readonly PseudonymKey _key;
    private readonly Lock _keyLock = new();

    /// <summary>Uses <paramref name="ring"/>; the key named <paramref name="masterKeyId"/>, or the active key when null.</summary>
    /// <exception cref="ArgumentException"><paramref name="masterKeyId"/> is not in the ring.</exception>
    public WifiEventIds(MasterKeyRing ring, string? masterKeyId = null)
        : base(ring, PurposeName, masterKeyId)
    {
        _key = CreateKey();
    }

    /// <summary>The id of a record.</summary>
    /// <param name="source">The kind of record: <c>meraki</c>, <c>portal-login</c>, <c>portal-session</c> (ASCII).</param>
    /// <param name="scope">The Meraki network id or portal gateway id (at most 128 UTF-8 bytes).</param>
    /// <param name="normalizedMac">The client MAC as the identifier normalizer wrote it.</param>
    /// <param name="time">The record's time, Unix milliseconds.</param>
    /// <param name="endTime">A second time (a session's end), or 0.</param>
    public string Create(string source, string scope, ReadOnlySpan<byte> normalizedMac, long time, long endTime = 0)
    {
        Span<byte> message = stackalloc byte[MaxMessageBytes];
        int position = 0;
        Span<byte> text = stackalloc byte[256];
        Append(message, ref position, text[..Encoding.UTF8.GetBytes(source, text)]);
        Append(message, ref position, text[..Encoding.UTF8.GetBytes(scope, text)]);
        Append(message, ref position, normalizedMac);
        BinaryPrimitives.WriteInt64BigEndian(message.Slice(position, 8), time);
        BinaryPrimitives.WriteInt64BigEndian(message.Slice(position + 8, 8), endTime);
        position += 16;

        Span<byte> id = stackalloc byte[Length];
        lock (_keyLock)
        {
            _key.Compute(SubjectType.Mac, message[..position], id);
        }

        return Encoding.ASCII.GetString(id);
    }

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();

    private static void Append(Span<byte> message, ref int position, ReadOnlySpan<byte> field)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(position, 2), (ushort)field.Length);
        field.CopyTo(message[(position + 2)..]);
        position += 2 + field.Length;
    }
}
