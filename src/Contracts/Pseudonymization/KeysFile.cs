using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;

namespace Sieve.Contracts.Pseudonymization;

/// <summary>
/// The keys file: <c>{"activeKeyId":"k1","keys":[{"id":"k1","secret":"&lt;base64&gt;"}]}</c>. Other properties are
/// ignored so the file can carry notes such as a creation date. Error messages name the file, the JSON path and the
/// problem; they never quote a value from the file, which may be a misplaced secret.
/// </summary>
internal static class KeysFile
{
    /// <summary>Largest keys file read.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Most keys in one file.</summary>
    public const int MaxKeys = 256;

    private const string ActiveKeyIdProperty = "activeKeyId";
    private const string KeysProperty = "keys";
    private const string IdProperty = "id";
    private const string SecretProperty = "secret";

    /// <summary>The top-level property of the recall key file, which must never be read as a ring.</summary>
    private const string RecallKeyProperty = "recallKey";

    public static MasterKeyRing Load(string path)
    {
        string where = "Keys file '" + path + "'";
        byte[] content = Read(path, where);
        try
        {
            return Parse(content, where);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    public static MasterKeyRing Parse(ReadOnlyMemory<byte> utf8Json, string where)
    {
        var options = new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = 8,
            AllowDuplicateProperties = false,
        };

        JsonDocument document;
        try
        {
            // Parsed in place: no copy of the secrets is left behind un-zeroed.
            document = JsonDocument.Parse(utf8Json, options);
        }
        catch (JsonException e)
        {
            // The parser's own message can quote the offending text; report only where it is.
            string at = e.LineNumber is long line && e.BytePositionInLine is long column
                ? $" (line {line + 1}, byte {column + 1})"
                : "";
            throw new KeyRingException(where + " is not valid JSON" + at + ".");
        }
        catch (InvalidOperationException)
        {
            // Checking for duplicate property names unescapes them.
            throw UndecodableText(where);
        }

        using (document)
        {
            try
            {
                return ReadRing(document.RootElement, where);
            }
            catch (InvalidOperationException)
            {
                throw UndecodableText(where);
            }
        }
    }

    /// <summary>
    /// JsonDocument checks neither when parsing: a string or property name that is not valid UTF-8, or an escape that
    /// is an unpaired surrogate (<c>\ud800</c>), only fails (with InvalidOperationException) when it is read or compared.
    /// </summary>
    private static KeyRingException UndecodableText(string where) =>
        new(where + " holds text that is not valid UTF-8 (or an escape that is an unpaired surrogate).");

    private static MasterKeyRing ReadRing(JsonElement root, string where)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            ThrowHelper.ThrowRing(where + ": the top level must be a JSON object.");
        }

        if (root.TryGetProperty(RecallKeyProperty, out _))
        {
            // The recall key is kept apart from the master keys on purpose; say so rather than 'activeKeyId is missing'.
            ThrowHelper.ThrowRing(where + $" is a recall key file ('{RecallKeyProperty}'), not a master keys file; the recall key never serves as a master key.");
        }

        if (!root.TryGetProperty(ActiveKeyIdProperty, out JsonElement activeElement) || activeElement.ValueKind != JsonValueKind.String)
        {
            ThrowHelper.ThrowRing($"{where}: '{ActiveKeyIdProperty}' must be a string.");
        }

        string activeKeyId = activeElement.GetString()!;
        if (!root.TryGetProperty(KeysProperty, out JsonElement keysElement) || keysElement.ValueKind != JsonValueKind.Array)
        {
            ThrowHelper.ThrowRing($"{where}: '{KeysProperty}' must be an array.");
        }

        int count = keysElement.GetArrayLength();
        if (count is 0 or > MaxKeys)
        {
            ThrowHelper.ThrowRing($"{where}: '{KeysProperty}' must hold 1 to {MaxKeys} keys.");
        }

        var keys = new List<MasterKey>(count);
        int index = 0;
        foreach (JsonElement entry in keysElement.EnumerateArray())
        {
            keys.Add(ReadKey(entry, $"{where}: {KeysProperty}[{index}]"));
            for (int i = 0; i < keys.Count - 1; i++)
            {
                if (string.Equals(keys[i].Id, keys[^1].Id, StringComparison.Ordinal))
                {
                    ThrowHelper.ThrowRing($"{where}: {KeysProperty}[{index}].{IdProperty} repeats {KeysProperty}[{i}].{IdProperty}.");
                }
            }

            index++;
        }

        bool found = false;
        foreach (MasterKey key in keys)
        {
            found |= string.Equals(key.Id, activeKeyId, StringComparison.Ordinal);
        }

        if (!found)
        {
            ThrowHelper.ThrowRing($"{where}: '{ActiveKeyIdProperty}' names no key in '{KeysProperty}'.");
        }

        return new MasterKeyRing(keys, activeKeyId);
    }

    public static string Generate(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (!KeyNameSyntax.IsValid(keyId))
        {
            ThrowHelper.ThrowInvalidToken(nameof(keyId), "master key id");
        }

        Span<byte> secret = stackalloc byte[MasterKey.MinSecretLength];
        RandomNumberGenerator.Fill(secret);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString(ActiveKeyIdProperty, keyId);
            writer.WriteStartArray(KeysProperty);
            writer.WriteStartObject();
            writer.WriteString(IdProperty, keyId);
            writer.WriteBase64String(SecretProperty, secret);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        CryptographicOperations.ZeroMemory(secret);
        string json = System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
        buffer.Clear();
        return json;
    }

    private static byte[] Read(string path, string where)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxFileBytes)
            {
                ThrowHelper.ThrowRing($"{where} is larger than {MaxFileBytes} bytes.");
            }

            byte[] content = new byte[stream.Length];
            stream.ReadExactly(content);
            return content;
        }
        catch (FileNotFoundException e)
        {
            throw new KeyRingException(where + " does not exist.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new KeyRingException(where + " does not exist (no such directory).", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new KeyRingException(where + " cannot be read: access denied.", e);
        }
        catch (IOException e)
        {
            throw new KeyRingException(where + " cannot be read: " + e.GetType().Name + ".", e);
        }
    }

    private static MasterKey ReadKey(JsonElement entry, string where)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            ThrowHelper.ThrowRing(where + " must be an object.");
        }

        if (!entry.TryGetProperty(IdProperty, out JsonElement idElement) || idElement.ValueKind != JsonValueKind.String)
        {
            ThrowHelper.ThrowRing($"{where}.{IdProperty} must be a string.");
        }

        string id = idElement.GetString()!;
        if (!KeyNameSyntax.IsValid(id))
        {
            ThrowHelper.ThrowRing($"{where}.{IdProperty} must be 1 to {KeyNameSyntax.MaxLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
        }

        if (!entry.TryGetProperty(SecretProperty, out JsonElement secretElement) || secretElement.ValueKind != JsonValueKind.String)
        {
            ThrowHelper.ThrowRing($"{where}.{SecretProperty} must be a string.");
        }

        // Decoded straight from the UTF-8 document, so the secret never becomes a string.
        if (!secretElement.TryGetBytesFromBase64(out byte[]? secret))
        {
            ThrowHelper.ThrowRing($"{where}.{SecretProperty} is not valid base64.");
        }

        try
        {
            if (secret.Length is < MasterKey.MinSecretLength or > MasterKey.MaxSecretLength)
            {
                ThrowHelper.ThrowRing(
                    $"{where}.{SecretProperty} decodes to {secret.Length} bytes; {MasterKey.MinSecretLength} to {MasterKey.MaxSecretLength} are required.");
            }

            return new MasterKey(id, secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
