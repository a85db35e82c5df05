namespace Sieve.Core.Gateways.Portal;

/// <summary>Checks that a visited domain is a DNS host name: dot-separated labels of letters, digits and hyphens.</summary>
internal static class HostName
{
    /// <summary>Longest host name (RFC 1035).</summary>
    public const int MaxLength = 253;

    /// <summary>Longest label (RFC 1035).</summary>
    public const int MaxLabelLength = 63;

    /// <summary>
    /// True for <c>example.com</c>, <c>news.example.co.uk</c>, <c>xn--fiqs8s.cn</c>: 1 to 253 characters, labels of 1 to
    /// 63 letters, digits and hyphens that neither start nor end with a hyphen. Case is not changed or checked.
    /// </summary>
    public static bool IsValid(string name)
    {
        if (name.Length is 0 or > MaxLength)
        {
            return false;
        }

        int labelStart = 0;
        for (int i = 0; i <= name.Length; i++)
        {
            if (i == name.Length || name[i] == '.')
            {
                int length = i - labelStart;
                if (length is 0 or > MaxLabelLength || name[labelStart] == '-' || name[i - 1] == '-')
                {
                    return false;
                }

                labelStart = i + 1;
                continue;
            }

            if (!char.IsAsciiLetterOrDigit(name[i]) && name[i] != '-')
            {
                return false;
            }
        }

        return true;
    }
}
