using System.Text;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Schemas;
using Sieve.Core.Policy;

namespace Sieve.Tests.Policy;

public class DefaultPolicyTests
{
    private static readonly CompiledPolicy Policy = PolicyLoader.LoadDefault();

    private static PurposePlan Plan(string name) => Assert.Single(Policy.Purposes, p => p.Name == name);

    private static OutputSlot Slot(PurposePlan plan, string field) => Assert.Single(plan.Slots, s => s.FieldName == field);

    [Fact]
    public void Loads_the_five_purposes_in_file_order_each_with_its_basis()
    {
        Assert.Equal("2026-11-01", Policy.PolicyVersion);
        Assert.Equal(PolicyLoader.DefaultSourceName, Policy.Source);
        Assert.Equal([KnownPurposes.Positioning, KnownPurposes.Personalization, KnownPurposes.Analytics, KnownPurposes.Quality, KnownPurposes.Marketing],
            Policy.Purposes.Select(p => p.Name));
        Assert.Equal([0, 1, 2, 5, 4], Policy.Purposes.Select(p => p.PurposeId));
        Assert.Equal(["positioning.v1", "personalization.v1", "analytics.v1", "quality.v1", "marketing.v1"], Policy.Purposes.Select(p => p.Topic));
        Assert.Equal([LegalBasis.Consent, LegalBasis.Consent, LegalBasis.Anonymized, LegalBasis.LegalObligation, LegalBasis.Consent],
            Policy.Purposes.Select(p => p.LegalBasis));
        Assert.Equal([7, 180, 730, 1825, 90], Policy.Purposes.Select(p => p.RetentionDays));
        Assert.Equal([true, true, false, false, true], Policy.Purposes.Select(p => p.ConsentRequired));
        Assert.Equal([true, true, true, true, false], Policy.Purposes.Select(p => p.TakesTelematics));
        Assert.Equal([true, true, true, false, true], Policy.Purposes.Select(p => p.TakesWifi));
        Assert.Same(Plan("analytics"), Policy.FindPurpose("analytics"));
        Assert.Null(Policy.FindPurpose("after-sales"));
    }

    [Fact]
    public void Quality_gets_fault_codes_and_an_odometer_band_under_a_stable_pseudonym_and_no_location()
    {
        PurposePlan plan = Plan("quality");
        Assert.False(plan.ConsentRequired);
        Assert.Equal(LegalBasis.LegalObligation, plan.LegalBasis);
        Assert.Contains("Recall of Defective Auto Products", plan.LegalReference, StringComparison.Ordinal);
        Assert.Equal("quality.escrow.v1", plan.EscrowTopic);
        Assert.Equal(PseudonymRotation.Stable, plan.Rotation);
        Assert.Equal(["subject", "keyId", "source", "timeBucket", "odometerKm", "batteryVoltage", "engineOn", "dtcCodes"], plan.Slots.Select(s => s.FieldName));
        Assert.Equal(10_000, plan.Slots.Single(s => s.Kind == SlotKind.OdometerKm).FromTelematics.Step);
        Assert.Equal(86_400_000, plan.Slots.Single(s => s.Kind == SlotKind.TimeBucket).FromTelematics.BucketMillis);
    }

    [Fact]
    public void Marketing_gets_interests_the_outlet_and_the_hour_of_a_visit_with_consent()
    {
        PurposePlan plan = Plan("marketing");
        Assert.True(plan.ConsentRequired);
        Assert.Equal(LegalBasis.Consent, plan.LegalBasis);
        Assert.Null(plan.EscrowTopic);
        Assert.Equal(["subject", "keyId", "source", "timeBucket", "outletId", "interests"], plan.Slots.Select(s => s.FieldName));
        Assert.Equal(TransformKind.InterestCategories, plan.Slots.Single(s => s.Kind == SlotKind.Interests).FromWifi.Kind);
        Assert.Equal(3_600_000, plan.Slots.Single(s => s.Kind == SlotKind.TimeBucket).FromWifi.BucketMillis);
    }

    [Fact]
    public void Slots_follow_the_output_schema_field_order()
    {
        foreach (PurposePlan plan in Policy.Purposes)
        {
            Assert.Same(SchemaCatalog.Default.Get(plan.OutputSchema.Schema.Name), plan.OutputSchema);
            Assert.Equal(plan.OutputSchema.Schema.Fields.Select(f => f.Name), plan.Slots.Select(s => s.FieldName));
            Assert.All(plan.Slots, s => Assert.Equal(SlotKindNames.NameOf(s.Kind), s.FieldName));
        }
    }

