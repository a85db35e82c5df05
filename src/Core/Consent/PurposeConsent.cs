namespace Sieve.Core.Consent;

/// <summary>
/// The latest consent decision a subject made for one purpose: its <see cref="State"/>, the Unix-millisecond time
/// it takes effect from, and the privacy-policy version the subject saw. <c>default</c> means no decision.
/// </summary>
/// <param name="State">Granted, withdrawn, or none.</param>
/// <param name="EffectiveTimeMillis">When the decision takes effect, Unix milliseconds; 0 when <see cref="ConsentState.None"/>.</param>
/// <param name="PolicyVersion">The privacy-policy version the subject saw; null when <see cref="ConsentState.None"/>.</param>
public readonly record struct PurposeConsent(ConsentState State, long EffectiveTimeMillis, string? PolicyVersion)
{
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
