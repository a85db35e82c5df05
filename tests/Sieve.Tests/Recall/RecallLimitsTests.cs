using Sieve.Core.Recall;

namespace Sieve.Tests.Recall;

public sealed class RecallLimitsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 8, 0, 0, TimeSpan.Zero);
    private static readonly RecallLimits Limits = new(MaxBatch: 3, MaxPerCampaign: 2, Window: TimeSpan.FromHours(24));

    private static RecallAuditRecord Audit(string requestId, string campaign, RecallOutcome outcome, DateTimeOffset at) =>
        new(requestId, new string('0', 64), campaign, "basis", ["alice", "bob"], outcome, outcome == RecallOutcome.Refused ? "rate-limited" : "", 3, 3, 0, "file", at.ToUnixTimeMilliseconds());

    [Fact]
    public void A_request_over_the_batch_limit_is_refused()
    {
        Assert.Null(Limits.CheckBatch(ApprovalCheckTests.Request("rq-1", "c", count: 3)));
        RecallRefusal? refusal = Limits.CheckBatch(ApprovalCheckTests.Request("rq-1", "c", count: 4));
        Assert.Equal("batch-too-large", refusal?.Code);
        Assert.Equal("the request lists 4 pseudonyms; at most 3 may be resolved at once (--max-batch)", refusal?.Message);
    }

    [Fact]
    public void Resolutions_of_the_campaign_within_the_window_count_and_refusals_and_older_ones_do_not()
    {
        RecallRequest request = ApprovalCheckTests.Request("rq-9", "c1");
        RecallAuditRecord[] prior =
        [
            Audit("rq-1", "c1", RecallOutcome.Resolved, Now.AddHours(-30)),
            Audit("rq-2", "c1", RecallOutcome.Resolved, Now.AddHours(-2)),
            Audit("rq-3", "c1", RecallOutcome.Refused, Now.AddHours(-1)),
            Audit("rq-4", "c2", RecallOutcome.Resolved, Now.AddHours(-1)),
        ];

        Assert.Null(Limits.CheckRate(request, prior, Now));
        RecallRefusal? refusal = Limits.CheckRate(request, [.. prior, Audit("rq-5", "c1", RecallOutcome.Resolved, Now.AddMinutes(-5))], Now);
        Assert.Equal("rate-limited", refusal?.Code);
        Assert.Contains("campaign c1 was resolved 2 times in the last 24 h; at most 2 are allowed", refusal?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_already_resolved_is_refused_whenever_it_was()
    {
        RecallRequest request = ApprovalCheckTests.Request("rq-1", "c1");

        Assert.Equal("request-already-resolved", Limits.CheckRate(request, [Audit("rq-1", "c1", RecallOutcome.Resolved, Now.AddDays(-300))], Now)?.Code);
        Assert.Null(Limits.CheckRate(request, [Audit("rq-1", "c1", RecallOutcome.Refused, Now.AddDays(-1))], Now));
    }
}
