using System.Security.Cryptography;
using System.Text;
using Sieve.Contracts.Identifiers;

namespace Sieve.Testing;

/// <summary>
/// Looks for raw identifiers in output bytes: each identifier as typed, upper- and lower-cased, with separators
/// removed, and in every normalized form, plus the unkeyed MD5, SHA-1 and SHA-256 of each of those (hex in both
/// cases and raw digest bytes). Failure messages say which kind of needle matched, never the identifier.
/// </summary>
internal sealed class RawIdentifierScanner
{
    private readonly List<(byte[] Needle, string Label)> _needles = [];

    private RawIdentifierScanner()
    {
    }

    public int NeedleCount => _needles.Count;

    public static RawIdentifierScanner For(IEnumerable<string> identifiers)
    {
        var scanner = new RawIdentifierScanner();
        int index = 0;
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        foreach (string id in identifiers.Distinct(StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(id) || id.Length < 6)
            {
                continue;
            }

            var forms = new HashSet<string>(StringComparer.Ordinal) { id, id.ToUpperInvariant(), id.ToLowerInvariant(), Strip(id), Strip(id).ToLowerInvariant() };
            foreach (SubjectType type in Enum.GetValues<SubjectType>())
            {
                if (IdentifierNormalizer.TryNormalize(type, Encoding.UTF8.GetBytes(id), normalized, out int n, out _) == NormalizeStatus.Ok)
                {
                    string form = Encoding.ASCII.GetString(normalized[..n]);
                    forms.Add(form);
                    forms.Add(form.TrimStart('+'));
                }
            }

            int formIndex = 0;
            foreach (string form in forms)
            {
                byte[] bytes = Encoding.UTF8.GetBytes(form);
                string label = $"identifier #{index} form #{formIndex++}";
                scanner._needles.Add((bytes, label + " (plain)"));
                foreach ((string name, byte[] digest) in new[] { ("MD5", MD5.HashData(bytes)), ("SHA-1", SHA1.HashData(bytes)), ("SHA-256", SHA256.HashData(bytes)) })
                {
                    scanner._needles.Add((digest, $"{label} ({name} raw)"));
                    scanner._needles.Add((Encoding.ASCII.GetBytes(Convert.ToHexStringLower(digest)), $"{label} ({name} hex)"));
                    scanner._needles.Add((Encoding.ASCII.GetBytes(Convert.ToHexString(digest)), $"{label} ({name} HEX)"));
                }
            }

            index++;
        }

        return scanner;
    }

    /// <summary>The first needle found in <paramref name="haystack"/>, or null.</summary>
    public string? Find(ReadOnlySpan<byte> haystack)
    {
        foreach ((byte[] needle, string label) in _needles)
        {
            if (haystack.IndexOf(needle) >= 0)
            {
                return label;
            }
        }

        return null;
    }

    public void AssertClean(ReadOnlySpan<byte> haystack, string where)
    {
        string? found = Find(haystack);
        Assert.True(found is null, $"{where} contains {found}");
    }

    public void AssertClean(string text, string where) => AssertClean(Encoding.UTF8.GetBytes(text), where);

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
}
