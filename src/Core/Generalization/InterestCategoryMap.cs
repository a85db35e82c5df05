using System.Text;
using Sieve.Core.Generalization;

namespace Sieve.Core.Policy;

/// <summary>
/// Maps browsing domains to interest categories, so that only a category, never a domain, leaves the raw zone.
/// A domain matches an entry when it is the entry's domain or any subdomain of it (on label boundaries:
/// <c>m.autohome.com.cn</c> matches <c>autohome.com.cn</c>, <c>notautohome.com.cn</c> does not); the most specific
/// entry wins. Matching ignores ASCII case and one trailing dot. Lookups allocate nothing; the map is immutable and
/// safe to share between threads.
/// </summary>
public sealed class InterestCategoryMap
{
    /// <summary>Longest domain name (RFC 1035, without the trailing dot); longer inputs never match.</summary>
    public const int MaxDomainLength = 253;

    /// <summary>Longest category name accepted.</summary>
    public const int MaxCategoryLength = 64;

    private readonly Dictionary<string, int> _byDomain;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly string[] _categoryNames;
    private readonly byte[][] _categoryUtf8;

    private InterestCategoryMap(Dictionary<string, int> byDomain, string[] categoryNames)
    {
        _byDomain = byDomain;
        _lookup = byDomain.GetAlternateLookup<ReadOnlySpan<char>>();
        _categoryNames = categoryNames;
        _categoryUtf8 = new byte[categoryNames.Length][];
        for (int i = 0; i < categoryNames.Length; i++)
        {
            _categoryUtf8[i] = Encoding.UTF8.GetBytes(categoryNames[i]);
        }
    }

    /// <summary>A map with no categories: every lookup returns -1.</summary>
    public static InterestCategoryMap Empty { get; } = new(new Dictionary<string, int>(StringComparer.Ordinal), []);

    /// <summary>Number of distinct categories; indexes returned by <see cref="Lookup"/> are below it.</summary>
    public int CategoryCount => _categoryNames.Length;

    /// <summary>Number of domain entries.</summary>
    public int DomainCount => _byDomain.Count;

    /// <summary>
    /// Builds a map from domain/category pairs. Categories are numbered in order of first appearance.
    /// </summary>
    /// <param name="entries">Domain (ASCII, e.g. <c>autohome.com.cn</c>; internationalized names in punycode) and category name.</param>
    /// <exception cref="ArgumentException">A domain is not a valid ASCII host name, is listed twice (ignoring case), or a category name is empty or too long.</exception>
    public static InterestCategoryMap Create(IEnumerable<KeyValuePair<string, string>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byDomain = new Dictionary<string, int>(StringComparer.Ordinal);
        var categoryIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        foreach ((string domain, string category) in entries)
        {
            string? problem = ValidateDomain(domain) ?? ValidateCategory(category);
            if (problem is not null)
            {
                throw new ArgumentException(problem, nameof(entries));
            }

            if (!categoryIndex.TryGetValue(category, out int index))
            {
                index = names.Count;
                categoryIndex.Add(category, index);
                names.Add(category);
            }

            if (!byDomain.TryAdd(domain.ToLowerInvariant(), index))
            {
                throw new ArgumentException($"Domain '{domain}' is listed more than once.", nameof(entries));
            }
        }

        return new InterestCategoryMap(byDomain, names.ToArray());
    }

    /// <summary>
    /// Why <paramref name="domain"/> cannot be a map entry, or null when it can: it must be 1..253 ASCII letters,
    /// digits, hyphens and dots, in labels of 1..63 characters that neither start nor end with a hyphen, with no
    /// trailing dot.
    /// </summary>
    public static string? ValidateDomain(string? domain)
    {
        if (string.IsNullOrEmpty(domain))
        {
            return "domain must not be empty";
        }

        if (domain.Length > MaxDomainLength)
        {
            return $"domain is longer than {MaxDomainLength} characters";
        }

        int labelStart = 0;
        for (int i = 0; i <= domain.Length; i++)
        {
            if (i == domain.Length || domain[i] == '.')
            {
                int labelLength = i - labelStart;
                if (labelLength == 0)
                {
                    return "domain has an empty label (leading, trailing or doubled '.')";
                }

                if (labelLength > 63)
                {
                    return "domain has a label longer than 63 characters";
                }

                if (domain[labelStart] == '-' || domain[i - 1] == '-')
                {
                    return "domain label starts or ends with '-'";
                }

                labelStart = i + 1;
                continue;
            }

            if (!char.IsAsciiLetterOrDigit(domain[i]) && domain[i] != '-')
            {
                return "domain may hold only ASCII letters, digits, '-' and '.' (write internationalized names in punycode)";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="category"/> cannot be a category name, or null when it can.</summary>
    public static string? ValidateCategory(string? category)
    {
        if (string.IsNullOrWhiteSpace(category))
        {
            return "category must not be empty";
        }

        return category.Length > MaxCategoryLength ? $"category is longer than {MaxCategoryLength} characters" : null;
    }

    /// <summary>The category's UTF-8 name.</summary>
    /// <param name="index">A category index, 0..<see cref="CategoryCount"/>-1.</param>
    public ReadOnlySpan<byte> CategoryUtf8(int index)
    {
        if ((uint)index >= (uint)_categoryUtf8.Length)
        {
            ThrowHelper.ThrowCategoryIndexOutOfRange(index);
        }

        return _categoryUtf8[index];
    }

    /// <summary>The category's name.</summary>
    /// <param name="index">A category index, 0..<see cref="CategoryCount"/>-1.</param>
    public string CategoryName(int index)
    {
        if ((uint)index >= (uint)_categoryNames.Length)
        {
            ThrowHelper.ThrowCategoryIndexOutOfRange(index);
        }

        return _categoryNames[index];
    }

    /// <summary>
    /// The category index for a UTF-8 domain, or -1 when neither the domain nor any parent domain is listed, or the
    /// domain is empty, longer than <see cref="MaxDomainLength"/> bytes, or not ASCII. Allocates nothing.
    /// </summary>
    /// <param name="domainUtf8">The domain as received, e.g. <c>M.Autohome.com.cn.</c>.</param>
    public int Lookup(ReadOnlySpan<byte> domainUtf8)
    {
        if (domainUtf8.Length > 0 && domainUtf8[^1] == (byte)'.')
        {
            domainUtf8 = domainUtf8[..^1];
        }

        if (domainUtf8.Length == 0 || domainUtf8.Length > MaxDomainLength || _byDomain.Count == 0)
        {
            return -1;
        }

        // Entries are lower-case ASCII; widen and fold case into a stack buffer so the dictionary can be probed by
        // span. A non-ASCII byte can never match an entry.
        Span<char> chars = stackalloc char[MaxDomainLength];
        for (int i = 0; i < domainUtf8.Length; i++)
        {
            byte b = domainUtf8[i];
            if (b >= 0x80)
            {
                return -1;
            }

            chars[i] = (char)(b is >= (byte)'A' and <= (byte)'Z' ? b | 0x20 : b);
        }

        // Most specific first: the domain itself, then each parent, cutting one label at a time.
        ReadOnlySpan<char> candidate = chars[..domainUtf8.Length];
        while (true)
        {
            if (_lookup.TryGetValue(candidate, out int index))
            {
                return index;
            }

            int dot = candidate.IndexOf('.');
            if (dot < 0)
            {
                return -1;
            }

            candidate = candidate[(dot + 1)..];
        }
    }
}
