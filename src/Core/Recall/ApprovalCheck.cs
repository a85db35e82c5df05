using System.Security.Cryptography;

namespace Sieve.Core.Recall;

/// <summary>
/// The two-approver rule: a request is approved only by at least <see cref="RequiredApprovers"/> approvals, each by a
/// different registered operator, each for this very request (id and digest) and each with a signature that
/// verifies against that operator's registered key. Any approval that fails any of these refuses the whole request.
/// </summary>
public static class ApprovalCheck
{
    /// <summary>Distinct approvers required.</summary>
    public const int RequiredApprovers = 2;

    /// <summary>Checks <paramref name="approvals"/> of <paramref name="request"/>; null when approved, else the refusal.</summary>
    /// <param name="request">The request.</param>
    /// <param name="approvals">The approvals given, in order.</param>
    /// <param name="registry">The registered approvers.</param>
    /// <param name="approvers">The operators whose approvals verified, in order.</param>
    public static RecallRefusal? Check(RecallRequest request, IReadOnlyList<RecallApproval> approvals, ApproverRegistry registry, out IReadOnlyList<string> approvers)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(approvals);
        ArgumentNullException.ThrowIfNull(registry);
        var verified = new List<string>();
        approvers = verified;
        for (int i = 0; i < approvals.Count; i++)
        {
            RecallApproval approval = approvals[i];
            int n = i + 1;
            if (!string.Equals(approval.RequestId, request.RequestId, StringComparison.Ordinal)
                || !string.Equals(approval.RequestDigest, request.DigestHex, StringComparison.Ordinal))
            {
                return new RecallRefusal("approval-other-request",
                    $"approval {n} (operator '{approval.Operator}') is for another request (its request id or digest differs from this request's); every approval must sign this request");
            }

            ECDsa? key = registry.Find(approval.Operator);
            if (key is null)
            {
                return new RecallRefusal("approver-unknown", $"approval {n} is by operator '{approval.Operator}', who is not a registered approver");
            }

            if (!key.VerifyHash(request.Digest, approval.Signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return new RecallRefusal("approval-bad-signature",
                    $"approval {n} (operator '{approval.Operator}') has a signature that does not verify against the operator's registered public key");
            }

            int earlier = verified.IndexOf(approval.Operator);
            if (earlier >= 0)
            {
                return new RecallRefusal("approvals-same-operator",
                    $"approvals {earlier + 1} and {n} are both by operator '{approval.Operator}'; {RequiredApprovers} different approvers are required");
            }

            verified.Add(approval.Operator);
        }

        if (verified.Count < RequiredApprovers)
        {
            return new RecallRefusal("approvals-missing",
                $"{verified.Count} approval{(verified.Count == 1 ? "" : "s")} given; {RequiredApprovers} by different registered approvers are required");
        }

        return null;
    }
}
