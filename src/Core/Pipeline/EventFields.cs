using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;
using Sieve.Core.Policy;

namespace Sieve.Core.Pipeline;

/// <summary>
/// The non-identifying fields of either raw event kind, in one shape, so one output encoder serves both.
/// Slices index into the message the event was decoded from.
/// </summary>
internal struct EventFields
{
    public InputKind Kind;
    public long EventTime;
    public bool HasLocation;
    public GeoLocation Location;
    public double? OdometerKm;
    public float? FuelLevelPct;
    public float? BatteryVoltage;
    public bool? EngineOn;
    public StringArraySlice DtcCodes;
    public Utf8Slice OutletId;
    public int? Rssi;
    public int? DwellSeconds;
    public StringArraySlice VisitedDomains;

    public static EventFields From(in TelematicsEvent e) => new()
    {
        Kind = InputKind.Telematics,
        EventTime = e.EventTime,
        HasLocation = e.HasLocation,
        Location = e.Location,
        OdometerKm = e.HasStatus ? e.Status.OdometerKm : null,
        FuelLevelPct = e.HasStatus ? e.Status.FuelLevelPct : null,
        BatteryVoltage = e.HasStatus ? e.Status.BatteryVoltage : null,
        EngineOn = e.HasStatus ? e.Status.EngineOn : null,
        DtcCodes = e.HasStatus ? e.Status.DtcCodes : StringArraySlice.Empty,
        OutletId = Utf8Slice.Null,
        VisitedDomains = StringArraySlice.Empty,
    };

    public static EventFields From(in WifiEvent e) => new()
    {
        Kind = InputKind.Wifi,
        EventTime = e.EventTime,
        HasLocation = e.HasLocation,
        Location = e.Location,
        DtcCodes = StringArraySlice.Empty,
        OutletId = e.OutletId,
        Rssi = e.Rssi,
        DwellSeconds = e.DwellSeconds,
        VisitedDomains = e.VisitedDomains,
    };
}
