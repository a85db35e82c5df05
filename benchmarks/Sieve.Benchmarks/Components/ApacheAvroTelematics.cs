using Avro;
using Avro.Generic;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;

namespace Sieve.Benchmarks.Components;

/// <summary>Builds the Apache.Avro generic form of a telematics event (the comparison baseline's input).</summary>
internal static class ApacheAvroTelematics
{
    public static RecordSchema Schema => SchemaCatalog.Default.Get("TelematicsEvent").Schema;

    public static GenericRecord ToGeneric(TelematicsEventData e)
    {
        RecordSchema schema = Schema;
        var r = new GenericRecord(schema);
        r.Add("eventId", e.EventId);
        r.Add("vin", e.Vin);
        r.Add("deviceId", e.DeviceId);
        r.Add("eventTime", DateTime.UnixEpoch.AddMilliseconds(e.EventTime));
        if (e.Location is null)
        {
            r.Add("location", null);
        }
        else
        {
            var g = new GenericRecord(Branch(schema, "location"));
            g.Add("latitude", e.Location.Latitude);
            g.Add("longitude", e.Location.Longitude);
            g.Add("speedKph", e.Location.SpeedKph);
            g.Add("headingDeg", e.Location.HeadingDeg);
            g.Add("altitudeM", e.Location.AltitudeM);
            r.Add("location", g);
        }

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

    private static RecordSchema Branch(RecordSchema schema, string field)
    {
        foreach (Field f in schema.Fields)
        {
            if (f.Name == field)
            {
                return (RecordSchema)((UnionSchema)f.Schema)[1];
            }
        }

        throw new InvalidOperationException("No field " + field);
    }
}
