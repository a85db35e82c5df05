using System.Text;
using Avro.Generic;
using Sieve.Core.Recall;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Recall;

public sealed class RecallAuditCodecTests
{
    [Fact]
    public void An_audit_record_round_trips_and_Apache_Avro_reads_it_with_the_schema()
    {
        var record = new RecallAuditRecord("rq-1", new string('f', 64), "R2026-014", "召回条例 filing", ["alice", "bob"], RecallOutcome.Resolved, "", 4, 2, 2, "file", 1_767_225_600_123);

        byte[] value = RecallAuditCodec.Encode(record);

        Assert.True(RecallAuditCodec.TryDecode(value, out RecallAuditRecord? read, out string? reason), reason);
        Assert.Equal(record with { Approvers = read.Approvers }, read);
        Assert.Equal(["alice", "bob"], read.Approvers);
        GenericRecord generic = ApacheAvroBridge.ReadSingleObject(value, "sieve.recall.RecallAudit");
        Assert.Equal("召回条例 filing", generic["legalBasis"]);
        Assert.Equal("RESOLVED", ((GenericEnum)generic["outcome"]).Value);
        Assert.Equal(new object[] { "alice", "bob" }, (object[])generic["approvers"]);
        Assert.Equal(2, generic["unresolved"]);
        Assert.Equal(1_767_225_600_123, ApacheAvroBridge.Millis(generic["at"]));
    }

    [Fact]
    public void A_refusal_without_approvers_round_trips_and_garbage_is_a_reason_code()
    {
        var record = new RecallAuditRecord("rq-1", new string('0', 64), "c", "b", [], RecallOutcome.Refused, "approvals-missing", 3, 0, 0, "topic:recall.out", 5);

        Assert.True(RecallAuditCodec.TryDecode(RecallAuditCodec.Encode(record), out RecallAuditRecord? read, out _));
        Assert.Empty(read.Approvers);
        Assert.Equal(RecallOutcome.Refused, read.Outcome);
        Assert.False(RecallAuditCodec.TryDecode(Encoding.UTF8.GetBytes("not avro"), out _, out string? reason));
        Assert.False(string.IsNullOrEmpty(reason));
    }
}
