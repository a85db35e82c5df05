using Avro.Generic;
using Avro;
using Sieve.Simulation;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;
using Sieve.Testing.Codec;
using Sieve.Testing.Pipeline;

namespace Sieve.Tests.Codec;

/// <summary>
/// Property tests for the records the Minimizer writes: purpose records (the span encoder, driven by random raw
/// events through the default policy), audit and quarantine records. The project has no span reader for them, so
/// each is checked both ways against Apache.Avro's generic writer: what Apache.Avro reads back from our bytes has
/// the expected values, and what Apache.Avro writes for those values is byte for byte what we wrote.
/// </summary>
public sealed class OutputCodecCrossCheckTests
{
    private const int Iterations = 300;
    private static readonly string[] Domains = ["autohome.com.cn", "jd.com", "ctrip.com", "bilibili.com", "example.org", "m.toutiao.com", "unknown.cn"];
    private static readonly string[] Texts = ["", "a", "京A·12345", "Zoë", "🚗", new string('x', 300)];

    [Fact]
    public async Task Purpose_records_of_random_events_are_read_by_apache_avro_and_rewritten_byte_identically()
    {
        using var h = new CoreHarness();
        var random = new Random(20261201);
        var ids = new SyntheticIdentities(11);
        int[] perPurpose = new int[h.Core.Plans.Count];
        for (int i = 0; i < Iterations; i++)
        {
            long time = random.NextInt64(1_600_000_000_000, 1_900_000_000_000);
            bool vehicle = random.Next(2) == 0;
            (SubjectType type, string id, byte[] message, GeoLocationData? location) = vehicle ? Vehicle(random, ids, time) : Visitor(random, ids, time);
            await h.GrantAsync(type, id, KnownPurposes.Positioning, time - 1);
            await h.GrantAsync(type, id, KnownPurposes.Personalization, time - 1);
            await h.GrantAsync(type, id, KnownPurposes.Marketing, time - 1);
            h.Sink.Records.Clear();

            (ProcessStatus status, Outcome[] outcomes, QuarantineReason reason) = await h.ProcessAsync(vehicle ? InputKind.Telematics : InputKind.Wifi, message);
            Assert.True(status == ProcessStatus.Processed, "event " + i + ": " + status + " " + reason.Code);
            Assert.Equal(outcomes.Count(o => o is Outcome.Forwarded or Outcome.HeldForRelease), h.Sink.Records.Count);
            for (int r = 0; r < h.Sink.Records.Count; r++)
            {
                (string purpose, string topic, byte[] key, byte[] ours) = h.Sink.Records[r];
                GenericRecord read = h.Sink.Decode(r);
                bool held = topic.EndsWith(".pending.v1", StringComparison.Ordinal);
                if (held)
                {
                    // A held record travels in a release candidate: both layers are byte-identical under Apache.Avro.
                    GenericRecord candidate = h.Sink.Candidate(r);
                    Assert.Equal(ours, ApacheAvroBridge.WriteSingleObject(candidate));
                    Assert.Equal(System.Text.Encoding.ASCII.GetString(key), (string)candidate["vehicle"]);
                    Assert.Equal(time, ApacheAvroBridge.Millis(candidate["eventTime"]));
                    Assert.Equal(location!.Latitude, (double)candidate["latitude"]);
                    Assert.Equal((string)read["geohash"]!, (string)candidate["cell"]);
                    Assert.Equal(ApacheAvroBridge.Millis(read["timeBucket"]), ApacheAvroBridge.Millis(candidate["timeBucket"]));
                    ours = (byte[])candidate["record"];
                }

                // Apache.Avro writes what it read to the very same bytes: no field, branch, length or float differs.
                Assert.Equal(ours, ApacheAvroBridge.WriteSingleObject(read));

                // And it read what the policy calls for.
                if (held)
                {
                    Assert.Equal("00000000000000000000000000000000", (string)read["subject"]);
                    Assert.Equal("segment", (string)read["keyId"]);
                }
                else
                {
                    Assert.Equal(System.Text.Encoding.ASCII.GetString(key), (string)read["subject"]);
                    Assert.Matches("^[a-z2-7]{32}$", (string)read["subject"]);
                    Assert.StartsWith(MasterKeyRing.DemoKeyId + "/" + purpose + "/", (string)read["keyId"]);
                }

                Assert.Equal(vehicle ? "TELEMATICS" : "WIFI", ((GenericEnum)read["source"]).Value);
                switch (purpose)
                {
                    case "positioning":
                        Assert.Equal(time, ApacheAvroBridge.Millis(read["eventTime"]));
                        Assert.Equal(location!.Latitude, (double)read["latitude"]);
                        Assert.Equal(location.Longitude, (double)read["longitude"]);
                        Assert.Equal(location.SpeedKph, (float?)read["speedKph"]);
                        Assert.Equal(location.HeadingDeg, (float?)read["headingDeg"]);
                        break;
                    case "personalization":
                        Assert.Equal(time - (time % 3_600_000), ApacheAvroBridge.Millis(read["timeBucket"]));
                        Assert.Equal(location is null ? null : 6, ((string?)read["geohash"])?.Length);
                        Assert.All((object[])read["interests"], c => Assert.Contains((string)c, new[] { "automotive", "shopping", "travel", "video", "news" }));
                        break;
                    case "quality":
                        Assert.Equal(time - (time % 86_400_000), ApacheAvroBridge.Millis(read["timeBucket"]));
                        Assert.Equal(0, ((double?)read["odometerKm"] ?? 0) % 10_000);
                        break;
                    case "marketing":
                        Assert.Equal(time - (time % 3_600_000), ApacheAvroBridge.Millis(read["timeBucket"]));
                        Assert.NotNull(read["outletId"]);
                        break;
                    default:
                        Assert.Equal(time - (time % 900_000), ApacheAvroBridge.Millis(read["timeBucket"]));
                        Assert.Equal(location is null ? null : 5, ((string?)read["geohash"])?.Length);
                        break;
                }

                perPurpose[h.PlanIndex(purpose)]++;
            }
        }

        // Every purpose was exercised many times, with and without its optional fields (quality and marketing take one
        // kind of input each, about half the events).
        Assert.All(perPurpose, n => Assert.True(n > Iterations / 4, "a purpose got only " + n + " records"));
    }

