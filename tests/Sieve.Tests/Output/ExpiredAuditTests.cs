using Avro.Generic;
using Sieve.Commands.Bench;
using Sieve.Contracts.Schemas;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Codec;

namespace Sieve.Tests.Output;

/// <summary>
/// AuditRecord v2 counts <c>withheldExpired</c>; the audit sum (forwarded + held + withheld* + quarantined = inputs)
/// includes it, and records written with v1 (no such count) still read and add up.
/// </summary>
public sealed class ExpiredAuditTests
{
    private static readonly CompiledPolicy Policy = PolicyLoader.LoadDefault();

    [Fact]
    public void Expired_inputs_are_counted_as_withheldExpired_and_the_record_adds_up()
    {
        var tally = new PartitionTally("telematics.raw.v1", 3, Policy.Purposes.Count);
        var outcomes = new Outcome[Policy.Purposes.Count];
        for (int i = 0; i < outcomes.Length; i++)
        {
            outcomes[i] = Policy.Purposes[i].ConsentRequired ? Outcome.WithheldExpired : Outcome.HeldForRelease;
        }

        tally.AddProcessed(10, outcomes);
        tally.AddProcessed(11, outcomes);
        tally.AddQuarantined(12, "vin-invalid");
        byte[] message = OpsRecordWriter.Audit("m-1", 7, tally, Policy.Purposes, 1_764_050_400_000);

        GenericRecord audit = ApacheAvroBridge.ReadSingleObject(message, "AuditRecord");
        Assert.Equal(3L, (long)audit["inputs"]);
        foreach (GenericRecord purpose in ((object[])audit["purposes"]).Cast<GenericRecord>())
        {
            bool consent = Policy.Purposes.Single(p => p.Name == (string)purpose["purpose"]).ConsentRequired;
            Assert.Equal(consent ? 2L : 0L, (long)purpose["withheldExpired"]);
            Assert.Equal(consent ? 0L : 2L, (long)purpose["heldForRelease"]);
        }

        var totals = new AuditTotals();
        Assert.NotNull(totals.Add(message));
        Assert.Equal(0, totals.Unbalanced);
        Assert.Equal(3, totals.Inputs);
    }

    [Fact]
    public void A_record_that_leaves_out_withheldExpired_does_not_add_up()
    {
        // Same tally, but the expired inputs written as if nothing counted them: the sum check must catch it.
        var tally = new PartitionTally("telematics.raw.v1", 0, Policy.Purposes.Count);
        var outcomes = new Outcome[Policy.Purposes.Count];
        Array.Fill(outcomes, Outcome.WithheldExpired);
        tally.AddProcessed(1, outcomes);
        GenericRecord audit = ApacheAvroBridge.ReadSingleObject(OpsRecordWriter.Audit("m-1", 1, tally, Policy.Purposes, 1), "AuditRecord");
        foreach (GenericRecord purpose in ((object[])audit["purposes"]).Cast<GenericRecord>())
        {
            purpose.Add("withheldExpired", 0L);
        }

        var totals = new AuditTotals();
        totals.Add(ApacheAvroBridge.WriteSingleObject(audit));
        Assert.Equal(1, totals.Unbalanced);
    }

    [Fact]
    public void An_audit_record_written_with_version_one_reads_with_no_expired_count_and_adds_up()
    {
        SchemaInfo current = SchemaCatalog.Default.Get("AuditRecord");
        SchemaInfo v1 = Assert.Single(SchemaCatalog.Default.History(current));
        Assert.DoesNotContain("withheldExpired", v1.Json, StringComparison.Ordinal);

        var record = new GenericRecord(v1.Schema);
        record.Add("instanceId", "m-old");
        record.Add("batchId", 1L);
        record.Add("sourceTopic", "telematics.raw.v1");
        record.Add("partition", 0);
        record.Add("firstOffset", 0L);
        record.Add("lastOffset", 1L);
        record.Add("inputs", 2L);
        record.Add("committedAt", ApacheAvroBridge.Time(1_700_000_000_000));
        var countsSchema = (Avro.RecordSchema)((Avro.ArraySchema)v1.Schema.Fields.Single(f => f.Name == "purposes").Schema).ItemSchema;
        var counts = new GenericRecord(countsSchema);
        foreach (Avro.Field field in countsSchema.Fields)
        {
            counts.Add(field.Name, field.Name == "purpose" ? "positioning" : 0L);
        }

        counts.Add("forwarded", 1L);
        counts.Add("withheldNoConsent", 1L);
        record.Add("purposes", new object[] { counts });
        record.Add("quarantined", Array.Empty<object>());

        var totals = new AuditTotals();
        AuditRange? range = totals.Add(ApacheAvroBridge.WriteSingleObject(record));
        Assert.NotNull(range);
        Assert.Equal(0, totals.Unbalanced);
        Assert.Equal(1, totals.ForwardedTo("positioning"));
    }
}
