namespace Sieve.Minimizer.Policy;

/// <summary>Maps browsing domains to interest categories. (Stub: replaced by the real implementation.)</summary>
public sealed class InterestCategoryMap
{
    /// <summary>A map with no categories.</summary>
    public static InterestCategoryMap Empty { get; } = new();

    /// <summary>Number of distinct categories.</summary>
    public int CategoryCount => 0;

    /// <summary>The category's UTF-8 name.</summary>
    public ReadOnlySpan<byte> CategoryUtf8(int index) => throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The category index for a UTF-8 domain, or -1.</summary>
    public int Lookup(ReadOnlySpan<byte> domainUtf8) => -1;
}
