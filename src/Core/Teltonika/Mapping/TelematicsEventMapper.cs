using System.Buffers.Binary;
using System.Text;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Core.Teltonika.Protocol;

namespace Sieve.Core.Teltonika.Mapping;

/// <summary>
/// Turns the records of one unit's packets into raw <c>TelematicsEvent</c> messages, keyed by VIN, else by the unit's
/// IMEI. One instance per connection (it remembers the VIN the unit reported and holds a non-thread-safe key).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>eventId</b>: HMAC-SHA256 under the <see cref="TeltonikaEventIds"/> key of the IMEI, timestamp, priority,
/// longitude, latitude and event IO id, truncated to 160 bits and base32-spelled (32 characters). A resent record
/// gets the same eventId; without the key nothing about the IMEI can be learned from it. The event IO id is part of
/// the identity so two different events a unit logs in the same millisecond at the same place stay apart.</item>
/// <item><b>vin</b>: the record's own VIN element (IO 256) when valid; else the last valid VIN the unit reported on
/// this connection (a VIN anywhere in a packet applies to all of its records); else the registry's VIN; else empty.
/// A record with an empty VIN is still published (and so acknowledged): nothing a unit sent is lost, and the
/// Minimizer quarantines it visibly as having no valid subject identifier. Its Kafka key is the IMEI (the device id,
/// as ASCII digits), so one unit's VIN-less records stay in one partition, in order.</item>
/// <item><b>location</b>: only for a valid fix: at least one satellite, not both coordinates zero, within range.</item>
/// <item><b>status</b>: ignition (239) → engineOn, external voltage (66, mV) → batteryVoltage (V), total odometer
/// (16, m) → odometerKm, fuel level % from CAN (89) or else OBD (48) when 0..100, DTCs from Fault Codes (281).
/// The DTC count (30) is not mapped: the schema holds codes, not counts. No status when none of these is present.</item>
/// </list>
/// </remarks>
internal sealed class TelematicsEventMapper : IDisposable
{
    /// <summary>IMEI, timestamp, priority, longitude, latitude, event IO id.</summary>
    private const int IdentityLength = ImeiHandshake.ImeiLength + 8 + 1 + 4 + 4 + 2;

    /// <summary>Longest VIN element value looked at; a VIN is 17 characters, padding aside.</summary>
    private const int MaxVinElementLength = 64;

    private readonly string _topic;
    private readonly string _imei;
    private readonly byte[] _imeiAscii;
    private readonly string? _registryVin;
    private readonly PseudonymKey _eventIdKey;
    private string? _unitVin;
    private string _keyVin = string.Empty;
    private byte[] _key = [];

    /// <summary>Creates the mapper for one connection.</summary>
    /// <param name="topic">The raw telematics topic.</param>
    /// <param name="imei">The unit's IMEI (15 ASCII digits).</param>
    /// <param name="registryVin">The registry's normalized VIN for the unit, or null.</param>
    /// <param name="eventIdKey">The connection's eventId key; owned by the mapper from now on.</param>
    public TelematicsEventMapper(string topic, string imei, string? registryVin, PseudonymKey eventIdKey)
    {
        _topic = topic;
        _imei = imei;
        _imeiAscii = Encoding.ASCII.GetBytes(imei);
        _registryVin = registryVin;
        _eventIdKey = eventIdKey;
    }

    /// <summary>The VIN the unit last reported on this connection, if any.</summary>
    public string? UnitVin => _unitVin;

    /// <summary>
    /// Appends one message per record of <paramref name="packet"/> to <paramref name="output"/>, in record order.
    /// </summary>
    /// <returns>How many of the records have no VIN.</returns>
    public int Map(in AvlPacket packet, List<RawMessage> output)
    {
        UpdateUnitVin(packet);
        int withoutVin = 0;
        foreach (ref readonly AvlRecord record in packet.Records)
        {
            string vin = RecordVin(packet, record) ?? _unitVin ?? _registryVin ?? string.Empty;
            if (vin.Length == 0)
            {
                withoutVin++;
            }

            var data = new TelematicsEventData
            {
                EventId = EventId(record),
                Vin = vin,
                DeviceId = _imei,
                EventTime = record.Timestamp,
                Location = Location(record),
                Status = Status(packet, record),
            };
            output.Add(new RawMessage(_topic, KeyFor(vin), data.ToMessage()));
        }

        return withoutVin;
    }

    /// <inheritdoc />
    public void Dispose() => _eventIdKey.Dispose();

