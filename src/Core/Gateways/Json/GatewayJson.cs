using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Sieve.Core.Gateways.Http;

namespace Sieve.Core.Gateways.Json;

/// <summary>
/// Field readers over <see cref="Utf8JsonReader"/> positioned on a property's value (just after its name). Each
/// returns null on success or a reason code from <see cref="GatewayErrorCodes"/>; the caller adds the field path.
/// Values never go into a code or an exception.
/// </summary>
internal static class GatewayJson
{
    /// <summary>Deepest nesting accepted; Meraki's payload nests 6 levels.</summary>
    public const int MaxDepth = 16;

    /// <summary>Earliest event time accepted: 2000-01-01T00:00:00Z in Unix milliseconds.</summary>
    public const long EarliestTimeMillis = 946_684_800_000;

    /// <summary>How far past the receiver's clock an event time may be.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromDays(1);

    /// <summary>Strict JSON: no comments, no trailing commas, <see cref="MaxDepth"/> levels.</summary>
    public static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = MaxDepth,
    };

    /// <summary>The error for malformed JSON: its line and byte position, not its text (which may hold a value).</summary>
    public static GatewayError InvalidJson(JsonException e) =>
        new(400, GatewayErrorCodes.InvalidJson, null, e.LineNumber ?? -1, e.BytePositionInLine ?? -1);

    /// <summary>
    /// The error for a property name or string value that cannot be compared: <see cref="Utf8JsonReader.ValueTextEquals(ReadOnlySpan{byte})"/>
    /// throws InvalidOperationException when an escape in it is an unpaired surrogate (<c>\ud800</c>). Its offset in
    /// the body, not its text.
    /// </summary>
    public static GatewayError UndecodableText(long offset) => new(400, GatewayErrorCodes.InvalidText, null, -1, offset);

    /// <summary>Moves to the property's value; the reader must be on a <see cref="JsonTokenType.PropertyName"/>.</summary>
    public static void ReadValue(ref Utf8JsonReader reader)
    {
        // The whole body is one final block, so Read only returns false at the end of the document, which a
        // property name cannot be followed by in well-formed JSON; malformed input throws JsonException.
        reader.Read();
    }

    /// <summary>Reads a string of at most <paramref name="maxBytes"/> UTF-8 bytes; null (JSON) only when <paramref name="allowNull"/>.</summary>
    public static string? ReadString(ref Utf8JsonReader reader, int maxBytes, bool allowNull, out string? value)
    {
        value = null;
        if (reader.TokenType == JsonTokenType.Null && allowNull)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            return GatewayErrorCodes.InvalidFieldType;
        }

        // Escapes only ever shrink a string, and each UTF-8 byte is at most 6 escaped bytes (\u00XX).
        if (reader.ValueSpan.Length > maxBytes * 6L)
        {
            return GatewayErrorCodes.FieldTooLong;
        }

        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 bytes, or an escape that is a lone surrogate (\ud800): bad input, not a server fault.
            return GatewayErrorCodes.InvalidText;
        }

        if (Encoding.UTF8.GetByteCount(text) > maxBytes)
        {
            return GatewayErrorCodes.FieldTooLong;
        }

        value = text;
        return null;
    }

    /// <summary>Reads a non-empty id string of at most <paramref name="maxBytes"/> bytes.</summary>
    public static string? ReadId(ref Utf8JsonReader reader, int maxBytes, out string value)
    {
        string? code = ReadString(ref reader, maxBytes, allowNull: false, out string? text);
        value = text ?? string.Empty;
        if (code is null && value.Length == 0)
        {
            return GatewayErrorCodes.EmptyField;
        }

        return code;
    }

    /// <summary>
    /// Reads an ISO 8601 time with an explicit offset (<c>Z</c> or <c>±hh:mm</c>) as Unix milliseconds, and checks
    /// it lies between 2000 and <paramref name="nowMillis"/> plus <see cref="MaxClockSkew"/>.
    /// </summary>
    public static string? ReadTime(ref Utf8JsonReader reader, long nowMillis, out long unixMillis)
    {
        unixMillis = 0;
        if (reader.TokenType != JsonTokenType.String)
        {
            return GatewayErrorCodes.InvalidFieldType;
        }

        if (reader.ValueIsEscaped || reader.ValueSpan.Length > 40 || !HasExplicitOffset(reader.ValueSpan)
            || !reader.TryGetDateTimeOffset(out DateTimeOffset time))
        {
            return GatewayErrorCodes.InvalidTimeFormat;
        }

        unixMillis = time.ToUnixTimeMilliseconds();
        if (unixMillis < EarliestTimeMillis || unixMillis > nowMillis + (long)MaxClockSkew.TotalMilliseconds)
        {
            return GatewayErrorCodes.TimeOutOfRange;
        }

        return null;
    }

    /// <summary>
    /// Reads a number given as a JSON number or a numeric string (Meraki's documentation types some numbers as
    /// strings). JSON null, and the strings <c>NaN</c>/empty, read as absent.
    /// </summary>
    public static string? ReadNumber(ref Utf8JsonReader reader, out double? value)
    {
        value = null;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out double number) || !double.IsFinite(number))
                {
                    return GatewayErrorCodes.OutOfRange;
                }

                value = number;
                return null;
            case JsonTokenType.String:
                ReadOnlySpan<byte> text = reader.ValueSpan;
                if (reader.ValueIsEscaped || text.Length > 64)
                {
                    return GatewayErrorCodes.InvalidFieldType;
                }

                if (text.IsEmpty || text.SequenceEqual("NaN"u8))
                {
                    return null;
                }

                if (!Utf8Parser.TryParse(text, out double parsed, out int consumed) || consumed != text.Length || !double.IsFinite(parsed))
                {
                    return GatewayErrorCodes.InvalidFieldType;
                }

                value = parsed;
                return null;
            default:
                return GatewayErrorCodes.InvalidFieldType;
        }
    }

    /// <summary>Reads a whole number from <paramref name="min"/> to <paramref name="max"/> the way <see cref="ReadNumber"/> reads numbers.</summary>
    public static string? ReadInt(ref Utf8JsonReader reader, int min, int max, out int? value)
    {
        value = null;
        string? code = ReadNumber(ref reader, out double? number);
        if (code is not null || number is null)
        {
            return code;
        }

        double n = number.Value;
        if (n != Math.Floor(n))
        {
            return GatewayErrorCodes.InvalidFieldType;
        }

        if (n < min || n > max)
        {
            return GatewayErrorCodes.OutOfRange;
        }

        value = (int)n;
        return null;
    }

    /// <summary>True when the text ends in <c>Z</c>/<c>z</c> or an offset <c>+hh:mm</c>/<c>-hh:mm</c>.</summary>
    private static bool HasExplicitOffset(ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        if (text[^1] is (byte)'Z' or (byte)'z')
        {
            return true;
        }

        return text.Length >= 6 && text[^6] is (byte)'+' or (byte)'-' && text[^3] == (byte)':'
            && char.IsAsciiDigit((char)text[^5]) && char.IsAsciiDigit((char)text[^4])
            && char.IsAsciiDigit((char)text[^2]) && char.IsAsciiDigit((char)text[^1]);
    }
}
