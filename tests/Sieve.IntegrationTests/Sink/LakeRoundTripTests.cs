using Avro.Generic;
using Confluent.Kafka;
using Sieve.Contracts.Avro;
using Sieve.Core.Lake;
using Sieve.Testing.Codec;
using Sieve.Testing.Harness;
using Sieve.Testing.Sink;

namespace Sieve.IntegrationTests.Sink;

[Collection(KafkaCollection.Name)]
public sealed class LakeRoundTripTests(KafkaFixture kafka)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Minimized_topics_land_in_the_lake_and_DuckDB_reads_back_every_record_unchanged()
    {
        using var records = new MinimizedRecords();
        for (int v = 0; v < 3; v++)
        {
            await records.DriveAsync(await records.ConsentingVehicleAsync(), 12);
        }

        await records.VisitAsync(await records.ConsentingVisitorAsync(), 6);
        using SinkTestBed bed = await SinkTestBed.CreateAsync(kafka, "lake.roundtrip");
        var delivered = await bed.ProduceAsync(records.Records);
        DeliveryResult<byte[], byte[]> bad = await bed.ProduceRawAsync("positioning", [SingleObjectEncoding.Marker0, SingleObjectEncoding.Marker1, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

        var measured = new System.Collections.Concurrent.ConcurrentDictionary<string, double>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == bed.Metrics.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measured.AddOrUpdate(instrument.Name, value, (_, v) => v + value));
        listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => measured.AddOrUpdate(instrument.Name, 1, (_, v) => v + 1));
        listener.Start();

        await using (RunningSink sink = bed.Start())
        {
            await sink.WaitUntilLandedAsync(Limit);
            await sink.StopAsync();
            Assert.Equal(delivered.Count, sink.Engine.RowsLanded);
            Assert.Equal(1, sink.Engine.Quarantined);
        }

        Assert.Equal(delivered.Count, measured["sieve.sink.rows.written"]);
        Assert.Equal(Directory.EnumerateFiles(bed.Root, "*.parquet", SearchOption.AllDirectories).Count(), measured["sieve.sink.files.written"]);
        Assert.Equal(1, measured["sieve.sink.rows.quarantined"]);
        Assert.True(measured["sieve.sink.commit.duration"] >= 1);

        // Same counts per purpose as the topics hold.
        foreach (string purpose in new[] { "positioning", "personalization", "analytics", "quality", "marketing" })
        {
            long expected = delivered.Count(d => d.Purpose == purpose);
            Assert.True(expected > 0, purpose);
            Assert.Equal(expected, LakeQuery.Scalar("SELECT count(*) FROM " + LakeQuery.Purpose(bed.Root, purpose)));
        }

        Assert.Equal(delivered.Count, LakeQuery.Scalar("SELECT count(DISTINCT (_topic, _partition, _offset)) FROM " + LakeQuery.All(bed.Root)));

        // Same values, row by row, found by Kafka coordinates.
        Dictionary<(string, int, long), object?[]> positioning = LakeQuery.Rows(
                "SELECT _topic, _partition, _offset, subject, keyId, source, epoch_ms(eventTime), latitude, longitude, speedKph, headingDeg, purpose, CAST(date AS VARCHAR), hour FROM "
                + LakeQuery.Purpose(bed.Root, "positioning"))
            .ToDictionary(r => ((string)r[0]!, (int)r[1]!, (long)r[2]!));
        Dictionary<(string, int, long), object?[]> personalization = LakeQuery.Rows(
                "SELECT _topic, _partition, _offset, subject, epoch_ms(timeBucket), geohash, outletId, dwellSeconds, interests FROM "
                + LakeQuery.Purpose(bed.Root, "personalization"))
            .ToDictionary(r => ((string)r[0]!, (int)r[1]!, (long)r[2]!));
        Dictionary<(string, int, long), object?[]> analytics = LakeQuery.Rows(
                "SELECT _topic, _partition, _offset, subject, keyId, epoch_ms(timeBucket), geohash, speedKph, odometerKm, engineOn FROM "
                + LakeQuery.Purpose(bed.Root, "analytics"))
            .ToDictionary(r => ((string)r[0]!, (int)r[1]!, (long)r[2]!));

        Dictionary<(string, int, long), object?[]> quality = LakeQuery.Rows(
                "SELECT _topic, _partition, _offset, subject, epoch_ms(timeBucket), odometerKm, batteryVoltage, engineOn, dtcCodes FROM "
                + LakeQuery.Purpose(bed.Root, "quality"))
            .ToDictionary(r => ((string)r[0]!, (int)r[1]!, (long)r[2]!));
        Dictionary<(string, int, long), object?[]> marketing = LakeQuery.Rows(
                "SELECT _topic, _partition, _offset, subject, epoch_ms(timeBucket), outletId, interests FROM "
                + LakeQuery.Purpose(bed.Root, "marketing"))
            .ToDictionary(r => ((string)r[0]!, (int)r[1]!, (long)r[2]!));

        foreach ((string purpose, DeliveryResult<byte[], byte[]> d, byte[] value) in delivered)
        {
            var coordinates = (d.Topic, d.Partition.Value, d.Offset.Value);
            switch (purpose)
            {
                case "quality":
                {
                    GenericRecord r = ApacheAvroBridge.ReadSingleObject(value, "QualityRecord");
                    object?[] row = quality[coordinates];
                    Assert.Equal((string)r["subject"], row[3]);
                    Assert.Equal(ApacheAvroBridge.Millis(r["timeBucket"]), (long)row[4]!);
                    Assert.Equal((double?)r["odometerKm"], (double?)row[5]);
                    Assert.Equal((float?)r["batteryVoltage"], (float?)row[6]);
                    Assert.Equal((bool?)r["engineOn"], (bool?)row[7]);
                    Assert.Equal(((object[])r["dtcCodes"]).Cast<string>().ToArray(), ((System.Collections.IEnumerable)row[8]!).Cast<string>().ToArray());
                    break;
                }

                case "marketing":
                {
                    GenericRecord r = ApacheAvroBridge.ReadSingleObject(value, "MarketingRecord");
                    object?[] row = marketing[coordinates];
                    Assert.Equal((string)r["subject"], row[3]);
                    Assert.Equal(ApacheAvroBridge.Millis(r["timeBucket"]), (long)row[4]!);
                    Assert.Equal((string?)r["outletId"], row[5]);
                    Assert.Equal(((object[])r["interests"]).Cast<string>().ToArray(), ((System.Collections.IEnumerable)row[6]!).Cast<string>().ToArray());
                    break;
                }

                case "positioning":
                {
                    GenericRecord r = ApacheAvroBridge.ReadSingleObject(value, "PositioningRecord");
                    object?[] row = positioning[coordinates];
                    long eventTime = ApacheAvroBridge.Millis(r["eventTime"]);
                    Assert.Equal((string)r["subject"], row[3]);
                    Assert.Equal((string)r["keyId"], row[4]);
                    Assert.Equal(((GenericEnum)r["source"]).Value, row[5]);
                    Assert.Equal(eventTime, (long)row[6]!);
                    Assert.Equal((double)r["latitude"], row[7]);
                    Assert.Equal((double)r["longitude"], row[8]);
                    Assert.Equal((float?)r["speedKph"], (float?)row[9]);
                    Assert.Equal((float?)r["headingDeg"], (float?)row[10]);
                    DateTime t = ApacheAvroBridge.Time(eventTime);
                    Assert.Equal("positioning", row[11]);
                    Assert.Equal(t.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), row[12]);
                    Assert.Equal((long)t.Hour, Convert.ToInt64(row[13], System.Globalization.CultureInfo.InvariantCulture));
                    break;
                }

                case "personalization":
                {
                    GenericRecord r = ApacheAvroBridge.ReadSingleObject(value, "PersonalizationRecord");
                    object?[] row = personalization[coordinates];
                    Assert.Equal((string)r["subject"], row[3]);
                    Assert.Equal(ApacheAvroBridge.Millis(r["timeBucket"]), (long)row[4]!);
                    Assert.Equal((string?)r["geohash"], row[5]);
                    Assert.Equal((string?)r["outletId"], row[6]);
                    Assert.Equal((int?)r["dwellSeconds"], (int?)row[7]);
                    string[] interests = ((object[])r["interests"]).Cast<string>().ToArray();
                    Assert.Equal(interests, ((System.Collections.IEnumerable)row[8]!).Cast<string>().ToArray());
                    break;
                }

                default:
                {
                    GenericRecord r = ApacheAvroBridge.ReadSingleObject(value, "AnalyticsRecord");
                    object?[] row = analytics[coordinates];
                    Assert.Equal((string)r["subject"], row[3]);
                    Assert.Equal((string)r["keyId"], row[4]);
                    Assert.Equal(ApacheAvroBridge.Millis(r["timeBucket"]), (long)row[5]!);
                    Assert.Equal((string?)r["geohash"], row[6]);
                    Assert.Equal((float?)r["speedKph"], (float?)row[7]);
                    Assert.Equal((double?)r["odometerKm"], (double?)row[8]);
                    Assert.Equal((bool?)r["engineOn"], (bool?)row[9]);
                    break;
                }
            }
        }

        // Each file records the offset range it accounts for, and temporary files are gone.
        foreach (string file in Directory.EnumerateFiles(bed.Root, "*.parquet", SearchOption.AllDirectories))
        {
            Assert.True(LakeFileName.TryParse(Path.GetFileName(file), out LakeFileName name));
            IReadOnlyDictionary<string, string> metadata = await ParquetFiles.ReadMetadataAsync(file);
            Assert.Equal(name.Topic, metadata[LakeMetadata.Topic]);
            Assert.Equal(name.FirstOffset.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata[LakeMetadata.FirstOffset]);
            Assert.Equal(name.LastOffset.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata[LakeMetadata.LastOffset]);
        }

        Assert.Empty(Directory.EnumerateFiles(bed.Root, "*.tmp", SearchOption.AllDirectories));

        // The bad record is in quarantine with a reason, not in the lake.
        ConsumeResult<byte[], byte[]> quarantined = Assert.Single(await KafkaTestClient.ConsumeExactlyAsync(kafka.BootstrapServers, bed.QuarantineTopic, 1, Limit));
        GenericRecord q = ApacheAvroBridge.ReadSingleObject(quarantined.Message.Value, "QuarantineRecord");
        Assert.Equal(bad.Topic, (string)q["sourceTopic"]);
        Assert.Equal(bad.Offset.Value, (long)q["offset"]);
        Assert.Equal("unknown-fingerprint", (string)q["reasonCode"]);
        Assert.Equal(0, LakeQuery.Scalar("SELECT count(*) FROM " + LakeQuery.All(bed.Root) + " WHERE _topic = '" + bad.Topic + "' AND _offset = " + bad.Offset.Value + " AND _partition = " + bad.Partition.Value));
    }
}