    [Fact]
    public void Positioning_forwards_precise_position_with_a_stable_pseudonym()
    {
        PurposePlan plan = Plan("positioning");
        Assert.True(plan.ConsentRequired);
        Assert.Equal(PseudonymRotation.Stable, plan.Rotation);
        Assert.Equal("PositioningRecord", plan.OutputSchema.Schema.Name);

        Assert.Equal(
            new OutputSlot(SlotKind.Subject, "subject", false, new(TransformKind.Pseudonymize), new(TransformKind.Pseudonymize), "vin", PolicyInputs.WifiSubjectPath),
            Slot(plan, "subject"));
        Assert.Equal(new OutputSlot(SlotKind.KeyId, "keyId", false, new(TransformKind.Pass), new(TransformKind.Pass), null, null), Slot(plan, "keyId"));
        Assert.Equal(new OutputSlot(SlotKind.Source, "source", false, new(TransformKind.Pass), new(TransformKind.Pass), null, null), Slot(plan, "source"));
        Assert.Equal(new OutputSlot(SlotKind.EventTime, "eventTime", false, new(TransformKind.Pass), new(TransformKind.Pass), "eventTime", "eventTime"), Slot(plan, "eventTime"));
        Assert.Equal(new OutputSlot(SlotKind.Latitude, "latitude", false, new(TransformKind.Pass), new(TransformKind.Pass), "location.latitude", "location.latitude"), Slot(plan, "latitude"));
        Assert.Equal(new OutputSlot(SlotKind.Longitude, "longitude", false, new(TransformKind.Pass), new(TransformKind.Pass), "location.longitude", "location.longitude"), Slot(plan, "longitude"));
        Assert.Equal(new OutputSlot(SlotKind.SpeedKph, "speedKph", true, new(TransformKind.Pass), FieldTransform.None, "location.speedKph", null), Slot(plan, "speedKph"));
        Assert.Equal(new OutputSlot(SlotKind.HeadingDeg, "headingDeg", true, new(TransformKind.Pass), FieldTransform.None, "location.headingDeg", null), Slot(plan, "headingDeg"));
        Assert.Equal(8, plan.Slots.Count);
    }

    [Fact]
    public void Personalization_generalizes_and_never_forwards_domains()
    {
        PurposePlan plan = Plan("personalization");
        Assert.True(plan.ConsentRequired);
        Assert.Equal(PseudonymRotation.Stable, plan.Rotation);

        var hour = new FieldTransform(TransformKind.BucketTime, BucketMillis: 3_600_000);
        var geohash6 = new FieldTransform(TransformKind.Geohash, Precision: 6);
        Assert.Equal(new OutputSlot(SlotKind.TimeBucket, "timeBucket", false, hour, hour, "eventTime", "eventTime"), Slot(plan, "timeBucket"));
        Assert.Equal(new OutputSlot(SlotKind.Geohash, "geohash", true, geohash6, geohash6, "location", "location"), Slot(plan, "geohash"));
        Assert.Equal(new OutputSlot(SlotKind.OdometerKm, "odometerKm", true, new(TransformKind.Round, Step: 1000), FieldTransform.None, "status.odometerKm", null), Slot(plan, "odometerKm"));
        Assert.Equal(new OutputSlot(SlotKind.FuelLevelPct, "fuelLevelPct", true, new(TransformKind.Round, Step: 10), FieldTransform.None, "status.fuelLevelPct", null), Slot(plan, "fuelLevelPct"));
        Assert.Equal(new OutputSlot(SlotKind.EngineOn, "engineOn", true, new(TransformKind.Pass), FieldTransform.None, "status.engineOn", null), Slot(plan, "engineOn"));
        Assert.Equal(new OutputSlot(SlotKind.OutletId, "outletId", true, FieldTransform.None, new(TransformKind.Pass), null, "outletId"), Slot(plan, "outletId"));
        Assert.Equal(new OutputSlot(SlotKind.DwellSeconds, "dwellSeconds", true, FieldTransform.None, new(TransformKind.Round, Step: 300), null, "dwellSeconds"), Slot(plan, "dwellSeconds"));
        Assert.Equal(new OutputSlot(SlotKind.Interests, "interests", false, FieldTransform.None, new(TransformKind.InterestCategories), null, "visitedDomains"), Slot(plan, "interests"));
        Assert.Equal(11, plan.Slots.Count);
    }

