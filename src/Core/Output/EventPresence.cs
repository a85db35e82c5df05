using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Core.Output;

/// <summary>
/// Which output values an event can fill, as one bit per <see cref="SlotKind"/>, worked out once per event so that
/// each purpose's applicability is two mask tests and its encoding reads a bit per nullable slot.
/// </summary>
internal static class EventPresence
{
    private const uint Location = (1u << (int)SlotKind.Latitude) | (1u << (int)SlotKind.Longitude) | (1u << (int)SlotKind.Geohash);

    /// <summary>The bit of <see cref="SlotKind.Interests"/>; set by the caller once the event's categories are known.</summary>
    public const uint Interests = 1u << (int)SlotKind.Interests;

    /// <summary>
    /// The bits of every kind the event has a value for, except <see cref="SlotKind.Interests"/> (whose value needs
    /// the domain map) and the identity kinds (always filled).
    /// </summary>
    public static uint Of(in EventFields f)
    {
        uint bits = (1u << (int)SlotKind.EventTime) | (1u << (int)SlotKind.TimeBucket);
        if (f.HasLocation)
        {
            bits |= Location;
            bits |= Bit(SlotKind.SpeedKph, f.Location.SpeedKph.HasValue);
            bits |= Bit(SlotKind.HeadingDeg, f.Location.HeadingDeg.HasValue);
            bits |= Bit(SlotKind.AltitudeM, f.Location.AltitudeM.HasValue);
        }

        bits |= Bit(SlotKind.OdometerKm, f.OdometerKm.HasValue);
        bits |= Bit(SlotKind.FuelLevelPct, f.FuelLevelPct.HasValue);
        bits |= Bit(SlotKind.BatteryVoltage, f.BatteryVoltage.HasValue);
        bits |= Bit(SlotKind.EngineOn, f.EngineOn.HasValue);
        bits |= Bit(SlotKind.OutletId, !f.OutletId.IsNull);
        bits |= Bit(SlotKind.Rssi, f.Rssi.HasValue);
        bits |= Bit(SlotKind.DwellSeconds, f.DwellSeconds.HasValue);
        bits |= Bit(SlotKind.DtcCodes, f.DtcCodes.Count > 0);
        return bits;
    }

    private static uint Bit(SlotKind kind, bool present) => (present ? 1u : 0u) << (int)kind;
}
