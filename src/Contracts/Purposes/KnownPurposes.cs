namespace Sieve.Contracts.Purposes;

/// <summary>
/// The purposes the privacy policy declares. Data may serve these and no others: a policy file naming any other
/// purpose is rejected. Indexes are stable and size per-purpose arrays (consent state, counters).
/// </summary>
public static class KnownPurposes
{
    /// <summary>Positioning and location services.</summary>
    public const string Positioning = "positioning";
    /// <summary>Personalization.</summary>
    public const string Personalization = "personalization";
    /// <summary>Analytics without consent: held for the release stage, which anonymizes it (segment pseudonyms, trimming, zones, k per cell; measured in docs/privacy.md).</summary>
    public const string Analytics = "analytics";
    /// <summary>After-sales service.</summary>
    public const string AfterSales = "after-sales";
    /// <summary>Marketing.</summary>
    public const string Marketing = "marketing";
    /// <summary>
    /// Vehicle quality, safety notices and recalls: fault codes under a stable pseudonym whose owner only an audited,
    /// two-approver recall resolution can reach (legal basis: the recall regulation, not consent).
    /// </summary>
    public const string Quality = "quality";
    /// <summary>Fraud prevention.</summary>
    public const string FraudPrevention = "fraud-prevention";

    /// <summary>Every declared purpose; a purpose's index in this list is its id.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Positioning, Personalization, Analytics, AfterSales, Marketing, Quality, FraudPrevention];

    /// <summary>Number of declared purposes.</summary>
    public const int Count = 7;

    /// <summary>The purpose's index in <see cref="All"/>, or -1 when it is not a declared purpose.</summary>
    public static int IndexOf(string purpose)
    {
        for (int i = 0; i < Count; i++)
        {
            if (string.Equals(All[i], purpose, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The purpose's index for its UTF-8 name, or -1.</summary>
    public static int IndexOf(ReadOnlySpan<byte> purposeUtf8)
    {
        Span<char> chars = stackalloc char[32];
        if (purposeUtf8.Length > chars.Length)
        {
            return -1;
        }

        int n = System.Text.Encoding.UTF8.GetChars(purposeUtf8, chars);
        ReadOnlySpan<char> name = chars[..n];
        for (int i = 0; i < Count; i++)
        {
            if (name.SequenceEqual(All[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
