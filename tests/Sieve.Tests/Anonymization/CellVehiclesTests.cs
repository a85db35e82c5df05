using Avro;
using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Schemas;
using Sieve.Core.Anonymization;

namespace Sieve.Tests.Anonymization;

/// <summary>The release stage's count in the last field of an anonymized record, cross-checked with Apache.Avro.</summary>
public sealed class CellVehiclesTests
{
    private static readonly SchemaInfo Analytics = SchemaCatalog.Default.Get("AnalyticsRecord");

    [Theory]
    [InlineData(5L)]
    [InlineData(63L)]
    [InlineData(64L)]
    [InlineData(1_000_000L)]
    [InlineData(long.MaxValue)]
    public void The_count_replaces_the_trailing_null_and_apache_avro_reads_it_with_every_other_field_unchanged(long vehicles)
    {
        GenericRecord written = Record(cellVehicles: null);
        byte[] record = Encode(written);

        byte[] counted = CellVehicles.Append(record, vehicles);

        GenericRecord read = Decode(counted);
        Assert.Equal(vehicles, read["cellVehicles"]);
        foreach (Field field in Analytics.Schema.Fields)
        {
            if (field.Name != "cellVehicles")
            {
                Assert.Equal(written[field.Name], read[field.Name]);
            }
        }

        // What the release stage writes is what Apache.Avro writes for the same record with the count.
        Assert.Equal(Encode(Record(cellVehicles: vehicles)), counted);
    }

    [Fact]
    public void An_unknown_count_leaves_the_field_null()
    {
        byte[] record = Encode(Record(cellVehicles: null));
        Assert.Same(record, CellVehicles.Append(record, 0));
        Assert.Null(Decode(record)["cellVehicles"]);
    }

    [Fact]
    public void A_record_that_does_not_end_with_a_null_union_is_refused()
    {
        byte[] record = Encode(Record(cellVehicles: 7L));
        InvalidOperationException e = Assert.Throws<InvalidOperationException>(() => CellVehicles.Append(record, 9));
        Assert.Contains("cellVehicles", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => CellVehicles.Append([], 9));
    }

    private static GenericRecord Record(long? cellVehicles)
    {
        var r = new GenericRecord(Analytics.Schema);
        r.Add("subject", "0123456789abcdef0123456789abcdef");
        r.Add("keyId", "segment");
        r.Add("source", new GenericEnum((EnumSchema)Analytics.Schema["source"].Schema, "TELEMATICS"));
        r.Add("timeBucket", new DateTime(2026, 12, 6, 8, 15, 0, DateTimeKind.Utc));
        r.Add("geohash", "wtw3s");
        r.Add("speedKph", 40f);
        r.Add("odometerKm", null);
        r.Add("fuelLevelPct", null);
        r.Add("batteryVoltage", null);
        r.Add("engineOn", true);
        r.Add("outletId", null);
        r.Add("dwellSeconds", null);
        r.Add("cellVehicles", cellVehicles);
        return r;
    }

    private static byte[] Encode(GenericRecord record)
    {
        using var stream = new MemoryStream();
        byte[] header = new byte[SingleObjectEncoding.HeaderLength];
        SingleObjectEncoding.WriteHeader(header, Analytics.Fingerprint);
        stream.Write(header);
        new GenericDatumWriter<GenericRecord>(Analytics.Schema).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    private static GenericRecord Decode(byte[] message)
    {
        Assert.Equal(AvroStatus.Ok, SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint));
        Assert.Equal(Analytics.Fingerprint, fingerprint);
        using var stream = new MemoryStream(message, SingleObjectEncoding.HeaderLength, message.Length - SingleObjectEncoding.HeaderLength);
        var decoder = new BinaryDecoder(stream);
        GenericRecord read = new GenericDatumReader<GenericRecord>(Analytics.Schema, Analytics.Schema).Read(null!, decoder);
        Assert.Equal(stream.Length, stream.Position);
        return read;
    }
}
