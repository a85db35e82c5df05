using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Sieve.Core.Recall;

/// <summary>
/// The recall key file: <c>{"recallKey":{"id":"recall-2026","key":"&lt;base64 of 32 bytes&gt;"}}</c>. The top-level
/// name differs from the master keys file's (<c>activeKeyId</c>, <c>keys</c>) so neither file loads as the other:
/// a master keys file given as the recall key is refused by name. Errors name the file and the JSON path, never a value.
/// </summary>
public static class RecallKeyFile
{
    /// <summary>The top-level property that marks a recall key file.</summary>
    public const string TopLevelProperty = "recallKey";

    /// <summary>Largest file read.</summary>
    public const int MaxFileBytes = 64 * 1024;

    private const string IdProperty = "id";
    private const string KeyProperty = "key";

    /// <summary>Loads and checks the file at <paramref name="path"/>.</summary>
    /// <exception cref="RecallKeyException">The file is missing, unreadable or not a recall key file.</exception>
    public static RecallKey Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string where = "Recall key file '" + path + "'";
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

    /// <summary>Parses a recall key file's UTF-8 JSON; <paramref name="where"/> names it in errors.</summary>
    /// <exception cref="RecallKeyException">The text is not a recall key file.</exception>
    public static RecallKey Parse(ReadOnlyMemory<byte> utf8Json, string where)
    {
        ArgumentNullException.ThrowIfNull(where);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 8, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            string at = e.LineNumber is long line && e.BytePositionInLine is long column ? $" (line {line + 1}, byte {column + 1})" : "";
            throw new RecallKeyException(where + " is not valid JSON" + at + ".");
        }
        catch (InvalidOperationException)
        {
            throw new RecallKeyException(where + " holds text that is not valid UTF-8.");
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, where);
            }
            catch (InvalidOperationException)
            {
                throw new RecallKeyException(where + " holds text that is not valid UTF-8.");
            }
        }
    }

    /// <summary>The JSON of a recall key file holding <paramref name="key"/>.</summary>
    public static string Write(RecallKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject(TopLevelProperty);
            writer.WriteString(IdProperty, key.Id);
            writer.WriteBase64String(KeyProperty, key.Secret);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        string json = Encoding.UTF8.GetString(buffer.WrittenSpan) + "\n";
        buffer.Clear();
        return json;
    }

    private static RecallKey Read(JsonElement root, string where)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RecallKeyException(where + ": the top level must be a JSON object.");
        }

        if (!root.TryGetProperty(TopLevelProperty, out JsonElement entry))
        {
            bool masterKeys = root.TryGetProperty("keys", out _) || root.TryGetProperty("activeKeyId", out _);
            throw new RecallKeyException(masterKeys
                ? where + " is a master keys file (activeKeyId, keys), not a recall key file; the recall key is separate: make one with 'sieve recall keygen'."
                : $"{where} has no '{TopLevelProperty}' object; it is not a recall key file (make one with 'sieve recall keygen').");
        }

        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new RecallKeyException($"{where}: '{TopLevelProperty}' must be an object.");
        }

        if (!entry.TryGetProperty(IdProperty, out JsonElement idElement) || idElement.ValueKind != JsonValueKind.String
            || !RecallKey.IsValidId(idElement.GetString()))
        {
            throw new RecallKeyException($"{where}: {TopLevelProperty}.{IdProperty} must be 1 to {RecallKey.MaxIdLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
        }

        if (!entry.TryGetProperty(KeyProperty, out JsonElement keyElement) || keyElement.ValueKind != JsonValueKind.String
            || !keyElement.TryGetBytesFromBase64(out byte[]? secret))
        {
            throw new RecallKeyException($"{where}: {TopLevelProperty}.{KeyProperty} must be base64.");
        }

        try
        {
            if (secret.Length != RecallKey.SecretLength)
            {
                throw new RecallKeyException($"{where}: {TopLevelProperty}.{KeyProperty} decodes to {secret.Length} bytes; exactly {RecallKey.SecretLength} are required.");
            }

            return new RecallKey(idElement.GetString()!, secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static byte[] Read(string path, string where)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxFileBytes)
            {
                throw new RecallKeyException($"{where} is larger than {MaxFileBytes} bytes.");
            }

            byte[] content = new byte[stream.Length];
            stream.ReadExactly(content);
            return content;
        }
        catch (FileNotFoundException e)
        {
            throw new RecallKeyException(where + " does not exist.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new RecallKeyException(where + " does not exist (no such directory).", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new RecallKeyException(where + " cannot be read: access denied.", e);
        }
        catch (IOException e)
        {
            throw new RecallKeyException(where + " cannot be read: " + e.GetType().Name + ".", e);
        }
    }
}
