using System.Text.Json;
using Avro;
using Avro.Generic;
using Sieve.Simulation;
using Sieve.Contracts.Schemas;
using Sieve.Commands.Demo;

namespace Sieve.Tests.Cli;

public sealed class DemoSampleRecordsTests
{
    private const string Topic = "personalization.v1";

    [Fact]
    public void Samples_are_three_telematics_and_three_wifi_subjects_and_visits_with_outlet_dwell_and_interests_win()
    {
        var samples = new SampleRecords();

        // One vehicle's many records first, as the demo's first reads are: only one sample of it is kept.
        for (int i = 0; i < 10; i++)
        {
            samples.Offer(Topic, Record("vehicle-a", "TELEMATICS", outlet: null, dwell: null));
        }

        // Wi-Fi sightings (outlet only) of four visitors, then sessions (outlet, dwell, interests) of three others.
        foreach (string visitor in new[] { "sighting-1", "sighting-2", "sighting-3", "sighting-4" })
        {
            samples.Offer(Topic, Record(visitor, "WIFI", outlet: "outlet-sh-01", dwell: null));
        }

        Assert.True(samples.Wants(Topic));
        foreach (string visitor in new[] { "session-1", "session-2", "session-3" })
        {
            samples.Offer(Topic, Record(visitor, "WIFI", outlet: "outlet-sh-01", dwell: 1500, "automotive", "shopping"));
        }

        samples.Offer(Topic, Record("vehicle-b", "TELEMATICS", outlet: null, dwell: null));
        samples.Offer(Topic, Record("vehicle-c", "TELEMATICS", outlet: null, dwell: null));
        Assert.False(samples.Wants(Topic));
        samples.Offer(Topic, Record("vehicle-d", "TELEMATICS", outlet: null, dwell: null));

        List<JsonElement> shown = [.. samples.Snapshot()[Topic].Select(j => JsonDocument.Parse(j).RootElement)];
        Assert.Equal(["vehicle-a", "vehicle-b", "vehicle-c", "session-1", "session-2", "session-3"], shown.Select(e => e.GetProperty("subject").GetString()));
        Assert.All(shown.Skip(3), e =>
        {
            Assert.Equal("WIFI", e.GetProperty("source").GetString());
            Assert.Equal(1500, e.GetProperty("dwellSeconds").GetInt32());
            Assert.Equal(["automotive", "shopping"], e.GetProperty("interests").EnumerateArray().Select(c => c.GetString()));
        });
    }

    [Fact]
    public void A_record_that_is_not_a_purpose_record_is_no_sample_and_its_topic_is_no_longer_wanted()
    {
        var samples = new SampleRecords();
        RecordSchema schema = SchemaCatalog.Default.Get("QuarantineRecord").Schema;
        var quarantine = new GenericRecord(schema);
        foreach (Field field in schema.Fields)
        {
            quarantine.Add(field.Name, null);
        }

        samples.Offer("quarantine.v1", quarantine);

        Assert.False(samples.Wants("quarantine.v1"));
        Assert.False(samples.Snapshot().ContainsKey("quarantine.v1"));
        Assert.True(samples.Wants(Topic));
    }

    [Fact]
    public void A_topic_whose_samples_never_complete_stops_being_wanted_after_its_offer_budget()
    {
        var samples = new SampleRecords();
        for (int i = 0; i < SampleRecords.MaxOffersPerTopic; i++)
        {
            Assert.True(samples.Wants(Topic));
            samples.Offer(Topic, Record("sighting-" + (i % 7), "WIFI", outlet: "outlet-sh-01", dwell: null));
        }

        Assert.False(samples.Wants(Topic));
        Assert.Equal(3, samples.Snapshot()[Topic].Count);
    }

    private static GenericRecord Record(string subject, string source, string? outlet, int? dwell, params string[] interests)
    {
        RecordSchema schema = SchemaCatalog.Default.Get("PersonalizationRecord").Schema;
        var r = new GenericRecord(schema);
        var sourceSchema = (EnumSchema)schema.Fields.Single(f => f.Name == "source").Schema;
        r.Add("subject", subject);
        r.Add("keyId", "demo-1/personalization/stable");
        r.Add("source", new GenericEnum(sourceSchema, source));
        r.Add("timeBucket", new DateTime(2026, 11, 25, 9, 0, 0, DateTimeKind.Utc));
        r.Add("geohash", null);
        r.Add("odometerKm", source == "TELEMATICS" ? 12_000.0 : null);
        r.Add("fuelLevelPct", null);
        r.Add("engineOn", null);
        r.Add("outletId", outlet);
        r.Add("dwellSeconds", dwell);
        r.Add("interests", interests.Cast<object>().ToArray());
        return r;
    }
}
