namespace Sieve.Core.Recall;

/// <summary>How a recall resolution ended (the <c>outcome</c> of <c>schemas/recall-audit.avsc</c>).</summary>
public enum RecallOutcome
{
    /// <summary>Approved, within limits, and the VINs found were written to the destination.</summary>
    Resolved,

    /// <summary>Refused before anything was opened.</summary>
    Refused,
}
