using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;

namespace Sieve.Contracts.Records;

/// <summary>A decoded <c>sieve.common.VehicleStatus</c>.</summary>
public struct VehicleStatus
{
    /// <summary>Total odometer, km.</summary>
    public double? OdometerKm;
    /// <summary>Fuel level, percent.</summary>
    public float? FuelLevelPct;
    /// <summary>External (battery) voltage, volts.</summary>
    public float? BatteryVoltage;
    /// <summary>Ignition state.</summary>
    public bool? EngineOn;
    /// <summary>Diagnostic trouble codes, located in the decoded buffer.</summary>
    public StringArraySlice DtcCodes;
}

/// <summary>A decoded <c>sieve.raw.Driver</c>; every field is a direct identifier.</summary>
public struct DriverInfo
{
    /// <summary>Driver's name.</summary>
    public Utf8Slice Name;
    /// <summary>Driver's phone number.</summary>
    public Utf8Slice PhoneNumber;
    /// <summary>Driver's licence number.</summary>
    public Utf8Slice LicenseNumber;
}

/// <summary>
/// A decoded <c>sieve.raw.TelematicsEvent</c>. String and array fields are <see cref="Utf8Slice"/>s into the
/// buffer it was decoded from (the whole single-object message), so decoding allocates nothing.
/// </summary>
public struct TelematicsEvent
{
    /// <summary>Device record id.</summary>
    public Utf8Slice EventId;
    /// <summary>Vehicle identification number (direct).</summary>
    public Utf8Slice Vin;
    /// <summary>The unit's IMEI (direct).</summary>
    public Utf8Slice DeviceId;
    /// <summary>Event time, Unix milliseconds.</summary>
    public long EventTime;
    /// <summary>True when <see cref="Location"/> was present.</summary>
    public bool HasLocation;
    /// <summary>The GPS fix.</summary>
    public GeoLocation Location;
    /// <summary>True when <see cref="Status"/> was present.</summary>
    public bool HasStatus;
    /// <summary>Vehicle status signals.</summary>
    public VehicleStatus Status;
    /// <summary>True when <see cref="Driver"/> was present.</summary>
    public bool HasDriver;
    /// <summary>Driver details (direct identifiers).</summary>
    public DriverInfo Driver;
}

/// <summary>Span codec for <see cref="TelematicsEvent"/>, hand-written against <c>schemas/telematics-event.avsc</c> (pinned by <see cref="Schemas.SchemaFingerprints.TelematicsEvent"/>).</summary>
public static class TelematicsEventCodec
{
    /// <summary>
    /// Decodes a whole single-object message. Slices in <paramref name="value"/> index into <paramref name="message"/>.
    /// </summary>
    public static AvroStatus TryReadMessage(ReadOnlySpan<byte> message, out TelematicsEvent value)
    {
        value = default;
        AvroStatus s = SingleObjectEncoding.TryReadHeader(message, out ulong fingerprint);
        if (s != AvroStatus.Ok) return s;
        if (fingerprint != Schemas.SchemaFingerprints.TelematicsEvent) return AvroStatus.UnknownFingerprint;
        var reader = new AvroReader(message) { Position = SingleObjectEncoding.HeaderLength };
        s = TryReadBody(ref reader, out value);
        return s != AvroStatus.Ok ? s : reader.ExpectEnd();
    }

    /// <summary>
    /// Decodes a whole single-object message written with the current schema or any schema in
    /// <paramref name="writers"/>: an earlier schema's body is transcoded into <paramref name="scratch"/> first.
    /// Slices in <paramref name="value"/> index into <paramref name="source"/> (the message, or the scratch).
    /// </summary>
    public static AvroStatus TryReadMessage(ReadOnlySpan<byte> message, WriterSchemaSet writers, Span<byte> scratch, out TelematicsEvent value, out ReadOnlySpan<byte> source)
    {
        ArgumentNullException.ThrowIfNull(writers);
        value = default;
        AvroStatus s = writers.TryResolveMessage(message, scratch, out source, out int bodyStart);
        if (s != AvroStatus.Ok) return s;
        var reader = new AvroReader(source) { Position = bodyStart };
        s = TryReadBody(ref reader, out value);
        return s != AvroStatus.Ok ? s : reader.ExpectEnd();
    }

    /// <summary>Decodes the record body at the reader's position. Slices index into the reader's buffer.</summary>
    public static AvroStatus TryReadBody(ref AvroReader reader, out TelematicsEvent value)
    {
        value = default;
        AvroStatus s;
        if ((s = reader.TryReadString(out value.EventId, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadString(out value.Vin, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadString(out value.DeviceId, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        if ((s = reader.TryReadLong(out value.EventTime)) != AvroStatus.Ok) return s;

        if ((s = reader.TryReadUnionIndex(2, out int branch)) != AvroStatus.Ok) return s;
        if (branch == 1)
        {
            value.HasLocation = true;
            if ((s = GeoLocation.TryRead(ref reader, out value.Location)) != AvroStatus.Ok) return s;
        }

        if ((s = reader.TryReadUnionIndex(2, out branch)) != AvroStatus.Ok) return s;
        if (branch == 1)
        {
            value.HasStatus = true;
            ref VehicleStatus st = ref value.Status;
            if ((s = NullableReads.TryReadDouble(ref reader, out st.OdometerKm)) != AvroStatus.Ok) return s;
            if ((s = NullableReads.TryReadFloat(ref reader, out st.FuelLevelPct)) != AvroStatus.Ok) return s;
            if ((s = NullableReads.TryReadFloat(ref reader, out st.BatteryVoltage)) != AvroStatus.Ok) return s;
            if ((s = NullableReads.TryReadBoolean(ref reader, out st.EngineOn)) != AvroStatus.Ok) return s;
            if ((s = reader.TryReadStringArray(out st.DtcCodes, RecordLimits.MaxDtcCodes, RecordLimits.MaxTextLength)) != AvroStatus.Ok) return s;
        }
        else
        {
            value.Status.DtcCodes = StringArraySlice.Empty;
        }

        if ((s = reader.TryReadUnionIndex(2, out branch)) != AvroStatus.Ok) return s;
        if (branch == 1)
        {
            value.HasDriver = true;
            ref DriverInfo d = ref value.Driver;
            if ((s = NullableReads.TryReadString(ref reader, out d.Name, RecordLimits.MaxTextLength)) != AvroStatus.Ok) return s;
            if ((s = NullableReads.TryReadString(ref reader, out d.PhoneNumber, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
            if ((s = NullableReads.TryReadString(ref reader, out d.LicenseNumber, RecordLimits.MaxIdLength)) != AvroStatus.Ok) return s;
        }
        else
        {
            value.Driver = new DriverInfo { Name = Utf8Slice.Null, PhoneNumber = Utf8Slice.Null, LicenseNumber = Utf8Slice.Null };
        }

        return AvroStatus.Ok;
    }
}
