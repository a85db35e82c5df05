namespace Sieve.Core.Recall;

/// <summary>Why a recall resolution is refused: a reason code for the audit and a sentence for the operator (no VIN, no pseudonym).</summary>
/// <param name="Code">e.g. <c>approvals-same-operator</c>.</param>
/// <param name="Message">What is wrong and what is needed.</param>
public sealed record RecallRefusal(string Code, string Message);
