namespace Sieve.Core.Consent;

/// <summary>
/// One consent decision to store: a subject, known only by its consent key, granted or withdrew consent to one
/// purpose from a point in time. <see cref="ToString"/> never shows the key.
/// </summary>
public readonly struct ConsentUpdate
{
    /// <summary>Creates an update.</summary>
    /// <param name="consentKey">The subject's consent key (see <see cref="ConsentKeys"/>).</param>
    /// <param name="purposeId">Index of the purpose in <see cref="Sieve.Contracts.Purposes.KnownPurposes.All"/>.</param>
    /// <param name="granted">True for a grant, false for a withdrawal.</param>
    /// <param name="effectiveTimeMillis">When the decision takes effect, Unix milliseconds.</param>
    /// <param name="policyVersion">The privacy-policy version the subject saw.</param>
    /// <param name="minor">The subject is under 18 (sticky once stored).</param>
    /// <param name="expiresAtMillis">When a grant lapses (exclusive), Unix milliseconds; <see cref="PurposeConsent.NoExpiry"/> for none. A withdrawal's is ignored.</param>
    public ConsentUpdate(string consentKey, int purposeId, bool granted, long effectiveTimeMillis, string policyVersion, bool minor, long expiresAtMillis = PurposeConsent.NoExpiry)
    {
        ExpiresAtMillis = granted ? expiresAtMillis : PurposeConsent.NoExpiry;
        ConsentKey = consentKey;
        PurposeId = purposeId;
        Granted = granted;
        EffectiveTimeMillis = effectiveTimeMillis;
        PolicyVersion = policyVersion;
        Minor = minor;
    }

    /// <summary>The subject's consent key: its 32-character keyed pseudonym under purpose <c>consent-index</c>.</summary>
    public string ConsentKey { get; }

    /// <summary>Index of the purpose in <see cref="Sieve.Contracts.Purposes.KnownPurposes.All"/>.</summary>
    public int PurposeId { get; }

    /// <summary>True for a grant, false for a withdrawal.</summary>
    public bool Granted { get; }

    /// <summary>When the decision takes effect, Unix milliseconds.</summary>
    public long EffectiveTimeMillis { get; }

    /// <summary>The privacy-policy version the subject saw.</summary>
    public string PolicyVersion { get; }

    /// <summary>The subject is under 18.</summary>
    public bool Minor { get; }

    /// <summary>When a grant lapses (exclusive), Unix milliseconds; <see cref="PurposeConsent.NoExpiry"/> for none, and always for a withdrawal.</summary>
    public long ExpiresAtMillis { get; }

    /// <summary>Purpose, decision and time; never the consent key.</summary>
    public override string ToString() =>
        $"purpose={PurposeId} granted={Granted} effective={EffectiveTimeMillis} policy={PolicyVersion} minor={Minor} expires={(ExpiresAtMillis == PurposeConsent.NoExpiry ? "never" : ExpiresAtMillis)}";
}
