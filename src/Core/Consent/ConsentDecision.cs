namespace Sieve.Core.Consent;

/// <summary>What the consent rule says about forwarding one event to one purpose.</summary>
public enum ConsentDecision : byte
{
    /// <summary>Forward the event to the purpose.</summary>
    Forward = 0,
    /// <summary>Withheld: the purpose needs consent and none was in effect at the event's time.</summary>
    WithheldNoConsent = 1,
    /// <summary>Withheld: the subject has withdrawn consent for the purpose.</summary>
    WithheldWithdrawn = 2,
    /// <summary>Withheld: the subject is a minor; nothing of a minor's is forwarded to any purpose.</summary>
    WithheldMinor = 3,
    /// <summary>Withheld: the subject was erased; nothing of theirs is forwarded to any purpose again.</summary>
    WithheldErased = 4,
    /// <summary>
    /// Withheld: the subject's grant had lapsed (its <c>expiresAt</c>, or the purpose's <c>consentMaxAge</c> after
    /// it took effect) by the event's time or by the minimizer's clock; see <see cref="ConsentRules"/>.
    /// </summary>
    WithheldExpired = 5,
}

/// <summary>Stable reason codes for <see cref="ConsentDecision"/> values (audit records and metric labels).</summary>
public static class ConsentDecisionCodes
{
    /// <summary>A short kebab-case code, e.g. <c>consent-withdrawn</c>.</summary>
    public static string ToReasonCode(this ConsentDecision decision) => decision switch
    {
        ConsentDecision.Forward => "forward",
        ConsentDecision.WithheldNoConsent => "no-consent",
        ConsentDecision.WithheldWithdrawn => "consent-withdrawn",
        ConsentDecision.WithheldMinor => "minor",
        ConsentDecision.WithheldErased => "erased",
        ConsentDecision.WithheldExpired => "consent-expired",
        _ => "unknown-decision",
    };
}
