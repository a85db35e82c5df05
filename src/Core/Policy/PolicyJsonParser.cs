using System.Text.Json;

namespace Sieve.Core.Policy;

/// <summary>
/// Reads a policy document with <see cref="Utf8JsonReader"/> into <see cref="PolicyJsonNode"/>s that remember their
/// offsets. Comments are allowed (policies explain themselves); trailing commas are not. Duplicate keys are
/// reported (the first occurrence is kept); malformed JSON stops parsing with one positioned error.
/// </summary>
internal static class PolicyJsonParser
{
    /// <summary>Deepest nesting accepted; the format needs five levels.</summary>
    public const int MaxDepth = 16;

    public static PolicyJsonNode? Parse(ReadOnlySpan<byte> utf8, PolicyDiagnostics diagnostics)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            MaxDepth = MaxDepth,
        });

        try
        {
            if (!reader.Read())
            {
                diagnostics.Add(0, "the policy is empty");
                return null;
            }

            PolicyJsonNode root = ReadValue(ref reader, diagnostics);

            // Reading past the root makes the reader reject anything but whitespace and comments after it.
            _ = reader.Read();
            return root;
        }
        catch (JsonException exception)
        {
            diagnostics.AddSyntax(exception);
            return null;
        }
    }

    private static PolicyJsonNode ReadValue(ref Utf8JsonReader reader, PolicyDiagnostics diagnostics)
    {
        long offset = reader.TokenStartIndex;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = new PolicyJsonNode(PolicyJsonKind.Object, offset);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    string? name = ReadString(ref reader, diagnostics);
                    long nameOffset = reader.TokenStartIndex;
                    reader.Read();
                    PolicyJsonNode value = ReadValue(ref reader, diagnostics);
                    if (name is null)
                    {
                        // Already reported: a key that cannot be read names nothing.
                        continue;
                    }

                    if (seen.Add(name))
                    {
                        node.Properties.Add(new PolicyJsonProperty(name, nameOffset, value));
                    }
                    else
                    {
                        diagnostics.Add(nameOffset, $"duplicate key '{name}'");
                    }
                }

                return node;
            }

            case JsonTokenType.StartArray:
            {
                var node = new PolicyJsonNode(PolicyJsonKind.Array, offset);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    node.Items.Add(ReadValue(ref reader, diagnostics));
                }

                return node;
            }

            case JsonTokenType.String:
                return new PolicyJsonNode(PolicyJsonKind.String, offset) { String = ReadString(ref reader, diagnostics) ?? string.Empty };

            case JsonTokenType.Number:
            {
                long? integer = reader.TryGetInt64(out long l) ? l : null;
                if (!reader.TryGetDouble(out double d) || !double.IsFinite(d))
                {
                    diagnostics.Add(offset, "number is out of range");
                    d = double.NaN;
                }

                return new PolicyJsonNode(PolicyJsonKind.Number, offset) { Number = d, Integer = integer };
            }

            case JsonTokenType.True:
                return new PolicyJsonNode(PolicyJsonKind.True, offset);
            case JsonTokenType.False:
                return new PolicyJsonNode(PolicyJsonKind.False, offset);
            default:
                return new PolicyJsonNode(PolicyJsonKind.Null, offset);
        }
    }

    /// <summary>
    /// The string or property name the reader is on, or null (with an error at it) when it is not valid UTF-8 or an
    /// escape in it is an unpaired surrogate (<c>\ud800</c>): the reader does not check either before it is asked.
    /// </summary>
    private static string? ReadString(ref Utf8JsonReader reader, PolicyDiagnostics diagnostics)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            diagnostics.Add(reader.TokenStartIndex, "the text is not valid UTF-8 (or an escape is an unpaired surrogate)");
            return null;
        }
    }
}
