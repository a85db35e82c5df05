namespace Sieve.Core.Policy;

/// <summary>Why a purpose may process personal data at all (PIPL Art. 13), as its policy entry declares.</summary>
public enum LegalBasis : byte
{
    /// <summary>The subject's consent (Art. 13(1)); <c>consentRequired</c> is true.</summary>
    Consent = 0,
    /// <summary>
    /// No personal information leaves: the purpose's release stage anonymizes it (an <c>anonymize</c> block with
    /// segment pseudonyms; measured by <c>sieve privacy</c>). <c>consentRequired</c> is false.
    /// </summary>
    Anonymized = 1,
    /// <summary>
    /// A legal obligation (Art. 13(3)), such as the recall regulation; <c>consentRequired</c> is false, the policy
    /// names the law in <c>legalReference</c>, and the purpose forwards no location.
    /// </summary>
    LegalObligation = 2,
}

/// <summary>The names of <see cref="LegalBasis"/> values as a policy writes them.</summary>
public static class LegalBasisNames
{
    /// <summary><c>consent</c>.</summary>
    public const string Consent = "consent";

    /// <summary><c>anonymized</c>.</summary>
    public const string Anonymized = "anonymized";

    /// <summary><c>legal-obligation</c>.</summary>
    public const string LegalObligation = "legal-obligation";

    /// <summary>Every name, in <see cref="LegalBasis"/> order.</summary>
    public static IReadOnlyList<string> All { get; } = [Consent, Anonymized, LegalObligation];

    /// <summary>The name of <paramref name="basis"/>.</summary>
    public static string NameOf(LegalBasis basis) => All[(int)basis];

    /// <summary>The basis a policy names <paramref name="name"/> (case-sensitive).</summary>
    public static bool TryParse(string? name, out LegalBasis basis)
    {
        for (int i = 0; i < All.Count; i++)
        {
            if (string.Equals(All[i], name, StringComparison.Ordinal))
            {
                basis = (LegalBasis)i;
                return true;
            }
        }

        basis = default;
        return false;
    }
}
