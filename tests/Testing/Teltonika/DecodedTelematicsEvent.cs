using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;

namespace Sieve.Testing.Teltonika;

/// <summary>A raw telematics message decoded with <see cref="TelematicsEventCodec"/> into plain values for assertions.</summary>
internal sealed record DecodedTelematicsEvent(
    string EventId,
    string Vin,
    string DeviceId,
    long EventTime,
    (double Lat, double Lon, float? Speed, float? Heading, float? Altitude)? Location,
    (double? OdometerKm, float? FuelPct, float? Voltage, bool? EngineOn, string[] Dtcs)? Status)
{
    /// <summary>Every value in one string, so two decodings can be compared whole (arrays included).</summary>
    public string Canonical() => string.Join("|", EventId, Vin, DeviceId, EventTime, Location?.ToString() ?? "-",
        Status is { } s ? string.Join(",", s.OdometerKm, s.FuelPct, s.Voltage, s.EngineOn, string.Join(";", s.Dtcs)) : "-");

    public static DecodedTelematicsEvent Decode(byte[] value)
    {
        AvroStatus status = TelematicsEventCodec.TryReadMessage(value, out TelematicsEvent e);
        Assert.Equal(AvroStatus.Ok, status);
        var dtcs = new List<string>();
        if (e.HasStatus)
        {
            foreach (ReadOnlySpan<byte> code in e.Status.DtcCodes.Enumerate(value))
            {
                dtcs.Add(System.Text.Encoding.UTF8.GetString(code));
            }
        }

        return new DecodedTelematicsEvent(
            e.EventId.ToString(value)!,
            e.Vin.ToString(value)!,
            e.DeviceId.ToString(value)!,
            e.EventTime,
            e.HasLocation ? (e.Location.Latitude, e.Location.Longitude, e.Location.SpeedKph, e.Location.HeadingDeg, e.Location.AltitudeM) : null,
            e.HasStatus ? (e.Status.OdometerKm, e.Status.FuelLevelPct, e.Status.BatteryVoltage, e.Status.EngineOn, dtcs.ToArray()) : null);
    }
}
