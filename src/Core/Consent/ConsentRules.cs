using System.Runtime.CompilerServices;
using Sieve.Contracts.Purposes;
using Sieve.Core.Policy;

namespace Sieve.Core.Consent;

/// <summary>
/// The consent rule, applied per event per purpose: forward iff (the purpose needs no consent, or consent was
/// granted, is valid for the event and is still valid now, and is not withdrawn now) and the subject is not a
/// minor. An erased subject is withheld everywhere, and that check wins over everything; the minor check comes next.
/// </summary>
/// <remarks>
/// <para>
/// Expiry (GB/T 41871-2022: a consent period may not be permanent). A grant is valid from its effective time until
/// <see cref="ValidUntil"/>: the earlier of its own <c>expiresAt</c> and its effective time plus the purpose's
/// <c>consentMaxAge</c> (<see cref="PurposePlan.ConsentMaxAge"/>). An event is forwarded only when its event time
/// is in [effective, validUntil) and the minimizer's clock (<c>MinimizerCore.NowMillis</c>, set once per batch) is
/// before validUntil, so nothing is forwarded once a grant has lapsed, not even a late event from before the lapse:
/// as with a withdrawal, the subject's consent is judged as it stands now as well as at the event's time. Both
/// checks give <see cref="ConsentDecision.WithheldExpired"/>; an event before the effective time is
/// <see cref="ConsentDecision.WithheldNoConsent"/>. A clock of 0 or less (offline tools that replay samples) skips
/// the clock check.
/// </para>
/// </remarks>
public static class ConsentRules
{
    /// <summary>The max age of a purpose whose grants have none (<see cref="PurposePlan.NoConsentMaxAge"/>).</summary>
    public const long NoMaxAge = PurposePlan.NoConsentMaxAge;

    /// <summary>
    /// When a grant stops being valid (exclusive), Unix milliseconds: the earlier of its <c>expiresAt</c> and its
    /// effective time plus <paramref name="consentMaxAgeMillis"/>; <see cref="long.MaxValue"/> when neither bounds it
    /// (which means "no end": no event time or clock reaches it).
    /// </summary>
    /// <param name="consent">The grant (any other state gives <see cref="long.MaxValue"/>).</param>
    /// <param name="consentMaxAgeMillis">The purpose's max age in milliseconds; <see cref="NoMaxAge"/> for none.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ValidUntil(in PurposeConsent consent, long consentMaxAgeMillis)
    {
        if (consent.State != ConsentState.Granted)
        {
            return long.MaxValue;
        }

        long byAge = consentMaxAgeMillis == NoMaxAge || consent.EffectiveTimeMillis > long.MaxValue - consentMaxAgeMillis
            ? long.MaxValue
            : consent.EffectiveTimeMillis + consentMaxAgeMillis;
        return Math.Min(byAge, consent.ExpiresAtMillis);
    }

