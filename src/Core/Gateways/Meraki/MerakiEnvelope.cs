using System.Text.Json;
using Sieve.Core.Gateways.Http;
using Sieve.Core.Gateways.Json;

namespace Sieve.Core.Gateways.Meraki;

/// <summary>
/// The root fields of a Scanning API post that decide whether to read the rest: <c>secret</c>, <c>version</c> and
/// <c>type</c>. Reading the envelope also checks that the whole body is well-formed JSON, so the secret is checked
/// (401) before any field-level answer (400) tells an unauthenticated sender about the payload's shape.
/// </summary>
internal sealed class MerakiEnvelope
{
    /// <summary>Longest secret compared; a longer one cannot match a configured secret and is treated as wrong.</summary>
    public const int MaxSecretBytes = 1024;

    /// <summary>The unescaped UTF-8 of <c>secret</c>, or null when it is absent or not a string (or too long).</summary>
    public byte[]? Secret { get; private set; }

    /// <summary>The major version of <c>version</c> (<c>"3.0"</c> is 3), or -1 when absent or unreadable.</summary>
    public int MajorVersion { get; private set; } = -1;

    /// <summary>True when <c>version</c> is present.</summary>
    public bool HasVersion { get; private set; }

    /// <summary>True when <c>type</c> is <c>WiFi</c>.</summary>
    public bool IsWifi { get; private set; }

    /// <summary>True when <c>type</c> is present.</summary>
    public bool HasType { get; private set; }

    /// <summary>Reads the envelope of <paramref name="json"/>; false with <c>invalid-json</c> when the body is not well-formed.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out MerakiEnvelope envelope, out GatewayError error)
    {
        envelope = new MerakiEnvelope();
        var reader = new Utf8JsonReader(json, GatewayJson.ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                // Still check well-formedness first: a broken document is invalid-json wherever it breaks.
                while (reader.Read())
                {
                }

                error = GatewayError.BadRequest(GatewayErrorCodes.InvalidFieldType, MerakiFields.Root);
                return false;
            }

            // A repeated secret, version or type is refused like any repeated field: which copy counts must not be a guess.
            bool secret = false, version = false, type = false;
            string? duplicate = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("secret"u8))
                {
                    duplicate ??= secret ? "secret" : null;
                    secret = true;
                    GatewayJson.ReadValue(ref reader);
                    envelope.ReadSecret(ref reader);
                }
                else if (reader.ValueTextEquals("version"u8))
                {
                    duplicate ??= version ? "version" : null;
                    version = true;
                    GatewayJson.ReadValue(ref reader);
                    envelope.ReadVersion(ref reader);
                }
                else if (reader.ValueTextEquals("type"u8))
                {
                    duplicate ??= type ? "type" : null;
                    type = true;
                    GatewayJson.ReadValue(ref reader);
                    envelope.HasType = true;
                    envelope.IsWifi = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("WiFi"u8);
                }
                else
                {
                    GatewayJson.ReadValue(ref reader);
                }

                reader.Skip();
            }

            // Anything after the root object other than whitespace throws here.
            while (reader.Read())
            {
            }

            if (duplicate is not null)
            {
                envelope.Secret = null;
                error = GatewayError.BadRequest(GatewayErrorCodes.DuplicateField, duplicate);
                return false;
            }
        }
        catch (JsonException e)
        {
            error = GatewayJson.InvalidJson(e);
            return false;
        }
        catch (InvalidOperationException)
        {
            error = GatewayJson.UndecodableText(reader.TokenStartIndex);
            return false;
        }

        error = default;
        return true;
    }

    private void ReadSecret(ref Utf8JsonReader reader)
    {
        Secret = null;
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > MaxSecretBytes * 6)
        {
            return;
        }

        byte[] buffer = new byte[reader.ValueSpan.Length];
        int written;
        try
        {
            written = reader.CopyString(buffer);
        }
        catch (InvalidOperationException)
        {
            // Not valid UTF-8 (or a lone surrogate escape): no secret, so the request is refused as unauthorized.
            return;
        }

        Secret = written <= MaxSecretBytes ? buffer.AsSpan(0, written).ToArray() : null;
    }

    private void ReadVersion(ref Utf8JsonReader reader)
    {
        HasVersion = true;
        MajorVersion = -1;
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetDouble(out double number) && number is >= 0 and < 1000)
            {
                MajorVersion = (int)number;
            }

            return;
        }

        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return;
        }

        ReadOnlySpan<byte> text = reader.ValueSpan;
        int major = 0;
        int digits = 0;
        while (digits < text.Length && digits < 3 && char.IsAsciiDigit((char)text[digits]))
        {
            major = (major * 10) + (text[digits] - '0');
            digits++;
        }

        if (digits > 0 && (digits == text.Length || text[digits] == '.'))
        {
            MajorVersion = major;
        }
    }
}