    /// <summary>The eventId of <paramref name="record"/> sent by this connection's unit.</summary>
    internal string EventId(in AvlRecord record)
    {
        Span<byte> identity = stackalloc byte[IdentityLength];
        _imeiAscii.CopyTo(identity);
        Span<byte> rest = identity[ImeiHandshake.ImeiLength..];
        BinaryPrimitives.WriteInt64BigEndian(rest, record.Timestamp);
        rest[8] = record.Priority;
        BinaryPrimitives.WriteInt32BigEndian(rest[9..], record.Longitude);
        BinaryPrimitives.WriteInt32BigEndian(rest[13..], record.Latitude);
        BinaryPrimitives.WriteUInt16BigEndian(rest[17..], record.EventIoId);
        Span<byte> id = stackalloc byte[PseudonymKey.PseudonymLength];
        _eventIdKey.Compute(SubjectType.DeviceId, identity, id);
        return Encoding.ASCII.GetString(id);
    }

    private static GeoLocationData? Location(in AvlRecord record)
    {
        bool valid = record.Satellites > 0
            && (record.Latitude != 0 || record.Longitude != 0)
            && record.Latitude is >= -900_000_000 and <= 900_000_000
            && record.Longitude is >= -1_800_000_000 and <= 1_800_000_000;
        if (!valid)
        {
            return null;
        }

        return new GeoLocationData(
            record.LatitudeDegrees,
            record.LongitudeDegrees,
            SpeedKph: record.Speed,
            HeadingDeg: record.Angle <= 360 ? record.Angle : null,
            AltitudeM: record.Altitude);
    }

    private static VehicleStatusData? Status(in AvlPacket packet, in AvlRecord record)
    {
        double? odometerKm = null;
        float? canFuel = null;
        float? obdFuel = null;
        float? voltage = null;
        bool? engineOn = null;
        List<string>? dtcs = null;
        foreach (ref readonly AvlIoElement io in packet.IoOf(record))
        {
            if (io.IsVariable)
            {
                if (io.Id == TeltonikaIoIds.FaultCodes)
                {
                    dtcs = FaultCodeList.Parse(packet.ValueBytes(io));
                }

                continue;
            }

            switch (io.Id)
            {
                case TeltonikaIoIds.Ignition:
                    engineOn = io.UnsignedValue != 0;
                    break;
                case TeltonikaIoIds.ExternalVoltage:
                    voltage = io.UnsignedValue / 1000f;
                    break;
                case TeltonikaIoIds.TotalOdometer:
                    odometerKm = io.UnsignedValue / 1000.0;
                    break;
                case TeltonikaIoIds.CanFuelLevel when io.UnsignedValue <= 100:
                    canFuel = io.UnsignedValue;
                    break;
                case TeltonikaIoIds.ObdFuelLevel when io.UnsignedValue <= 100:
                    obdFuel = io.UnsignedValue;
                    break;
            }
        }

        float? fuel = canFuel ?? obdFuel;
        if (odometerKm is null && fuel is null && voltage is null && engineOn is null && dtcs is null)
        {
            return null;
        }

        return new VehicleStatusData(odometerKm, fuel, voltage, engineOn, dtcs);
    }

    private static string? RecordVin(in AvlPacket packet, in AvlRecord record)
    {
        foreach (ref readonly AvlIoElement io in packet.IoOf(record))
        {
            if (io.Id == TeltonikaIoIds.Vin && io.IsVariable && TryNormalizeVin(packet.ValueBytes(io), out string? vin))
            {
                return vin;
            }
        }

        return null;
    }

    private static bool TryNormalizeVin(ReadOnlySpan<byte> value, out string? vin)
    {
        vin = null;
        if (value.Length > MaxVinElementLength)
        {
            return false;
        }

        // Units pad a missing or short VIN with NULs, and report "00000000000000000" (which passes the check digit)
        // when the vehicle gave none: both mean no VIN.
        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        if (IdentifierNormalizer.TryNormalize(SubjectType.Vin, value.TrimEnd((byte)0), normalized, out int written, out _) != NormalizeStatus.Ok
            || !normalized[..written].ContainsAnyExcept((byte)'0'))
        {
            return false;
        }

        vin = Encoding.ASCII.GetString(normalized[..written]);
        return true;
    }

    private void UpdateUnitVin(in AvlPacket packet)
    {
        foreach (ref readonly AvlRecord record in packet.Records)
        {
            if (RecordVin(packet, record) is { } vin)
            {
                _unitVin = vin;
            }
        }
    }

    private byte[] KeyFor(string vin)
    {
        // Raw topics are keyed by the subject's identifier; without a VIN the unit's own identifier, its IMEI, keeps
        // the unit's records together and in order (an empty key would scatter them over partitions).
        if (vin.Length == 0)
        {
            return _imeiAscii;
        }

        // Most connections carry one vehicle: the key bytes are made once and shared by its messages.
        if (!string.Equals(vin, _keyVin, StringComparison.Ordinal))
        {
            _keyVin = vin;
            _key = Encoding.UTF8.GetBytes(vin);
        }

        return _key;
    }
}
