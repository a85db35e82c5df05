using Sieve.Contracts.Avro;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Tests.Output;

/// <summary>
/// A <see cref="RecordProgram"/> decides applicability with two mask tests over <see cref="EventPresence"/> bits.
/// These tests hold it to the rule stated over the slots (every non-nullable scalar slot filled, at least one data
/// slot with a value) for every purpose of the default policy, both input kinds and every combination of values.
/// </summary>
public class RecordProgramTests
{
    private const int Combinations = 1 << 13;

    [Fact]
    public void Applicability_from_masks_matches_the_slot_rule_for_every_combination_of_values()
    {
        CompiledPolicy policy = PolicyLoader.LoadDefault();
        int applicable = 0, notApplicable = 0;
        foreach (PurposePlan plan in policy.Purposes)
        {
            foreach (InputKind kind in (ReadOnlySpan<InputKind>)[InputKind.Telematics, InputKind.Wifi])
            {
                var program = new RecordProgram(plan, kind);
                for (int combination = 0; combination < Combinations; combination++)
                {
                    EventFields fields = Fields(kind, combination, out bool anyInterest);
                    uint present = EventPresence.Of(fields) | (anyInterest ? EventPresence.Interests : 0);
                    bool expected = SlotRule(plan, fields, anyInterest);
                    Assert.True(expected == program.IsApplicable(present), $"{plan.Name}/{kind}/{combination}: expected {expected}");
                    if (expected)
                    {
                        applicable++;
                    }
                    else
                    {
                        notApplicable++;
                    }
                }
            }
        }

        // Both answers occur, so the comparison means something.
        Assert.True(applicable > 1000 && notApplicable > 1000, $"{applicable} applicable, {notApplicable} not");
    }

    [Fact]
    public void The_record_timestamp_follows_the_first_time_slot()
    {
        CompiledPolicy policy = PolicyLoader.LoadDefault();
        foreach (PurposePlan plan in policy.Purposes)
        {
            foreach (InputKind kind in (ReadOnlySpan<InputKind>)[InputKind.Telematics, InputKind.Wifi])
            {
                long expected = RecordProgram.DefaultTimestampBucketMillis;
                foreach (OutputSlot slot in plan.Slots)
                {
                    if (slot.Kind is SlotKind.EventTime or SlotKind.TimeBucket)
                    {
                        FieldTransform t = slot.From(kind);
                        expected = t.Kind == TransformKind.BucketTime ? t.BucketMillis : 0;
                        break;
                    }
                }

                Assert.Equal(expected, new RecordProgram(plan, kind).TimestampBucketMillis);
            }
        }
    }

    private static EventFields Fields(InputKind kind, int c, out bool anyInterest)
    {
        bool Bit(int i) => (c & (1 << i)) != 0;
        anyInterest = Bit(12);
        return new EventFields
        {
            Kind = kind,
            EventTime = 1_764_050_400_123,
            HasLocation = Bit(0),
            Location = new() { Latitude = 31.23, Longitude = 121.47, SpeedKph = Bit(1) ? 42f : null, HeadingDeg = Bit(2) ? 90f : null, AltitudeM = Bit(3) ? 12f : null },
            OdometerKm = Bit(4) ? 12_345.6 : null,
            FuelLevelPct = Bit(5) ? 57.3f : null,
            BatteryVoltage = Bit(6) ? 12.7f : null,
            EngineOn = Bit(7) ? true : null,
            DtcCodes = Bit(8) ? new StringArraySlice(0, 1) : StringArraySlice.Empty,
            OutletId = Bit(9) ? new Utf8Slice(0, 4) : Utf8Slice.Null,
            Rssi = Bit(10) ? -60 : null,
            DwellSeconds = Bit(11) ? 300 : null,
            VisitedDomains = anyInterest ? new StringArraySlice(0, 1) : StringArraySlice.Empty,
        };
    }

    /// <summary>The applicability rule as it reads over the slots.</summary>
    private static bool SlotRule(PurposePlan plan, in EventFields f, bool anyInterest)
    {
        bool any = false;
        foreach (OutputSlot slot in plan.Slots)
        {
            if (slot.IsIdentity)
            {
                continue;
            }

            FieldTransform t = slot.From(f.Kind);
            bool has = t.Kind != TransformKind.None && HasValue(slot.Kind, t, f, anyInterest);
            if (!has && !slot.Nullable && slot.Kind is not (SlotKind.DtcCodes or SlotKind.Interests))
            {
                return false;
            }

            any |= has && slot.Kind is not (SlotKind.EventTime or SlotKind.TimeBucket);
        }

        return any;
    }

    private static bool HasValue(SlotKind kind, FieldTransform t, in EventFields f, bool anyInterest) => kind switch
    {
        SlotKind.EventTime or SlotKind.TimeBucket => true,
        SlotKind.Latitude or SlotKind.Longitude or SlotKind.Geohash => f.HasLocation,
        SlotKind.SpeedKph => f.HasLocation && f.Location.SpeedKph.HasValue,
        SlotKind.HeadingDeg => f.HasLocation && f.Location.HeadingDeg.HasValue,
        SlotKind.AltitudeM => f.HasLocation && f.Location.AltitudeM.HasValue,
        SlotKind.OdometerKm => f.OdometerKm.HasValue,
        SlotKind.FuelLevelPct => f.FuelLevelPct.HasValue,
        SlotKind.BatteryVoltage => f.BatteryVoltage.HasValue,
        SlotKind.EngineOn => f.EngineOn.HasValue,
        SlotKind.OutletId => !f.OutletId.IsNull,
        SlotKind.Rssi => f.Rssi.HasValue,
        SlotKind.DwellSeconds => f.DwellSeconds.HasValue,
        SlotKind.DtcCodes => f.DtcCodes.Count > 0,
        SlotKind.Interests => t.Kind == TransformKind.InterestCategories && anyInterest,
        _ => false,
    };
}
