namespace Sieve.Core.Consent;

/// <summary>A subject's consent state for one purpose.</summary>
public enum ConsentState : byte
{
    /// <summary>No decision recorded: consent was never given.</summary>
    None = 0,
    /// <summary>Consent given, effective from <see cref="PurposeConsent.EffectiveTimeMillis"/>.</summary>
    Granted = 1,
    /// <summary>Consent withdrawn, effective from <see cref="PurposeConsent.EffectiveTimeMillis"/>.</summary>
    Withdrawn = 2,
}
