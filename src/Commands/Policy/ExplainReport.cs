using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Commands.Policy;

/// <summary>
/// What <c>policy explain</c> found: the policy, the sample event (described by kind, id, time and which field
/// identifies the subject, never by identifier values), the assumed consent, and per purpose what was forwarded and
/// why. Rendered as tables (<see cref="ExplainTableRenderer"/>) or JSON (<see cref="ExplainJsonWriter"/>).
/// </summary>
/// <param name="PolicySource">File path, or <c>embedded:default-policy.json</c>.</param>
/// <param name="PolicyVersion">The policy's declared version.</param>
/// <param name="MasterKeyRing">What made the pseudonyms (e.g. the demo ring's description).</param>
/// <param name="Event">The input.</param>
/// <param name="Consent">The consent assumed for the subject.</param>
/// <param name="Quarantine">Why the input was quarantined, or null when it was processed.</param>
/// <param name="Purposes">One entry per purpose of the policy, in policy order; empty when quarantined.</param>
internal sealed record ExplainReport(
    string PolicySource,
    string PolicyVersion,
    string MasterKeyRing,
    EventSummary Event,
    ConsentSummary Consent,
    QuarantineReason? Quarantine,
    IReadOnlyList<PurposeExplanation> Purposes);

/// <summary>The sample event, without any identifier value.</summary>
/// <param name="Type"><c>telematics</c> or <c>wifi</c>.</param>
/// <param name="EventId">The event's record id.</param>
/// <param name="EventTimeMillis">Unix milliseconds.</param>
/// <param name="SubjectField">The input field whose identifier is the subject (<c>vin</c>, <c>phoneNumber</c>, ...), or null when the event did not decode.</param>
/// <param name="SubjectType">The subject's type name (<c>vin</c>, <c>phone</c>, <c>mac</c>, <c>device-id</c>), or null.</param>
internal sealed record EventSummary(string Type, string EventId, long EventTimeMillis, string? SubjectField, string? SubjectType);

/// <summary>The assumed consent.</summary>
/// <param name="Granted">Purposes granted.</param>
/// <param name="EffectiveTimeMillis">When the grants take effect, Unix milliseconds.</param>
/// <param name="Minor">The subject is under 18.</param>
internal sealed record ConsentSummary(IReadOnlyList<string> Granted, long EffectiveTimeMillis, bool Minor);

/// <summary>What happened for one purpose.</summary>
internal enum ExplainOutcome
{
    /// <summary>A record went to the purpose topic.</summary>
    Forwarded,
    /// <summary>Consent (or the minor rule) kept the event from the purpose.</summary>
    Withheld,
    /// <summary>The purpose takes nothing from this event.</summary>
    NotApplicable,
    /// <summary>The record went to the purpose's release stage, which forwards or withholds it by its <c>anonymize</c> rules.</summary>
    Held,
}

/// <summary>One purpose's result.</summary>
/// <param name="Purpose">Purpose name.</param>
/// <param name="Topic">Output topic.</param>
/// <param name="ConsentRequired">Whether the purpose needs consent.</param>
/// <param name="ConsentMaxAge">How long a grant lasts at most (the policy's <c>consentMaxAge</c>); null for none or when no consent is needed.</param>
/// <param name="ConsentMaxAgeReason">Why a grant has no maximum age, when the policy says <c>"none"</c>.</param>
/// <param name="Rotation">How its pseudonym key rotates.</param>
/// <param name="Outcome">Forwarded, withheld or not applicable.</param>
/// <param name="Code">The audit name of the outcome, e.g. <c>withheld:no-consent</c>.</param>
/// <param name="Reason">Why it was withheld or not applicable; null when forwarded.</param>
/// <param name="Fields">For a forwarded record: every output field, in schema order.</param>
/// <param name="Dropped">For a forwarded record: every input field that feeds no output field.</param>
/// <param name="Release">The purpose's <c>anonymize</c> rules in words; empty when it has none.</param>
internal sealed record PurposeExplanation(
    string Purpose,
    string Topic,
    bool ConsentRequired,
    TimeSpan? ConsentMaxAge,
    string? ConsentMaxAgeReason,
    PseudonymRotation Rotation,
    ExplainOutcome Outcome,
    string Code,
    string? Reason,
    IReadOnlyList<FieldExplanation> Fields,
    IReadOnlyList<DroppedField> Dropped,
    IReadOnlyList<string> Release)
{
    /// <summary>Why the purpose may process the data at all.</summary>
    public LegalBasis Basis { get; init; }

    /// <summary>The law a legal-obligation purpose names; null otherwise.</summary>
    public string? LegalReference { get; init; }

    /// <summary>The restricted topic the purpose's VINs are sealed to for recalls; null when it keeps no escrow.</summary>
    public string? EscrowTopic { get; init; }
}

/// <summary>One output field and where it came from.</summary>
/// <param name="Name">Output schema field name.</param>
/// <param name="Value">Decoded value: null, string, long, int, double, float, bool, <see cref="DateTimeOffset"/> or a list of these.</param>
/// <param name="From">The input field path it was made from, or null when the minimizer fills it or nothing does.</param>
/// <param name="Transform">What was done, in words.</param>
internal sealed record FieldExplanation(string Name, object? Value, string? From, string Transform);

/// <summary>An input field that does not leave for this purpose.</summary>
/// <param name="Path">Dotted input field path, e.g. <c>driver.phoneNumber</c>.</param>
/// <param name="Direct">True for a direct identifier (classification <c>direct</c>, or inside a direct record).</param>
internal sealed record DroppedField(string Path, bool Direct);
