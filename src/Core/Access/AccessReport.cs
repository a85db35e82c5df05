using Sieve.Core.Consent;

namespace Sieve.Core.Access;

/// <summary>What the lake holds of a subject in one purpose, and their consent for it.</summary>
/// <param name="Purpose">The purpose.</param>
/// <param name="Pseudonyms">The subject's pseudonyms in the purpose: every one for stable keys; for daily keys, those that have rows.</param>
/// <param name="Rows">Lake rows of the subject.</param>
/// <param name="FirstEventTime">Earliest event time (or time bucket) among them; null when there are none.</param>
/// <param name="LastEventTime">Latest event time (or time bucket) among them; null when there are none.</param>
/// <param name="Consent">The subject's current decision for the purpose.</param>
public sealed record PurposeAccess(string Purpose, IReadOnlyList<string> Pseudonyms, long Rows, DateTimeOffset? FirstEventTime,
    DateTimeOffset? LastEventTime, PurposeConsent Consent)
{
    /// <summary>True for an anonymized purpose: its rows sit under random segment pseudonyms that nothing attributes to the subject.</summary>
    public bool Anonymized { get; init; }
}

/// <summary>An access request's answer: per purpose what is held and the consent in force; never the identifier.</summary>
/// <param name="Minor">The subject is flagged a minor.</param>
/// <param name="Erased">The subject was erased.</param>
/// <param name="Purposes">One entry per lake purpose.</param>
public sealed record AccessReport(bool Minor, bool Erased, IReadOnlyList<PurposeAccess> Purposes)
{
    /// <summary>The subject's whole consent record as the report read it (every declared purpose, not only the lake's).</summary>
    public ConsentRecord Consent { get; init; } = ConsentRecord.Empty;
}
