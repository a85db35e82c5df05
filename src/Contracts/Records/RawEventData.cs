using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Schemas;

namespace Sieve.Contracts.Records;

/// <summary>
/// Managed (allocating) forms of the raw-zone records, for producers that build events from objects: Ingest,
/// simulators, the CLI and tests. <see cref="ToMessage"/> writes the documented wire format.
/// </summary>
public abstract class RawRecordData
{
    /// <summary>The writer schema's fingerprint.</summary>
    protected abstract ulong Fingerprint { get; }

    /// <summary>Writes the record body (no header).</summary>
    public abstract void WriteBody(ref AvroWriter writer);

    /// <summary>The whole single-object message: header then body.</summary>
    public byte[] ToMessage()
    {
        int size = 1024;
        while (true)
        {
            byte[] buffer = new byte[size];
            var writer = new AvroWriter(buffer);
            SingleObjectEncoding.WriteHeader(ref writer, Fingerprint);
            WriteBody(ref writer);
            if (!writer.Overflowed)
            {
                return buffer.AsSpan(0, writer.Position).ToArray();
            }

            size *= 4;
            if (size > RecordLimits.MaxMessageBytes * 16)
            {
                throw new InvalidOperationException("Record too large to encode.");
            }
        }
    }
}

/// <summary>Managed <c>sieve.common.GeoLocation</c>.</summary>
public sealed record GeoLocationData(double Latitude, double Longitude, float? SpeedKph = null, float? HeadingDeg = null, float? AltitudeM = null)
{
    internal void Write(ref AvroWriter writer) =>
        new GeoLocation { Latitude = Latitude, Longitude = Longitude, SpeedKph = SpeedKph, HeadingDeg = HeadingDeg, AltitudeM = AltitudeM }.Write(ref writer);
}

/// <summary>Managed <c>sieve.raw.VehicleStatus</c>.</summary>
public sealed record VehicleStatusData(double? OdometerKm = null, float? FuelLevelPct = null, float? BatteryVoltage = null, bool? EngineOn = null, IReadOnlyList<string>? DtcCodes = null);

/// <summary>Managed <c>sieve.raw.Driver</c>.</summary>
public sealed record DriverData(string? Name = null, string? PhoneNumber = null, string? LicenseNumber = null);

/// <summary>Managed <c>sieve.raw.TelematicsEvent</c>.</summary>
public sealed class TelematicsEventData : RawRecordData
{
    /// <summary>Device record id.</summary>
    public required string EventId { get; init; }
    /// <summary>VIN (direct).</summary>
    public required string Vin { get; init; }
    /// <summary>IMEI (direct).</summary>
    public required string DeviceId { get; init; }
    /// <summary>Unix milliseconds.</summary>
    public long EventTime { get; init; }
    /// <summary>GPS fix, if any.</summary>
    public GeoLocationData? Location { get; init; }
    /// <summary>Status signals, if any.</summary>
    public VehicleStatusData? Status { get; init; }
    /// <summary>Driver details, if any.</summary>
    public DriverData? Driver { get; init; }

    /// <inheritdoc />
    protected override ulong Fingerprint => SchemaFingerprints.TelematicsEvent;

    /// <inheritdoc />
    public override void WriteBody(ref AvroWriter writer)
    {
        writer.WriteString(EventId);
        writer.WriteString(Vin);
        writer.WriteString(DeviceId);
        writer.WriteLong(EventTime);
        if (Location is null) writer.WriteUnionIndex(0);
        else { writer.WriteUnionIndex(1); Location.Write(ref writer); }

        if (Status is null) writer.WriteUnionIndex(0);
        else
        {
            writer.WriteUnionIndex(1);
            NullableWrites.WriteDouble(ref writer, Status.OdometerKm);
            NullableWrites.WriteFloat(ref writer, Status.FuelLevelPct);
            NullableWrites.WriteFloat(ref writer, Status.BatteryVoltage);
            NullableWrites.WriteBoolean(ref writer, Status.EngineOn);
            NullableWrites.WriteStringArray(ref writer, Status.DtcCodes ?? []);
        }

        if (Driver is null) writer.WriteUnionIndex(0);
        else
        {
            writer.WriteUnionIndex(1);
            NullableWrites.WriteString(ref writer, Driver.Name);
            NullableWrites.WriteString(ref writer, Driver.PhoneNumber);
            NullableWrites.WriteString(ref writer, Driver.LicenseNumber);
        }
    }
}