    /// <summary>Decides whether an event may go to <paramref name="plan"/>'s purpose; see the class remarks.</summary>
    /// <param name="record">The subject's consent record (<see cref="ConsentRecord.Empty"/> for an unknown subject).</param>
    /// <param name="plan">The purpose's plan: its purpose, whether it needs consent, and its max age.</param>
    /// <param name="eventTimeMillis">The event's time, Unix milliseconds.</param>
    /// <param name="nowMillis">The minimizer's clock, Unix milliseconds; 0 or less to skip the clock check.</param>
    public static ConsentDecision Decide(ConsentRecord record, PurposePlan plan, long eventTimeMillis, long nowMillis)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return Decide(record, plan.PurposeId, plan.ConsentRequired, plan.ConsentMaxAgeMillis, eventTimeMillis, nowMillis);
    }

    /// <summary>Decides whether an event of the subject described by <paramref name="record"/> may go to a purpose.</summary>
    /// <param name="record">The subject's consent record (<see cref="ConsentRecord.Empty"/> for an unknown subject).</param>
    /// <param name="purposeId">Index of the purpose in <see cref="KnownPurposes.All"/>.</param>
    /// <param name="consentRequired">True when the policy makes the purpose depend on consent.</param>
    /// <param name="consentMaxAgeMillis">The purpose's <c>consentMaxAge</c> in milliseconds; <see cref="NoMaxAge"/> for none.</param>
    /// <param name="eventTimeMillis">The event's time, Unix milliseconds.</param>
    /// <param name="nowMillis">The minimizer's clock, Unix milliseconds; 0 or less to skip the clock check.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="purposeId"/> is not a declared purpose's index.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ConsentDecision Decide(ConsentRecord record, int purposeId, bool consentRequired, long consentMaxAgeMillis, long eventTimeMillis, long nowMillis)
    {
        ConsentDecision decision = DecideForAllTimes(record, purposeId, consentRequired, consentMaxAgeMillis, out long forwardFrom, out long forwardUntil);
        return decision == ConsentDecision.Forward ? AtTime(forwardFrom, forwardUntil, eventTimeMillis, nowMillis) : decision;
    }

    /// <summary>
    /// The decision for an event when <see cref="DecideForAllTimes(ConsentRecord, int, bool, long, out long, out long)"/>
    /// said <see cref="ConsentDecision.Forward"/> with <paramref name="forwardFrom"/> and <paramref name="forwardUntil"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ConsentDecision AtTime(long forwardFrom, long forwardUntil, long eventTimeMillis, long nowMillis)
    {
        if (eventTimeMillis < forwardFrom)
        {
            // A grant covers only events at or after the moment it takes effect.
            return ConsentDecision.WithheldNoConsent;
        }

        // Lapsed for the event, or lapsed by now: either way nothing more is forwarded under this grant.
        // long.MaxValue is "no end", not a time an event could reach.
        return forwardUntil != long.MaxValue && (eventTimeMillis >= forwardUntil || (nowMillis > 0 && nowMillis >= forwardUntil))
            ? ConsentDecision.WithheldExpired
            : ConsentDecision.Forward;
    }

    /// <summary><see cref="DecideForAllTimes(ConsentRecord, int, bool, long, out long, out long)"/> for <paramref name="plan"/>'s purpose.</summary>
    /// <param name="record">The subject's consent record.</param>
    /// <param name="plan">The purpose's plan.</param>
    /// <param name="forwardFrom">The earliest event time forwarded, when the result is <see cref="ConsentDecision.Forward"/>.</param>
    /// <param name="forwardUntil">The grant's end (exclusive), for event times and the clock alike, when the result is <see cref="ConsentDecision.Forward"/>.</param>
    public static ConsentDecision DecideForAllTimes(ConsentRecord record, PurposePlan plan, out long forwardFrom, out long forwardUntil)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return DecideForAllTimes(record, plan.PurposeId, plan.ConsentRequired, plan.ConsentMaxAgeMillis, out forwardFrom, out forwardUntil);
    }

    /// <summary>
    /// <see cref="Decide(ConsentRecord, int, bool, long, long, long)"/> for every event time and clock at once, so a
    /// subject's decisions can be worked out when its record is cached rather than per event. When the result is
    /// <see cref="ConsentDecision.Forward"/>, the decision for an event at time t with the clock at now is
    /// <see cref="AtTime"/>(<paramref name="forwardFrom"/>, <paramref name="forwardUntil"/>, t, now); any other result
    /// is the decision at every time.
    /// </summary>
    /// <param name="record">The subject's consent record.</param>
    /// <param name="purposeId">Index of the purpose in <see cref="KnownPurposes.All"/>.</param>
    /// <param name="consentRequired">True when the policy makes the purpose depend on consent.</param>
    /// <param name="consentMaxAgeMillis">The purpose's <c>consentMaxAge</c> in milliseconds; <see cref="NoMaxAge"/> for none.</param>
    /// <param name="forwardFrom">The earliest event time forwarded, when the result is <see cref="ConsentDecision.Forward"/>.</param>
    /// <param name="forwardUntil">The grant's end (exclusive), for event times and the clock alike, when the result is <see cref="ConsentDecision.Forward"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="purposeId"/> is not a declared purpose's index.</exception>
    public static ConsentDecision DecideForAllTimes(ConsentRecord record, int purposeId, bool consentRequired, long consentMaxAgeMillis, out long forwardFrom, out long forwardUntil)
    {
        ref readonly PurposeConsent consent = ref record.GetPurpose(purposeId);
        forwardFrom = long.MaxValue;
        forwardUntil = long.MinValue;
        if (record.Erased)
        {
            return ConsentDecision.WithheldErased;
        }

        if (record.Minor)
        {
            return ConsentDecision.WithheldMinor;
        }

        if (!consentRequired)
        {
            forwardFrom = long.MinValue;
            forwardUntil = long.MaxValue;
            return ConsentDecision.Forward;
        }

        switch (consent.State)
        {
            case ConsentState.Granted:
                forwardFrom = consent.EffectiveTimeMillis;
                forwardUntil = ValidUntil(consent, consentMaxAgeMillis);
                return ConsentDecision.Forward;
            case ConsentState.Withdrawn:
                // Withdrawn now: nothing more is forwarded, including late events from before the withdrawal.
                return ConsentDecision.WithheldWithdrawn;
            default:
                return ConsentDecision.WithheldNoConsent;
        }
    }
}