    [Fact]
    public void Audit_records_of_random_tallies_equal_apache_avro_both_ways()
    {
        var random = new Random(77);
        string[] purposes = [KnownPurposes.Positioning, KnownPurposes.Personalization, KnownPurposes.Analytics, KnownPurposes.Quality, KnownPurposes.Marketing];
        using var h = new CoreHarness();
        Assert.Equal(purposes, h.Core.Plans.Select(p => p.Name));
        RecordSchema schema = SchemaCatalog.Default.Get("AuditRecord").Schema;
        for (int i = 0; i < Iterations; i++)
        {
            string topic = Text(random);
            int partition = random.Next(0, 1000);
            var tally = new PartitionTally(topic, partition, purposes.Length);
            long first = random.NextInt64(0, long.MaxValue / 2);
            int inputs = random.Next(1, 200);
            long[,] expected = new long[purposes.Length, OutcomeNames.Count];
            var quarantined = new List<(string Code, long Count)>();
            var outcomes = new Outcome[purposes.Length];
            for (int n = 0; n < inputs; n++)
            {
                if (random.Next(8) == 0)
                {
                    string code = "reason-" + random.Next(4) + Text(random);
                    tally.AddQuarantined(first + n, code);
                    int at = quarantined.FindIndex(q => q.Code == code);
                    quarantined.Add((code, 1));
                    if (at >= 0)
                    {
                        quarantined[at] = (code, quarantined[at].Count + 1);
                        quarantined.RemoveAt(quarantined.Count - 1);
                    }

                    continue;
                }

                for (int p = 0; p < purposes.Length; p++)
                {
                    outcomes[p] = (Outcome)random.Next(OutcomeNames.Count);
                    expected[p, (int)outcomes[p]]++;
                }

                tally.AddProcessed(first + n, outcomes);
            }

            string instance = Text(random);
            long batch = random.NextInt64(1, long.MaxValue);
            long committedAt = random.NextInt64(0, 2_500_000_000_000);
            byte[] ours = OpsRecordWriter.Audit(instance, batch, tally, h.Core.Plans, committedAt);

            var record = new GenericRecord(schema);
            record.Add("instanceId", instance);
            record.Add("batchId", batch);
            record.Add("sourceTopic", topic);
            record.Add("partition", partition);
            record.Add("firstOffset", first);
            record.Add("lastOffset", first + inputs - 1);
            record.Add("inputs", (long)inputs);
            record.Add("committedAt", ApacheAvroBridge.Time(committedAt));
            var countsSchema = (RecordSchema)((ArraySchema)schema.Fields.Single(f => f.Name == "purposes").Schema).ItemSchema;
            record.Add("purposes", purposes.Select((name, p) =>
            {
                var c = new GenericRecord(countsSchema);
                c.Add("purpose", name);
                c.Add("forwarded", expected[p, (int)Outcome.Forwarded]);
                c.Add("withheldNoConsent", expected[p, (int)Outcome.WithheldNoConsent]);
                c.Add("withheldWithdrawn", expected[p, (int)Outcome.WithheldWithdrawn]);
                c.Add("withheldMinor", expected[p, (int)Outcome.WithheldMinor]);
                c.Add("withheldNotApplicable", expected[p, (int)Outcome.WithheldNotApplicable]);
                c.Add("withheldErased", expected[p, (int)Outcome.WithheldErased]);
                c.Add("heldForRelease", expected[p, (int)Outcome.HeldForRelease]);
                c.Add("withheldParked", expected[p, (int)Outcome.WithheldParked]);
                c.Add("withheldTrimmed", expected[p, (int)Outcome.WithheldTrimmed]);
                c.Add("withheldGap", expected[p, (int)Outcome.WithheldGap]);
                c.Add("withheldZone", expected[p, (int)Outcome.WithheldZone]);
                c.Add("withheldSparseCell", expected[p, (int)Outcome.WithheldSparseCell]);
                c.Add("withheldExpired", expected[p, (int)Outcome.WithheldExpired]);
                return (object)c;
            }).ToArray());
            var reasonSchema = (RecordSchema)((ArraySchema)schema.Fields.Single(f => f.Name == "quarantined").Schema).ItemSchema;
            record.Add("quarantined", quarantined.Select(q =>
            {
                var c = new GenericRecord(reasonSchema);
                c.Add("reasonCode", q.Code);
                c.Add("count", q.Count);
                return (object)c;
            }).ToArray());

            Assert.Equal(ApacheAvroBridge.WriteSingleObject(record), ours);
            GenericRecord read = ApacheAvroBridge.ReadSingleObject(ours, "AuditRecord");
            Assert.Equal(ours, ApacheAvroBridge.WriteSingleObject(read));
            Assert.Equal(topic, read["sourceTopic"]);
            Assert.Equal((long)inputs, read["inputs"]);
            Assert.Equal(first + inputs - 1, read["lastOffset"]);
            Assert.Equal(committedAt, ApacheAvroBridge.Millis(read["committedAt"]));
            Assert.Equal(quarantined.Select(q => q.Code), ((object[])read["quarantined"]).Select(q => (string)((GenericRecord)q)["reasonCode"]));
        }
    }

