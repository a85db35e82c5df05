namespace Sieve.Core.Consent;

/// <summary>
/// The latest consent decision a subject made for one purpose: its <see cref="State"/>, the Unix-millisecond time
/// it takes effect from, the privacy-policy version the subject saw, and for a grant when it lapses.
/// <c>default</c> means no decision.
/// </summary>
/// <param name="State">Granted, withdrawn, or none.</param>
/// <param name="EffectiveTimeMillis">When the decision takes effect, Unix milliseconds; 0 when <see cref="ConsentState.None"/>.</param>
/// <param name="PolicyVersion">The privacy-policy version the subject saw; null when <see cref="ConsentState.None"/>.</param>
/// <param name="ExpiresAtMillis">
/// When a grant lapses (exclusive), Unix milliseconds, as the change's <c>expiresAt</c> said; <see cref="NoExpiry"/>
/// (<see cref="long.MaxValue"/>) when it named none, and for withdrawals. Only a grant's value means anything. The
/// purpose's <c>consentMaxAge</c> bounds a grant as well (<see cref="ConsentRules"/>); it is not folded in here,
/// because the policy may change while the store keeps the decision.
/// </param>
public readonly record struct PurposeConsent(ConsentState State, long EffectiveTimeMillis, string? PolicyVersion, long ExpiresAtMillis = PurposeConsent.NoExpiry)
{
    /// <summary>The <see cref="ExpiresAtMillis"/> of a grant that names no end. A sentinel that compares after every time, so no check needs a special case.</summary>
    public const long NoExpiry = long.MaxValue;

    /// <summary>True when this is a grant that names an end of its own.</summary>
    public bool HasExpiry => State == ConsentState.Granted && ExpiresAtMillis != NoExpiry;

    /// <summary>
    /// True when a decision (<paramref name="granted"/>, <paramref name="effectiveTimeMillis"/>) replaces this one.
    /// Decisions are ordered by effective time, so a change older than the stored one is ignored and replaying a
    /// change is a no-op. At equal times a withdrawal beats a grant (the fail-closed tie-break); otherwise the first
    /// writer wins. <see cref="RedisConsentStore"/>'s script applies the same rule.
    /// </summary>
    public bool IsSupersededBy(bool granted, long effectiveTimeMillis) =>
        State == ConsentState.None
        || effectiveTimeMillis > EffectiveTimeMillis
        || (effectiveTimeMillis == EffectiveTimeMillis && !granted && State == ConsentState.Granted);
}