/// <summary>Managed <c>sieve.raw.WifiEvent</c>.</summary>
public sealed class WifiEventData : RawRecordData
{
    /// <summary>Gateway record id.</summary>
    public required string EventId { get; init; }
    /// <summary>Dealer gateway.</summary>
    public required string GatewayId { get; init; }
    /// <summary>Dealer outlet.</summary>
    public required string OutletId { get; init; }
    /// <summary>Unix milliseconds.</summary>
    public long EventTime { get; init; }
    /// <summary>Client MAC (direct).</summary>
    public required string ClientMac { get; init; }
    /// <summary>Portal-login phone number (direct).</summary>
    public string? PhoneNumber { get; init; }
    /// <summary>Device id (direct).</summary>
    public string? DeviceId { get; init; }
    /// <summary>Where the client was seen.</summary>
    public GeoLocationData? Location { get; init; }
    /// <summary>Signal strength, dBm.</summary>
    public int? Rssi { get; init; }
    /// <summary>Browsing records.</summary>
    public IReadOnlyList<string> VisitedDomains { get; init; } = [];
    /// <summary>Dwell time, seconds.</summary>
    public int? DwellSeconds { get; init; }

    /// <inheritdoc />
    protected override ulong Fingerprint => SchemaFingerprints.WifiEvent;

    /// <inheritdoc />
    public override void WriteBody(ref AvroWriter writer)
    {
        writer.WriteString(EventId);
        writer.WriteString(GatewayId);
        writer.WriteString(OutletId);
        writer.WriteLong(EventTime);
        writer.WriteString(ClientMac);
        NullableWrites.WriteString(ref writer, PhoneNumber);
        NullableWrites.WriteString(ref writer, DeviceId);
        if (Location is null) writer.WriteUnionIndex(0);
        else { writer.WriteUnionIndex(1); Location.Write(ref writer); }

        NullableWrites.WriteInt(ref writer, Rssi);
        NullableWrites.WriteStringArray(ref writer, VisitedDomains);
        NullableWrites.WriteInt(ref writer, DwellSeconds);
    }
}

/// <summary>Managed <c>sieve.consent.ConsentChange</c>.</summary>
public sealed class ConsentChangeData : RawRecordData
{
    /// <summary>Kind of identifier.</summary>
    public SubjectType SubjectType { get; init; }
    /// <summary>Raw identifier (direct).</summary>
    public required string SubjectId { get; init; }
    /// <summary>Purpose name.</summary>
    public required string Purpose { get; init; }
    /// <summary>Grant (true) or withdrawal (false).</summary>
    public bool Granted { get; init; }
    /// <summary>Unix milliseconds.</summary>
    public long EffectiveTime { get; init; }
    /// <summary>Privacy-policy version.</summary>
    public string PolicyVersion { get; init; } = "";
    /// <summary>Subject is under 18.</summary>
    public bool Minor { get; init; }
    /// <summary>When the grant lapses (exclusive), Unix milliseconds; null for none.</summary>
    public long? ExpiresAt { get; init; }

    /// <inheritdoc />
    protected override ulong Fingerprint => SchemaFingerprints.ConsentChange;

    /// <summary>
    /// The message key on <c>consent.changes.v1</c>: <c>TYPE/subjectId/purpose</c> (e.g. <c>VIN/LSV.../positioning</c>).
    /// The topic is compacted, so the key must keep one decision per subject and purpose; a key of the subject alone
    /// would let a later decision for one purpose erase the earlier decision for another.
    /// </summary>
    public byte[] MessageKey() => MessageKey(SubjectType, SubjectId, Purpose);

    /// <summary>The message key on <c>consent.changes.v1</c> of a decision by the subject for <paramref name="purpose"/> (see <see cref="MessageKey()"/>).</summary>
    public static byte[] MessageKey(SubjectType subjectType, string subjectId, string purpose) =>
        System.Text.Encoding.UTF8.GetBytes(SubjectTypeNames.Of(subjectType) + "/" + subjectId + "/" + purpose);

    /// <inheritdoc />
    public override void WriteBody(ref AvroWriter writer)
    {
        writer.WriteLong((int)SubjectType);
        writer.WriteString(SubjectId);
        writer.WriteString(Purpose);
        writer.WriteBoolean(Granted);
        writer.WriteLong(EffectiveTime);
        writer.WriteString(PolicyVersion);
        writer.WriteBoolean(Minor);
        NullableWrites.WriteLong(ref writer, ExpiresAt);
    }
}
