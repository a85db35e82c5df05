using Avro.Generic;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Codec;
using Sieve.Testing.Pipeline;
using Sieve.Testing.Sink;

namespace Sieve.Tests.Erasure;

public sealed class ErasedMarkTests
{
    [Fact]
    public async Task An_erased_subject_is_withheld_from_every_purpose_and_the_audit_counts_it_as_erased()
    {
        using var records = new MinimizedRecords(seed: 12);
        string vin = await records.ConsentingVehicleAsync();
        CoreHarness h = records.Harness;
        await records.DriveAsync(vin, 1);
        Assert.Equal(4, h.Sink.Records.Count); // positioning, personalization, analytics (held), quality

        Assert.True(await h.Store.MarkErasedAsync(h.ConsentKey(SubjectType.Vin, vin)));
        Assert.False(await h.Store.MarkErasedAsync(h.ConsentKey(SubjectType.Vin, vin)));

        // The mark is sticky: a later grant does not lift it.
        await h.GrantAsync(SubjectType.Vin, vin, KnownPurposes.Positioning, MinimizedRecords.Start + 1);
        ConsentRecord record = await h.Store.GetAsync(h.ConsentKey(SubjectType.Vin, vin));
        Assert.True(record.Erased);
        Assert.Equal(ConsentDecision.WithheldErased, ConsentRules.Decide(record, KnownPurposes.IndexOf(KnownPurposes.Analytics), consentRequired: false, ConsentRules.NoMaxAge, MinimizedRecords.Start, nowMillis: 0));

        var tally = new PartitionTally("telematics.raw.v1", 0, h.Core.Plans.Count);
        await records.DriveAsync(vin, 1, MinimizedRecords.Start + 60_000);
        Assert.Equal(4, h.Sink.Records.Count); // nothing new forwarded
        (ProcessStatus status, Outcome[] outcomes, _) = await h.ProcessAsync(InputKind.Telematics, new Sieve.Contracts.Records.TelematicsEventData
        {
            EventId = "x", Vin = vin, DeviceId = "490154203237518", EventTime = MinimizedRecords.Start,
            Location = new Sieve.Contracts.Records.GeoLocationData(31, 121),
        }.ToMessage());
        Assert.Equal(ProcessStatus.Processed, status);
        for (int i = 0; i < outcomes.Length; i++)
        {
            // Erasure wins over every basis, the recall obligation's included (the escrow entry is what is kept).
            Assert.Equal(h.Core.Plans[i].TakesTelematics ? Outcome.WithheldErased : Outcome.WithheldNotApplicable, outcomes[i]);
        }

        Assert.Equal("withheld:erased", OutcomeNames.Name(Outcome.WithheldErased));
        tally.AddProcessed(7, outcomes);

        GenericRecord audit = ApacheAvroBridge.ReadSingleObject(OpsRecordWriter.Audit("m-1", 1, tally, h.Core.Plans, MinimizedRecords.Start), "AuditRecord");
        foreach (GenericRecord purpose in ((object[])audit["purposes"]).Cast<GenericRecord>())
        {
            Assert.Equal((string)purpose["purpose"] == "marketing" ? 0L : 1L, (long)purpose["withheldErased"]);
            Assert.Equal(0L, (long)purpose["forwarded"] + (long)purpose["withheldMinor"] + (long)purpose["withheldNoConsent"]);
        }
    }
}
