using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Sieve.Core.Recall;

/// <summary>
/// A recall resolution request: the campaign, the legal basis, the sorted distinct quality pseudonyms a quality
/// engineer found, when it was made, and a random id. Approvers sign the SHA-256 of its canonical bytes
/// (<see cref="CanonicalBytes"/>): compact JSON with the properties in a fixed order, so any change to the campaign,
/// the basis or the list invalidates every approval.
/// </summary>
public sealed class RecallRequest
{
    /// <summary>The format version written and accepted.</summary>
    public const int Version = 1;

    /// <summary>Longest legal basis text.</summary>
    public const int MaxLegalBasisLength = 1000;

    /// <summary>Most pseudonyms a request file may list (the resolver's batch limit is usually lower).</summary>
    public const int MaxPseudonyms = 1_000_000;

    private readonly byte[] _canonical;

    private RecallRequest(string requestId, string campaign, string legalBasis, DateTimeOffset createdAt, string[] pseudonyms)
    {
        RequestId = requestId;
        Campaign = campaign;
        LegalBasis = legalBasis;
        CreatedAt = createdAt;
        Pseudonyms = pseudonyms;
        _canonical = Canonicalize();
        Digest = SHA256.HashData(_canonical);
        DigestHex = Convert.ToHexStringLower(Digest);
    }

    /// <summary>The request id.</summary>
    public string RequestId { get; }

    /// <summary>The recall campaign.</summary>
    public string Campaign { get; }

    /// <summary>The legal basis, as stated.</summary>
    public string LegalBasis { get; }

    /// <summary>When it was made (millisecond precision, UTC).</summary>
    public DateTimeOffset CreatedAt { get; }

    /// <summary>The pseudonyms, sorted (ordinal) and distinct.</summary>
    public IReadOnlyList<string> Pseudonyms { get; }

    /// <summary>SHA-256 of <see cref="CanonicalBytes"/>.</summary>
    public byte[] Digest { get; }

    /// <summary><see cref="Digest"/> in lower-case hex.</summary>
    public string DigestHex { get; }

    /// <summary>The canonical bytes approvers sign the digest of; also the request file's content.</summary>
    public ReadOnlySpan<byte> CanonicalBytes => _canonical;

    /// <summary>Makes a request; the pseudonyms are sorted and deduplicated.</summary>
    /// <exception cref="ArgumentException">An id, the basis or a pseudonym is malformed.</exception>
    public static RecallRequest Create(string requestId, string campaign, string legalBasis, DateTimeOffset createdAt, IEnumerable<string> pseudonyms)
    {
        ArgumentNullException.ThrowIfNull(pseudonyms);
        string? problem = Check(requestId, campaign, legalBasis);
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }

        var sorted = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string pseudonym in pseudonyms)
        {
            if (!IsPseudonym(pseudonym))
            {
                throw new ArgumentException("A pseudonym must be 32 characters of a-z and 2-7.", nameof(pseudonyms));
            }

            sorted.Add(pseudonym);
        }

        if (sorted.Count is 0 or > MaxPseudonyms)
        {
            throw new ArgumentException($"A request lists 1 to {MaxPseudonyms} pseudonyms.", nameof(pseudonyms));
        }

        return new RecallRequest(requestId, campaign, legalBasis, DateTimeOffset.FromUnixTimeMilliseconds(createdAt.ToUnixTimeMilliseconds()), [.. sorted]);
    }

    /// <summary>Reads a request file; the problem (naming fields, never values) when it is not one.</summary>
    public static RecallRequest? TryParse(ReadOnlyMemory<byte> utf8Json, out string? problem)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { MaxDepth = 4, AllowDuplicateProperties = false });
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the top level must be a JSON object";
                return null;
            }

            if (!root.TryGetProperty("version", out JsonElement version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v) || v != Version)
            {
                problem = $"'version' must be {Version}";
                return null;
            }

            string? requestId = Text(root, "requestId");
            string? campaign = Text(root, "campaign");
            string? legalBasis = Text(root, "legalBasis");
            string? created = Text(root, "createdAt");
            if (Check(requestId, campaign, legalBasis) is { } bad)
            {
                problem = bad;
                return null;
            }

            if (created is null || !DateTimeOffset.TryParseExact(created, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset createdAt))
            {
                problem = "'createdAt' must be a UTC time like 2026-11-25T08:00:00.000Z";
                return null;
            }

            if (!root.TryGetProperty("pseudonyms", out JsonElement list) || list.ValueKind != JsonValueKind.Array)
            {
                problem = "'pseudonyms' must be an array";
                return null;
            }

            var pseudonyms = new List<string>(list.GetArrayLength());
            int index = 0;
            foreach (JsonElement item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String || !IsPseudonym(item.GetString()))
                {
                    problem = $"pseudonyms[{index}] must be 32 characters of a-z and 2-7";
                    return null;
                }

                pseudonyms.Add(item.GetString()!);
                index++;
            }

            if (pseudonyms.Count == 0)
            {
                problem = "'pseudonyms' is empty";
                return null;
            }

            problem = null;
            return Create(requestId!, campaign!, legalBasis!, createdAt, pseudonyms);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            problem = "it is not a recall request (not valid JSON of the expected shape)";
            return null;
        }
    }

    /// <summary>True when <paramref name="text"/> is 32 characters of <c>a-z2-7</c>.</summary>
    public static bool IsPseudonym(string? text)
    {
        if (text is null || text.Length != EscrowFormat.PseudonymLength)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (!(c is >= 'a' and <= 'z' or >= '2' and <= '7'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? Check(string? requestId, string? campaign, string? legalBasis)
    {
        if (!RecallToken.IsValid(requestId))
        {
            return RecallToken.Rule("'requestId'");
        }

        if (!RecallToken.IsValid(campaign))
        {
            return RecallToken.Rule("'campaign'");
        }

        if (string.IsNullOrWhiteSpace(legalBasis) || legalBasis.Length > MaxLegalBasisLength)
        {
            return $"'legalBasis' must be 1 to {MaxLegalBasisLength} characters";
        }

        return null;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private byte[] Canonicalize()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (Pseudonyms.Count * 40));
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", Version);
            json.WriteString("requestId", RequestId);
            json.WriteString("campaign", Campaign);
            json.WriteString("legalBasis", LegalBasis);
            json.WriteString("createdAt", CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteStartArray("pseudonyms");
            foreach (string pseudonym in Pseudonyms)
            {
                json.WriteStringValue(pseudonym);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
