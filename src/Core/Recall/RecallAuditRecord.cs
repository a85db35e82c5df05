namespace Sieve.Core.Recall;

/// <summary>One record of <c>recall.audit.v1</c> (<c>schemas/recall-audit.avsc</c>): never a VIN, never a pseudonym.</summary>
/// <param name="RequestId">The request's id.</param>
/// <param name="RequestDigest">Lower-case hex SHA-256 of the canonical request bytes the approvers signed.</param>
/// <param name="Campaign">The recall campaign.</param>
/// <param name="LegalBasis">The legal basis the request states.</param>
/// <param name="Approvers">Operator ids whose approvals verified.</param>
/// <param name="Outcome">Resolved or refused.</param>
/// <param name="Reason">The refusal's reason code; empty when resolved.</param>
/// <param name="Requested">Pseudonyms the request lists.</param>
/// <param name="Resolved">VINs recovered.</param>
/// <param name="Unresolved">Pseudonyms without an entry that opened.</param>
/// <param name="Destination"><c>file</c> or <c>topic:NAME</c>.</param>
/// <param name="AtMillis">When, Unix milliseconds.</param>
public sealed record RecallAuditRecord(string RequestId, string RequestDigest, string Campaign, string LegalBasis, IReadOnlyList<string> Approvers,
    RecallOutcome Outcome, string Reason, int Requested, int Resolved, int Unresolved, string Destination, long AtMillis);
