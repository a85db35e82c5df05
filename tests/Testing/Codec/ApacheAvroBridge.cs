using Avro;
using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;

namespace Sieve.Testing.Codec;

/// <summary>Builds Apache.Avro generic records from the managed records, and runs Apache's generic reader and writer.</summary>
internal static class ApacheAvroBridge
{
    public static byte[] WriteSingleObject(GenericRecord record)
    {
        var stream = new MemoryStream();
        var header = new byte[SingleObjectEncoding.HeaderLength];
        SingleObjectEncoding.WriteHeader(header, (ulong)SchemaNormalization.ParsingFingerprint64(record.Schema));
        stream.Write(header);
        new GenericDatumWriter<GenericRecord>(record.Schema).Write(record, new BinaryEncoder(stream));
        return stream.ToArray();
    }

    public static GenericRecord ReadSingleObject(byte[] message, string schemaName)
    {
        RecordSchema schema = SchemaCatalog.Default.Get(schemaName).Schema;
        Assert.Equal(SingleObjectEncoding.Marker0, message[0]);
        Assert.Equal(SingleObjectEncoding.Marker1, message[1]);
        Assert.Equal((ulong)SchemaNormalization.ParsingFingerprint64(schema), BitConverter.ToUInt64(message, 2));
        var stream = new MemoryStream(message, SingleObjectEncoding.HeaderLength, message.Length - SingleObjectEncoding.HeaderLength);
        var decoder = new BinaryDecoder(stream);
        var record = new GenericDatumReader<GenericRecord>(schema, schema).Read(null!, decoder);
        Assert.Equal(stream.Length, stream.Position);
        return record;
    }

    /// <summary>A Confluent-framed message read by Confluent's own <c>AvroDeserializer</c> through <paramref name="client"/>'s registry.</summary>
    public static GenericRecord ReadConfluent(Confluent.SchemaRegistry.ISchemaRegistryClient client, Confluent.Kafka.ConsumeResult<byte[], byte[]> result) =>
        Confluent.Kafka.SyncOverAsync.SyncOverAsyncDeserializerExtensionMethods.AsSyncOverAsync(new Confluent.SchemaRegistry.Serdes.AvroDeserializer<GenericRecord>(client))
            .Deserialize(result.Message.Value, isNull: false, new Confluent.Kafka.SerializationContext(Confluent.Kafka.MessageComponentType.Value, result.Topic));

    public static DateTime Time(long millis) => new(DateTime.UnixEpoch.Ticks + (millis * TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);

    public static long Millis(object value) => (long)((DateTime)value - DateTime.UnixEpoch).TotalMilliseconds;

    public static GenericRecord ToGeneric(TelematicsEventData e)
    {
        RecordSchema schema = SchemaCatalog.Default.Get("TelematicsEvent").Schema;
        var r = new GenericRecord(schema);
        r.Add("eventId", e.EventId);
        r.Add("vin", e.Vin);
        r.Add("deviceId", e.DeviceId);
        r.Add("eventTime", Time(e.EventTime));
        r.Add("location", e.Location is null ? null : ToGeneric(e.Location, Branch(schema, "location")));
        if (e.Status is null)
        {
            r.Add("status", null);
        }
        else
        {
            var s = new GenericRecord(Branch(schema, "status"));
            s.Add("odometerKm", e.Status.OdometerKm);
            s.Add("fuelLevelPct", e.Status.FuelLevelPct);
            s.Add("batteryVoltage", e.Status.BatteryVoltage);
            s.Add("engineOn", e.Status.EngineOn);
            s.Add("dtcCodes", (e.Status.DtcCodes ?? []).ToArray());
            r.Add("status", s);
        }

        if (e.Driver is null)
        {
            r.Add("driver", null);
        }
        else
        {
            var d = new GenericRecord(Branch(schema, "driver"));
            d.Add("name", e.Driver.Name);
            d.Add("phoneNumber", e.Driver.PhoneNumber);
            d.Add("licenseNumber", e.Driver.LicenseNumber);
            r.Add("driver", d);
        }

        return r;
    }

    public static GenericRecord ToGeneric(WifiEventData e)
    {
        RecordSchema schema = SchemaCatalog.Default.Get("WifiEvent").Schema;
        var r = new GenericRecord(schema);
        r.Add("eventId", e.EventId);
        r.Add("gatewayId", e.GatewayId);
        r.Add("outletId", e.OutletId);
        r.Add("eventTime", Time(e.EventTime));
        r.Add("clientMac", e.ClientMac);
        r.Add("phoneNumber", e.PhoneNumber);
        r.Add("deviceId", e.DeviceId);
        r.Add("location", e.Location is null ? null : ToGeneric(e.Location, Branch(schema, "location")));
        r.Add("rssi", e.Rssi);
        r.Add("visitedDomains", e.VisitedDomains.ToArray());
        r.Add("dwellSeconds", e.DwellSeconds);
        return r;
    }

    public static GenericRecord ToGeneric(ConsentChangeData c)
    {
        RecordSchema schema = SchemaCatalog.Default.Get("ConsentChange").Schema;
        var r = new GenericRecord(schema);
        var enumSchema = (EnumSchema)schema.Fields.Single(f => f.Name == "subjectType").Schema;
        r.Add("subjectType", new GenericEnum(enumSchema, enumSchema.Symbols[(int)c.SubjectType]));
        r.Add("subjectId", c.SubjectId);
        r.Add("purpose", c.Purpose);
        r.Add("granted", c.Granted);
        r.Add("effectiveTime", Time(c.EffectiveTime));
        r.Add("policyVersion", c.PolicyVersion);
        r.Add("minor", c.Minor);
        r.Add("expiresAt", c.ExpiresAt is long expiresAt ? Time(expiresAt) : null);
        return r;
    }

    private static GenericRecord ToGeneric(GeoLocationData l, RecordSchema schema)
    {
        var g = new GenericRecord(schema);
        g.Add("latitude", l.Latitude);
        g.Add("longitude", l.Longitude);
        g.Add("speedKph", l.SpeedKph);
        g.Add("headingDeg", l.HeadingDeg);
        g.Add("altitudeM", l.AltitudeM);
        return g;
    }

    private static RecordSchema Branch(RecordSchema schema, string field) =>
        (RecordSchema)((UnionSchema)schema.Fields.Single(f => f.Name == field).Schema)[1];
}
