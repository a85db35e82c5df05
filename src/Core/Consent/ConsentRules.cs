using System.Runtime.CompilerServices;
using Sieve.Contracts.Purposes;

namespace Sieve.Core.Consent;

/// <summary>
/// The consent rule, applied per event per purpose: forward iff (the purpose needs no consent, or consent was
/// granted with an effective time at or before the event's time and is not withdrawn now) and the subject is not a
/// minor. An erased subject is withheld everywhere, and that check wins over everything; the minor check comes next.
/// </summary>
public static class ConsentRules
{
    /// <summary>Decides whether an event of the subject described by <paramref name="record"/> may go to a purpose.</summary>
    /// <param name="record">The subject's consent record (<see cref="ConsentRecord.Empty"/> for an unknown subject).</param>
    /// <param name="purposeId">Index of the purpose in <see cref="KnownPurposes.All"/>.</param>
    /// <param name="consentRequired">True when the policy makes the purpose depend on consent.</param>
    /// <param name="eventTimeMillis">The event's time, Unix milliseconds.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="purposeId"/> is not a declared purpose's index.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ConsentDecision Decide(ConsentRecord record, int purposeId, bool consentRequired, long eventTimeMillis)
    {
        ref readonly PurposeConsent consent = ref record.GetPurpose(purposeId);
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
            return ConsentDecision.Forward;
        }

        return consent.State switch
        {
            // A grant covers only events at or after the moment it takes effect.
            ConsentState.Granted => consent.EffectiveTimeMillis <= eventTimeMillis ? ConsentDecision.Forward : ConsentDecision.WithheldNoConsent,
            // Withdrawn now: nothing more is forwarded, including late events from before the withdrawal.
            ConsentState.Withdrawn => ConsentDecision.WithheldWithdrawn,
            _ => ConsentDecision.WithheldNoConsent,
        };
    }

    /// <summary>
    /// <see cref="Decide"/> for every event time at once, so a subject's decisions can be worked out when its record
    /// is cached rather than per event. When the result is <see cref="ConsentDecision.Forward"/>, the decision for an
    /// event at time t is <see cref="ConsentDecision.Forward"/> if <paramref name="forwardFrom"/> &lt;= t and
    /// <see cref="ConsentDecision.WithheldNoConsent"/> otherwise; any other result is the decision at every time.
    /// </summary>
    /// <param name="record">The subject's consent record.</param>
    /// <param name="purposeId">Index of the purpose in <see cref="KnownPurposes.All"/>.</param>
    /// <param name="consentRequired">True when the policy makes the purpose depend on consent.</param>
    /// <param name="forwardFrom">The earliest event time forwarded, when the result is <see cref="ConsentDecision.Forward"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="purposeId"/> is not a declared purpose's index.</exception>
    public static ConsentDecision DecideForAllTimes(ConsentRecord record, int purposeId, bool consentRequired, out long forwardFrom)
    {
        ref readonly PurposeConsent consent = ref record.GetPurpose(purposeId);
        forwardFrom = long.MaxValue;
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
            return ConsentDecision.Forward;
        }

        switch (consent.State)
        {
            case ConsentState.Granted:
                forwardFrom = consent.EffectiveTimeMillis;
                return ConsentDecision.Forward;
            case ConsentState.Withdrawn:
                return ConsentDecision.WithheldWithdrawn;
            default:
                return ConsentDecision.WithheldNoConsent;
        }
    }
}