    [Fact]
    public void Quarantine_records_equal_apache_avro_both_ways()
    {
        var random = new Random(5);
        RecordSchema schema = SchemaCatalog.Default.Get("QuarantineRecord").Schema;
        for (int i = 0; i < Iterations; i++)
        {
            string topic = Text(random);
            int partition = random.Next(2) == 0 ? random.Next(0, 64) : random.Next(int.MinValue, int.MaxValue);
            long offset = random.Next(3) == 0 ? long.MaxValue - random.Next(100) : random.NextInt64(0, 1L << 40);
            var reason = new QuarantineReason(Text(random), Text(random) + Text(random));
            long observedAt = random.NextInt64(0, 2_500_000_000_000);
            string instance = Text(random);
            byte[] ours = OpsRecordWriter.Quarantine(topic, partition, offset, reason, observedAt, instance);

            var record = new GenericRecord(schema);
            record.Add("sourceTopic", topic);
            record.Add("partition", partition);
            record.Add("offset", offset);
            record.Add("reasonCode", reason.Code);
            record.Add("detail", reason.Detail);
            record.Add("observedAt", ApacheAvroBridge.Time(observedAt));
            record.Add("instanceId", instance);

            Assert.Equal(ApacheAvroBridge.WriteSingleObject(record), ours);
            GenericRecord read = ApacheAvroBridge.ReadSingleObject(ours, "QuarantineRecord");
            Assert.Equal(ours, ApacheAvroBridge.WriteSingleObject(read));
            Assert.Equal((topic, partition, offset, reason.Code, reason.Detail, observedAt, instance), (
                (string)read["sourceTopic"], (int)read["partition"], (long)read["offset"], (string)read["reasonCode"], (string)read["detail"],
                ApacheAvroBridge.Millis(read["observedAt"]), (string)read["instanceId"]));
        }
    }

