namespace Sieve.Core.Pipeline;

/// <summary>What happened to one input for one purpose. With quarantine (per input), these account for every input.</summary>
public enum Outcome : byte
{
    /// <summary>A minimized record was produced to the purpose topic.</summary>
    Forwarded = 0,
    /// <summary>The purpose needs consent and the subject never granted it (or granted it only after the event).</summary>
    WithheldNoConsent = 1,
    /// <summary>The subject withdrew consent for the purpose.</summary>
    WithheldWithdrawn = 2,
    /// <summary>The subject is a minor: nothing of theirs is forwarded anywhere.</summary>
    WithheldMinor = 3,
    /// <summary>The event carries nothing this purpose receives (e.g. no location for positioning).</summary>
    WithheldNotApplicable = 4,
    /// <summary>The subject was erased: nothing of theirs is forwarded anywhere again.</summary>
    WithheldErased = 5,
    /// <summary>
    /// Handed to the purpose's release stage (its <c>.pending</c> topic), which forwards or withholds it later and
    /// audits that decision under the pending topic. Only purposes with an <c>anonymize</c> block hold records.
    /// </summary>
    HeldForRelease = 6,
    /// <summary>Release stage: recorded while the vehicle was parked (ignition off).</summary>
    WithheldParked = 7,
    /// <summary>Release stage: within the randomized distance of where its trip started or ended.</summary>
    WithheldTrimmed = 8,
    /// <summary>Release stage: in the gap between two segments, or past a segment's distance cap.</summary>
    WithheldGap = 9,
    /// <summary>Release stage: inside an excluded zone.</summary>
    WithheldZone = 10,
    /// <summary>Release stage: its (cell, bucket) had fewer distinct vehicles of the whole fleet than the policy's k.</summary>
    WithheldSparseCell = 11,
    /// <summary>The subject's grant for the purpose had lapsed (expiresAt or the policy's consentMaxAge) by the event's time or by now.</summary>
    WithheldExpired = 12,
}

/// <summary>Names of outcomes as used in audit records, metrics and the demo.</summary>
public static class OutcomeNames
{
    /// <summary>Number of outcomes.</summary>
    public const int Count = 13;

    /// <summary>Stable lower-case name, e.g. <c>withheld:no-consent</c>.</summary>
    public static string Name(Outcome outcome) => outcome switch
    {
        Outcome.Forwarded => "forwarded",
        Outcome.WithheldNoConsent => "withheld:no-consent",
        Outcome.WithheldWithdrawn => "withheld:withdrawn",
        Outcome.WithheldMinor => "withheld:minor",
        Outcome.WithheldNotApplicable => "withheld:not-applicable",
        Outcome.WithheldErased => "withheld:erased",
        Outcome.HeldForRelease => "held:release",
        Outcome.WithheldParked => "withheld:parked",
        Outcome.WithheldTrimmed => "withheld:trimmed",
        Outcome.WithheldGap => "withheld:gap",
        Outcome.WithheldZone => "withheld:zone",
        Outcome.WithheldSparseCell => "withheld:sparse-cell",
        Outcome.WithheldExpired => "withheld:expired",
        _ => "unknown",
    };
}
