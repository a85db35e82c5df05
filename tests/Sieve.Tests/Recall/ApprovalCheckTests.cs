using System.Security.Cryptography;
using System.Text;
using Sieve.Core.Recall;

namespace Sieve.Tests.Recall;

public sealed class ApprovalCheckTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("sieve-approvers-").FullName;
    private readonly Dictionary<string, ECDsa> _keys = [];
    private readonly ApproverRegistry _registry;
    private readonly RecallRequest _request = Request("rq-1", "R2026-014");

    public ApprovalCheckTests()
    {
        foreach (string name in new[] { "alice", "bob", "mallory" })
        {
            var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            _keys[name] = key;
            if (name != "mallory")
            {
                File.WriteAllText(Path.Combine(_dir, name + ".pub.pem"), key.ExportSubjectPublicKeyInfoPem());
            }
        }

        _registry = ApproverRegistry.Load(_dir);
    }

    internal static RecallRequest Request(string id, string campaign, int count = 3) =>
        RecallRequest.Create(id, campaign, "recall regulation, filing 2026-014", Now, Enumerable.Range(0, count).Select(i => new string((char)('a' + i), 32)));

    private RecallApproval Approve(string signer, RecallRequest? request = null, string? asOperator = null) =>
        RecallApproval.Sign(request ?? _request, asOperator ?? signer, _keys[signer], Now);

    [Fact]
    public void Two_different_registered_approvers_approve()
    {
        Assert.Null(ApprovalCheck.Check(_request, [Approve("alice"), Approve("bob")], _registry, out IReadOnlyList<string> approvers));
        Assert.Equal(["alice", "bob"], approvers);
        Assert.Equal(["alice", "bob"], _registry.Operators);
    }

    [Fact]
    public void One_approver_is_refused()
    {
        RecallRefusal? refusal = ApprovalCheck.Check(_request, [Approve("alice")], _registry, out _);
        Assert.Equal("approvals-missing", refusal?.Code);
        Assert.Equal("1 approval given; 2 by different registered approvers are required", refusal?.Message);
    }

    [Fact]
    public void The_same_approver_twice_is_refused()
    {
        RecallRefusal? refusal = ApprovalCheck.Check(_request, [Approve("alice"), Approve("alice")], _registry, out _);
        Assert.Equal("approvals-same-operator", refusal?.Code);
        Assert.Contains("approvals 1 and 2 are both by operator 'alice'", refusal?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unregistered_operator_is_refused()
    {
        RecallRefusal? refusal = ApprovalCheck.Check(_request, [Approve("alice"), Approve("mallory")], _registry, out _);
        Assert.Equal("approver-unknown", refusal?.Code);
        Assert.Contains("operator 'mallory', who is not a registered approver", refusal?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_signature_by_another_key_is_refused()
    {
        RecallRefusal? refusal = ApprovalCheck.Check(_request, [Approve("alice"), Approve("mallory", asOperator: "bob")], _registry, out _);
        Assert.Equal("approval-bad-signature", refusal?.Code);
        Assert.Contains("approval 2 (operator 'bob') has a signature that does not verify", refusal?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_approval_of_another_request_is_refused_even_with_the_same_id()
    {
        RecallRequest other = Request("rq-2", "R2026-014");
        RecallRequest sameIdMorePseudonyms = Request("rq-1", "R2026-014", count: 4);

        Assert.Equal("approval-other-request", ApprovalCheck.Check(_request, [Approve("alice"), Approve("bob", other)], _registry, out _)?.Code);
        Assert.Equal("approval-other-request", ApprovalCheck.Check(_request, [Approve("alice", sameIdMorePseudonyms), Approve("bob")], _registry, out _)?.Code);
    }

    [Fact]
    public void The_canonical_request_round_trips_and_its_digest_is_that_of_its_bytes()
    {
        RecallRequest read = RecallRequest.TryParse(_request.CanonicalBytes.ToArray(), out string? problem) ?? throw new InvalidOperationException(problem);

        Assert.Equal(_request.DigestHex, read.DigestHex);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_request.CanonicalBytes)), _request.DigestHex);
        Assert.StartsWith("{\"version\":1,\"requestId\":\"rq-1\",\"campaign\":\"R2026-014\",", Encoding.UTF8.GetString(_request.CanonicalBytes), StringComparison.Ordinal);
        RecallApproval approval = RecallApproval.TryParse(Encoding.UTF8.GetBytes(Approve("alice").ToJson()), out problem) ?? throw new InvalidOperationException(problem);
        Assert.Null(ApprovalCheck.Check(read, [approval, Approve("bob")], _registry, out _));
    }

    public void Dispose()
    {
        _registry.Dispose();
        foreach (ECDsa key in _keys.Values)
        {
            key.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }
}