    private static (SubjectType, string, byte[], GeoLocationData?) Vehicle(Random random, SyntheticIdentities ids, long time)
    {
        string vin = ids.Vin();
        GeoLocationData? location = random.Next(3) == 0 ? null : Location(random);
        VehicleStatusData? status = random.Next(3) == 0 ? null : new VehicleStatusData(
            Maybe(random, () => random.NextDouble() * 999_999),
            Maybe(random, () => (float)(random.NextDouble() * 100)),
            Maybe(random, () => (float)(9 + (random.NextDouble() * 6))),
            Maybe(random, () => random.Next(2) == 1),
            [.. Enumerable.Range(0, random.Next(4)).Select(n => "P0" + (300 + n))]);

        // Analytics needs something besides the time: keep a location at least when there is no status.
        if (location is null && status is null)
        {
            location = new GeoLocationData(31.2, 121.4);
        }

        var data = new TelematicsEventData
        {
            EventId = "e-" + random.Next(),
            Vin = random.Next(2) == 0 ? vin : " " + vin.ToLowerInvariant() + " ",
            DeviceId = ids.Imei(),
            EventTime = time,
            Location = location,
            Status = status,
        };
        return (SubjectType.Vin, vin, data.ToMessage(), location);
    }

    private static (SubjectType, string, byte[], GeoLocationData?) Visitor(Random random, SyntheticIdentities ids, long time)
    {
        string mac = ids.Mac(randomized: random.Next(2) == 0);
        string? phone = random.Next(2) == 0 ? ids.Phone() : null;
        GeoLocationData? location = random.Next(3) == 0 ? null : Location(random) with { SpeedKph = null, HeadingDeg = null };
        var data = new WifiEventData
        {
            EventId = "e-" + random.Next(),
            GatewayId = "gw-" + random.Next(10),
            OutletId = Texts[random.Next(1, Texts.Length - 1)],
            EventTime = time,
            ClientMac = random.Next(2) == 0 ? mac : mac.ToUpperInvariant().Replace(':', '-'),
            PhoneNumber = phone,
            Location = location,
            Rssi = Maybe(random, () => random.Next(-100, 0)),
            VisitedDomains = [.. Enumerable.Range(0, random.Next(6)).Select(_ => Domains[random.Next(Domains.Length)])],
            DwellSeconds = Maybe(random, () => random.Next(0, 86_400)),
        };
        return phone is null ? (SubjectType.Mac, mac, data.ToMessage(), location) : (SubjectType.Phone, phone, data.ToMessage(), location);
    }

    private static GeoLocationData Location(Random random) => new(
        (random.NextDouble() * 180) - 90,
        (random.NextDouble() * 360) - 180,
        Maybe(random, () => (float)(random.NextDouble() * 250)),
        Maybe(random, () => (float)(random.NextDouble() * 360)),
        Maybe(random, () => (float)((random.NextDouble() * 5000) - 400)));

    private static T? Maybe<T>(Random random, Func<T> make) where T : struct => random.Next(3) == 0 ? null : make();

    private static string Text(Random random) => random.Next(3) == 0 ? Texts[random.Next(Texts.Length)] : Guid.NewGuid().ToString("N")[..random.Next(1, 32)];
}
