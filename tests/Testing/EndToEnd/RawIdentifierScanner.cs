using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using Sieve.Contracts.Identifiers;

namespace Sieve.Testing.EndToEnd;

/// <summary>The kinds of raw identifiers a test puts into raw events.</summary>
internal enum IdentifierKind
{
    Vin,
    Imei,
    Phone,
    Mac,
    DeviceId,
    DriverName,
    LicenceNumber,
}

/// <summary>
/// Looks for raw identifiers in bytes and text: every identifier as typed, in upper and lower case and in its
/// normalized form, and the unkeyed MD5, SHA-1 and SHA-256 of each of those forms as raw bytes, lower- and
/// upper-case hex and base64. A hit is described by identifier kind, index and form, never by the identifier.
/// </summary>
internal sealed class RawIdentifierScanner
{
    private const int MinPatternLength = 6;
    private readonly List<Pattern> _patterns = [];
    private readonly SearchValues<string> _search;

    public RawIdentifierScanner(IEnumerable<(IdentifierKind Kind, string Value)> identifiers)
    {
        var counters = new Dictionary<IdentifierKind, int>();
        foreach ((IdentifierKind kind, string value) in identifiers)
        {
            int index = counters.GetValueOrDefault(kind);
            counters[kind] = index + 1;
            string label = kind + " #" + index;
            var forms = new Dictionary<string, string>(StringComparer.Ordinal);
            AddForm(forms, value, "as typed");
            AddForm(forms, value.ToUpperInvariant(), "upper case");
            AddForm(forms, value.ToLowerInvariant(), "lower case");
            if (Normalized(kind, value) is { } normalized)
            {
                AddForm(forms, normalized, "normalized");
            }

            foreach ((string form, string formName) in forms)
            {
                byte[] utf8 = Encoding.UTF8.GetBytes(form);
                Add(utf8, label + " (" + formName + ")");
                AddDigests(utf8, label + " (" + formName + ")");
            }
        }

        IdentifierCount = counters.Values.Sum();
        _search = SearchValues.Create([.. _patterns.Select(p => p.Latin1).Distinct(StringComparer.Ordinal)], StringComparison.Ordinal);
    }

    /// <summary>How many identifiers are looked for.</summary>
    public int IdentifierCount { get; }

    /// <summary>How many byte patterns (forms and digests) are looked for.</summary>
    public int PatternCount => _patterns.Count;

    /// <summary>The normalized form the pipeline keys a subject by, or null when the identifier does not normalize.</summary>
    public static string? Normalized(IdentifierKind kind, string value)
    {
        SubjectType? type = kind switch
        {
            IdentifierKind.Vin => SubjectType.Vin,
            IdentifierKind.Imei or IdentifierKind.DeviceId => SubjectType.DeviceId,
            IdentifierKind.Phone => SubjectType.Phone,
            IdentifierKind.Mac => SubjectType.Mac,
            _ => null,
        };
        if (type is null)
        {
            return null;
        }

        Span<byte> destination = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        return IdentifierNormalizer.TryNormalize(type.Value, Encoding.UTF8.GetBytes(value), destination, out int written, out _) == NormalizeStatus.Ok
            ? Encoding.ASCII.GetString(destination[..written])
            : null;
    }

    /// <summary>What <paramref name="data"/> holds, e.g. <c>Vin #2 (normalized) as SHA-256 hex (lower)</c>; null when it holds none.</summary>
    public string? Find(ReadOnlySpan<byte> data) => data.IsEmpty ? null : Find(Encoding.Latin1.GetString(data));

    /// <summary>What <paramref name="text"/> holds; null when it holds none. Text patterns are ASCII, so text and bytes compare alike.</summary>
    public string? Find(string text)
    {
        int at = text.AsSpan().IndexOfAny(_search);
        if (at < 0)
        {
            return null;
        }

        Pattern? longest = null;
        foreach (Pattern pattern in _patterns)
        {
            if (text.AsSpan(at).StartsWith(pattern.Latin1, StringComparison.Ordinal) && (longest is null || pattern.Latin1.Length > longest.Value.Latin1.Length))
            {
                longest = pattern;
            }
        }

        return longest!.Value.Description + " at byte " + at;
    }

    /// <summary>Fails naming topic, partition, offset and part when any record's key, value or headers hold an identifier.</summary>
    public void AssertClean(IEnumerable<ConsumeResult<byte[], byte[]>> records)
    {
        foreach (ConsumeResult<byte[], byte[]> record in records)
        {
            string where = "topic " + record.Topic + " [" + record.Partition.Value + "] @" + record.Offset.Value;
            Check(where + " key", record.Message.Key);
            Check(where + " value", record.Message.Value);
            if (record.Message.Headers is { } headers)
            {
                foreach (IHeader header in headers)
                {
                    Check(where + " header name", Encoding.UTF8.GetBytes(header.Key));
                    Check(where + " header value", header.GetValueBytes());
                }
            }
        }
    }

    /// <summary>Fails naming the line number when any line holds an identifier.</summary>
    public void AssertClean(IReadOnlyList<string> lines, string source)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if (Find(lines[i]) is { } hit)
            {
                Assert.Fail("Raw identifier in " + source + " line " + i + ": " + hit + ".");
            }
        }
    }

    /// <summary>Reads every topic to its end and scans every record; returns how many records were scanned.</summary>
    public async Task<int> AssertTopicsCleanAsync(string bootstrapServers, IEnumerable<string> topics)
    {
        int scanned = 0;
        foreach (string topic in topics)
        {
            using TopicTail<bool> tail = TopicTail<bool>.Start(bootstrapServers, topic, static _ => true);
            List<Tailed<bool>> records = await tail.ReadToEndAsync(TimeSpan.FromSeconds(30));
            AssertClean(records.Select(r => r.Raw));
            scanned += records.Count;
        }

        return scanned;
    }

    private void Check(string where, byte[]? data)
    {
        if (data is not null && Find(data) is { } hit)
        {
            Assert.Fail("Raw identifier in " + where + ": " + hit + ".");
        }
    }

    private static void AddForm(Dictionary<string, string> forms, string form, string name) => forms.TryAdd(form, name);

    private void AddDigests(byte[] utf8, string label)
    {
        AddDigest(MD5.HashData(utf8), label + " as MD5");
        AddDigest(SHA1.HashData(utf8), label + " as SHA-1");
        AddDigest(SHA256.HashData(utf8), label + " as SHA-256");
    }

    private void AddDigest(byte[] digest, string label)
    {
        Add(digest, label + " raw bytes");
        Add(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(digest)), label + " hex (lower)");
        Add(Encoding.ASCII.GetBytes(Convert.ToHexString(digest)), label + " hex (upper)");
        Add(Encoding.ASCII.GetBytes(Convert.ToBase64String(digest)), label + " base64");
    }

    private void Add(byte[] bytes, string description)
    {
        Assert.True(bytes.Length >= MinPatternLength, description + " is too short to scan for without false alarms.");
        _patterns.Add(new Pattern(Encoding.Latin1.GetString(bytes), description));
    }

    private readonly record struct Pattern(string Latin1, string Description);
}
