using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Sieve.Core.Gateways.Events;

/// <summary>
/// Deterministic event ids: lower-case hex (32 characters) of the first 16 bytes of
/// HMAC-SHA256(<c>Ingest:EventIdKey</c>, message), where the message is the label <c>sieve/wifi-event-id/v1</c>, the
/// source kind, the scope (Meraki network or portal gateway), the normalized client MAC and the record's time(s),
/// each length-prefixed. A gateway that resends the same record gets the same id, so duplicates can be recognised
/// downstream; and without the key nobody can test a guessed MAC against an id, as they could against an unkeyed hash.
/// </summary>
internal sealed class WifiEventIds
{
    /// <summary>Characters of an event id.</summary>
    public const int Length = 32;

    private const int MaxMessageBytes = 512;
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("sieve/wifi-event-id/v1");

    private readonly byte[] _key;

    /// <summary>Uses a copy of <paramref name="key"/> (at least 32 bytes).</summary>
    public WifiEventIds(ReadOnlySpan<byte> key)
    {
        if (key.Length < GatewaySettings.MinEventIdKeyBytes)
        {
            ThrowHelper.ThrowKeyTooShort(nameof(key), GatewaySettings.MinEventIdKeyBytes);
        }

        _key = key.ToArray();
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
        Append(message, ref position, Label);
        Span<byte> text = stackalloc byte[256];
        Append(message, ref position, text[..Encoding.UTF8.GetBytes(source, text)]);
        Append(message, ref position, text[..Encoding.UTF8.GetBytes(scope, text)]);
        Append(message, ref position, normalizedMac);
        BinaryPrimitives.WriteInt64BigEndian(message.Slice(position, 8), time);
        BinaryPrimitives.WriteInt64BigEndian(message.Slice(position + 8, 8), endTime);
        position += 16;

        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, message[..position], mac);
        return Convert.ToHexStringLower(mac[..(Length / 2)]);
    }

    private static void Append(Span<byte> message, ref int position, ReadOnlySpan<byte> field)
    {
        BinaryPrimitives.WriteUInt16BigEndian(message.Slice(position, 2), (ushort)field.Length);
        field.CopyTo(message[(position + 2)..]);
        position += 2 + field.Length;
    }
}
