using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Sieve.Contracts.Identifiers;

namespace Sieve.Core.Privacy;

/// <summary>
/// Looks for raw identifiers in bytes and text. Every identifier is looked for as typed, in upper and lower case, with
/// its separators removed (as is and in lower and upper case), in its normalized form (by its kind, and under every
/// subject type it normalizes as, with and without a leading <c>+</c>); and each of those forms also as the unkeyed
/// MD5, SHA-1 and SHA-256 of its UTF-8 bytes, as raw digest bytes, lower- and upper-case hex and base64. A hit is
/// described by identifier kind (or number), index and form, never by the identifier. This is how tests and
/// <c>sieve soak</c> show that no identifier left the raw zone: by looking for every form of the planted ones.
/// </summary>
/// <remarks>Immutable once built: <see cref="Find(ReadOnlySpan{byte})"/> may be called from any thread.</remarks>
public sealed class RawIdentifierScanner
{
    private const int MinPatternLength = 6;
    private readonly List<Pattern> _patterns = [];
    private readonly SearchValues<string> _search;

    /// <summary>A scanner for identifiers of known kinds; each form of each must be long enough to scan for without false alarms.</summary>
    /// <exception cref="ArgumentException">A form of an identifier is shorter than 6 bytes.</exception>
    public RawIdentifierScanner(IEnumerable<(IdentifierKind Kind, string Value)> identifiers)
    {
        var counters = new Dictionary<IdentifierKind, int>();
        foreach ((IdentifierKind kind, string value) in identifiers)
        {
            int index = counters.GetValueOrDefault(kind);
            counters[kind] = index + 1;
            AddIdentifier(kind + " #" + index, value, Normalized(kind, value), strict: true);
        }

        IdentifierCount = counters.Values.Sum();
        _search = SearchValues.Create([.. _patterns.Select(p => p.Latin1).Distinct(StringComparer.Ordinal)], StringComparison.Ordinal);
    }

    private RawIdentifierScanner(IEnumerable<string> identifiers)
    {
        int index = 0;
        foreach (string id in identifiers.Distinct(StringComparer.Ordinal))
        {
            // Too short (or blank) to scan for without false alarms: not an identifier a test plants.
            if (string.IsNullOrWhiteSpace(id) || id.Length < MinPatternLength)
            {
                continue;
            }

            AddIdentifier("identifier #" + index++, id, kindNormalized: null, strict: false);
        }

        IdentifierCount = index;
        _search = SearchValues.Create([.. _patterns.Select(p => p.Latin1).Distinct(StringComparer.Ordinal)], StringComparison.Ordinal);
    }

    /// <summary>How many identifiers are looked for.</summary>
    public int IdentifierCount { get; }

    /// <summary>How many byte patterns (forms and digests) are looked for.</summary>
    public int PatternCount => _patterns.Count;

    /// <summary>How many byte patterns are looked for (same as <see cref="PatternCount"/>).</summary>
    public int NeedleCount => _patterns.Count;

    /// <summary>A scanner for identifiers of unknown kind (each is normalized under every subject type); blank or short ones are skipped.</summary>
    public static RawIdentifierScanner For(IEnumerable<string> identifiers) => new(identifiers);

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
        return type is null ? null : Normalized(type.Value, value);
    }

    /// <summary>What <paramref name="data"/> holds, e.g. <c>Vin #2 (normalized) as SHA-256 hex (lower) at byte 7</c>; null when it holds none.</summary>
    public string? Find(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return null;
        }

        // Latin-1 maps each byte to one char, so byte patterns (digests included) compare as text.
        string text = Encoding.Latin1.GetString(data);
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

    /// <summary>What <paramref name="text"/> holds, looked for in its UTF-8 bytes; null when it holds none.</summary>
    public string? Find(string text) => Find(Encoding.UTF8.GetBytes(text));

    private static string? Normalized(SubjectType type, string value) =>
        IdentifierNormalizer.TryNormalize(type, value, out string normalized) == NormalizeStatus.Ok ? normalized : null;

    private static string Strip(string id)
    {
        var sb = new StringBuilder(id.Length);
        foreach (char c in id)
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// Adds every form of one identifier and its digests. With <paramref name="strict"/>, the forms as typed, in either
    /// case and normalized by kind must be long enough to scan for as they are (a test planting a shorter one learns
    /// so); other forms too short for that are looked for only as digests.
    /// </summary>
    private void AddIdentifier(string label, string value, string? kindNormalized, bool strict)
    {
        var forms = new Dictionary<string, string>(StringComparer.Ordinal);
        var required = new HashSet<string>(StringComparer.Ordinal);
        void Form(string form, string name, bool primary)
        {
            if (forms.TryAdd(form, name) && primary && strict)
            {
                required.Add(form);
            }
        }

        Form(value, "as typed", primary: true);
        Form(value.ToUpperInvariant(), "upper case", primary: true);
        Form(value.ToLowerInvariant(), "lower case", primary: true);
        if (kindNormalized is not null)
        {
            Form(kindNormalized, "normalized", primary: true);
        }

        string stripped = Strip(value);
        Form(stripped, "without separators", primary: false);
        Form(stripped.ToLowerInvariant(), "without separators, lower case", primary: false);
        Form(stripped.ToUpperInvariant(), "without separators, upper case", primary: false);
        foreach (SubjectType type in Enum.GetValues<SubjectType>())
        {
            if (Normalized(type, value) is { } normalized)
            {
                Form(normalized, "normalized as " + type, primary: false);
                Form(normalized.TrimStart('+'), "normalized as " + type + " without +", primary: false);
            }
        }

        if (kindNormalized is not null)
        {
            Form(kindNormalized.TrimStart('+'), "normalized without +", primary: false);
        }

        foreach ((string form, string formName) in forms)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(form);
            string description = label + " (" + formName + ")";
            if (utf8.Length >= MinPatternLength || required.Contains(form))
            {
                Add(utf8, description);
            }

            // Digests are long enough whatever the form's length.
            AddDigest(MD5.HashData(utf8), description + " as MD5");
            AddDigest(SHA1.HashData(utf8), description + " as SHA-1");
            AddDigest(SHA256.HashData(utf8), description + " as SHA-256");
        }
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
        if (bytes.Length < MinPatternLength)
        {
            throw new ArgumentException(description + " is too short to scan for without false alarms.", nameof(bytes));
        }

        _patterns.Add(new Pattern(Encoding.Latin1.GetString(bytes), description));
    }

    private readonly record struct Pattern(string Latin1, string Description);
}