    [Fact]
    public void Analytics_is_generalized_and_anonymized_without_consent()
    {
        PurposePlan plan = Plan("analytics");
        Assert.False(plan.ConsentRequired);
        Assert.Equal(PseudonymRotation.Segment, plan.Rotation);
        Sieve.Core.Anonymization.AnonymizationRules rules = plan.Anonymization!;
        Assert.Equal("analytics.pending.v1", plan.ForwardTopic);
        Assert.Equal(5, rules.MinVehicles);
        Assert.Equal(5, rules.CellPrecision);
        Assert.Equal(900_000, rules.BucketMillis);
        Assert.Equal(1, rules.SegmentMaxCells);
        Assert.Equal(2, rules.Zones.Names.Count);
        Assert.True(rules.Zones.Contains(31.2117, 121.4686), "the example hospital zone covers its centre");
        Assert.False(rules.Zones.Contains(31.30, 121.60));

        var quarter = new FieldTransform(TransformKind.BucketTime, BucketMillis: 900_000);
        var geohash5 = new FieldTransform(TransformKind.Geohash, Precision: 5);
        Assert.Equal(new OutputSlot(SlotKind.TimeBucket, "timeBucket", false, quarter, quarter, "eventTime", "eventTime"), Slot(plan, "timeBucket"));
        Assert.Equal(new OutputSlot(SlotKind.Geohash, "geohash", true, geohash5, geohash5, "location", "location"), Slot(plan, "geohash"));
        Assert.Equal(new FieldTransform(TransformKind.Round, Step: 10), Slot(plan, "speedKph").FromTelematics);
        // Slowly changing values would link a vehicle's segments: the anonymized purpose carries none.
        Assert.Equal(FieldTransform.None, Slot(plan, "odometerKm").FromTelematics);
        Assert.Equal(FieldTransform.None, Slot(plan, "fuelLevelPct").FromTelematics);
        Assert.Equal(FieldTransform.None, Slot(plan, "batteryVoltage").FromTelematics);
        Assert.Equal(new FieldTransform(TransformKind.Pass), Slot(plan, "engineOn").FromTelematics);
        Assert.Equal(FieldTransform.None, Slot(plan, "outletId").FromWifi);
        Assert.Equal(new FieldTransform(TransformKind.Round, Step: 300), Slot(plan, "dwellSeconds").FromWifi);
        Assert.DoesNotContain(plan.Slots, s => s.Kind is SlotKind.Latitude or SlotKind.Longitude or SlotKind.EventTime or SlotKind.Interests);
    }

    [Fact]
    public void No_slot_is_filled_from_a_direct_field_except_the_subject_pseudonym()
    {
        var classification = new Dictionary<string, string?>();
        foreach (string schema in new[] { "TelematicsEvent", "WifiEvent" })
        {
            foreach (SchemaField field in SchemaCatalog.Flatten(SchemaCatalog.Default.Get(schema).Schema))
            {
                classification[schema + ":" + field.Path] = field.Classification;
            }
        }

        foreach (PurposePlan plan in Policy.Purposes)
        {
            foreach (OutputSlot slot in plan.Slots)
            {
                if (slot.Kind == SlotKind.Subject)
                {
                    Assert.Equal(plan.TakesTelematics ? TransformKind.Pseudonymize : TransformKind.None, slot.FromTelematics.Kind);
                    Assert.Equal(plan.TakesWifi ? TransformKind.Pseudonymize : TransformKind.None, slot.FromWifi.Kind);
                    continue;
                }

                Assert.NotEqual(TransformKind.Pseudonymize, slot.FromTelematics.Kind);
                Assert.NotEqual(TransformKind.Pseudonymize, slot.FromWifi.Kind);
                if (slot.TelematicsSourcePath is { } t)
                {
                    Assert.NotEqual("direct", classification["TelematicsEvent:" + t]);
                }

                if (slot.WifiSourcePath is { } w)
                {
                    Assert.NotEqual("direct", classification["WifiEvent:" + w]);
                }
            }
        }
    }

    [Fact]
    public void Interest_categories_cover_the_shipped_domains()
    {
        InterestCategoryMap map = Policy.Interests;
        Assert.True(map.DomainCount >= 20);
        var categories = Enumerable.Range(0, map.CategoryCount).Select(map.CategoryName).ToHashSet();
        Assert.Superset(new HashSet<string> { "automotive", "travel", "shopping", "finance", "news", "video", "food" }, categories);
        Assert.Equal("automotive", map.CategoryName(map.Lookup("m.autohome.com.cn"u8)));
        Assert.Equal("travel", map.CategoryName(map.Lookup("www.Ctrip.com"u8)));
        Assert.Equal("shopping", map.CategoryName(map.Lookup("item.jd.com"u8)));
        Assert.Equal(-1, map.Lookup("notautohome.com.cn"u8));
        Assert.Equal("video"u8.ToArray(), map.CategoryUtf8(map.Lookup("www.bilibili.com"u8)).ToArray());
    }

    [Fact]
    public void The_shipped_file_loads_from_disk_too()
    {
        using Stream stream = typeof(PolicyLoader).Assembly.GetManifestResourceStream(PolicyLoader.DefaultResourceName)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string path = Path.Combine(Path.GetTempPath(), $"sieve-policy-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, reader.ReadToEnd());
        try
        {
            CompiledPolicy fromFile = PolicyLoader.LoadFile(path);
            Assert.Equal(path, fromFile.Source);
            Assert.Equal(Policy.Purposes.Select(p => p.Slots), fromFile.Purposes.Select(p => p.Slots), new SlotListComparer());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private sealed class SlotListComparer : IEqualityComparer<IReadOnlyList<OutputSlot>>
    {
        public bool Equals(IReadOnlyList<OutputSlot>? x, IReadOnlyList<OutputSlot>? y) => x!.SequenceEqual(y!);

        public int GetHashCode(IReadOnlyList<OutputSlot> obj) => obj.Count;
    }
}
