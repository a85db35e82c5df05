using Sieve.Contracts.Avro;
using Sieve.Minimizer.Generalization;
using Sieve.Minimizer.Pipeline;
using Sieve.Minimizer.Policy;

namespace Sieve.Minimizer.Output;

/// <summary>
/// Writes one purpose's minimized record by interpreting the purpose's compiled slots in output-schema order.
/// Because the slot list is compiled from the output .avsc at start-up, the encoder cannot drift from the schema.
/// Allocates nothing: values come from the decoded event's fields and the source message span.
/// </summary>
internal static class OutputRecordEncoder
{
    /// <summary>Most distinct interest categories written for one event.</summary>
    private const int MaxInterests = 32;

    /// <summary>
    /// True when the event has something for this purpose: every non-nullable data field can be filled and at
    /// least one data field has a value. Otherwise the purpose's outcome is <see cref="Outcome.WithheldNotApplicable"/>.
    /// </summary>
    public static bool IsApplicable(PurposePlan plan, in EventFields f, ReadOnlySpan<byte> source, InterestCategoryMap interests)
    {
        bool any = false;
        IReadOnlyList<OutputSlot> slots = plan.Slots;
        for (int i = 0; i < slots.Count; i++)
        {
            OutputSlot slot = slots[i];
            if (slot.IsIdentity)
            {
                continue;
            }

            FieldTransform t = slot.From(f.Kind);
            bool has = t.Kind != TransformKind.None && HasValue(slot.Kind, t, f, source, interests);
            if (!has && !slot.Nullable && !IsArray(slot.Kind))
            {
                return false;
            }

            any |= has && slot.Kind is not (SlotKind.EventTime or SlotKind.TimeBucket);
        }

        return any;
    }

    /// <summary>
    /// Encodes the record (single-object header and body) into <paramref name="destination"/>. Returns the bytes
    /// written, or -1 when <paramref name="destination"/> is too small.
    /// </summary>
    /// <param name="plan">The purpose.</param>
    /// <param name="f">The event's fields; slices index into <paramref name="source"/>.</param>
    /// <param name="source">The raw message the event was decoded from.</param>
    /// <param name="pseudonym">The subject's 32-byte pseudonym for this purpose.</param>
    /// <param name="keyId">UTF-8 key id that made the pseudonym.</param>
    /// <param name="interests">Domain to category map.</param>
    /// <param name="destination">Where to write.</param>
    public static int Encode(PurposePlan plan, in EventFields f, ReadOnlySpan<byte> source, ReadOnlySpan<byte> pseudonym,
        ReadOnlySpan<byte> keyId, InterestCategoryMap interests, Span<byte> destination)
    {
        var w = new AvroWriter(destination);
        SingleObjectEncoding.WriteHeader(ref w, plan.OutputSchema.Fingerprint);
        IReadOnlyList<OutputSlot> slots = plan.Slots;
        for (int i = 0; i < slots.Count; i++)
        {
            OutputSlot slot = slots[i];
            FieldTransform t = slot.From(f.Kind);
            switch (slot.Kind)
            {
                case SlotKind.Subject:
                    w.WriteString(pseudonym);
                    continue;
                case SlotKind.KeyId:
                    w.WriteString(keyId);
                    continue;
                case SlotKind.Source:
                    w.WriteLong((int)f.Kind);
                    continue;
                case SlotKind.DtcCodes:
                    WriteDtcCodes(ref w, t, f, source);
                    continue;
                case SlotKind.Interests:
                    WriteInterests(ref w, t, f, source, interests);
                    continue;
            }

            bool has = t.Kind != TransformKind.None && HasValue(slot.Kind, t, f, source, interests);
            if (slot.Nullable)
            {
                w.WriteUnionIndex(has ? 1 : 0);
                if (!has)
                {
                    continue;
                }
            }

            WriteValue(ref w, slot.Kind, t, f, source);
        }

        return w.Overflowed ? -1 : w.Position;
    }

    private static bool IsArray(SlotKind kind) => kind is SlotKind.DtcCodes or SlotKind.Interests;

    private static bool HasValue(SlotKind kind, FieldTransform t, in EventFields f, ReadOnlySpan<byte> source, InterestCategoryMap interests) => kind switch
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
        SlotKind.Interests => HasAnyInterest(t, f, source, interests),
        _ => false,
    };

    private static void WriteValue(ref AvroWriter w, SlotKind kind, FieldTransform t, in EventFields f, ReadOnlySpan<byte> source)
    {
        switch (kind)
        {
            case SlotKind.EventTime:
                w.WriteLong(t.Kind == TransformKind.BucketTime ? TimeBuckets.Floor(f.EventTime, t.BucketMillis) : f.EventTime);
                break;
            case SlotKind.TimeBucket:
                w.WriteLong(t.Kind == TransformKind.BucketTime ? TimeBuckets.Floor(f.EventTime, t.BucketMillis) : f.EventTime);
                break;
            case SlotKind.Latitude:
                w.WriteDouble(Number(f.Location.Latitude, t));
                break;
            case SlotKind.Longitude:
                w.WriteDouble(Number(f.Location.Longitude, t));
                break;
            case SlotKind.SpeedKph:
                w.WriteFloat(Number(f.Location.SpeedKph.GetValueOrDefault(), t));
                break;
            case SlotKind.HeadingDeg:
                w.WriteFloat(Number(f.Location.HeadingDeg.GetValueOrDefault(), t));
                break;
            case SlotKind.AltitudeM:
                w.WriteFloat(Number(f.Location.AltitudeM.GetValueOrDefault(), t));
                break;
            case SlotKind.Geohash:
                Span<byte> hash = stackalloc byte[12];
                int n = Geohash.Encode(f.Location.Latitude, f.Location.Longitude, t.Precision, hash);
                w.WriteString(hash[..n]);
                break;
            case SlotKind.OdometerKm:
                w.WriteDouble(Number(f.OdometerKm.GetValueOrDefault(), t));
                break;
            case SlotKind.FuelLevelPct:
                w.WriteFloat(Number(f.FuelLevelPct.GetValueOrDefault(), t));
                break;
            case SlotKind.BatteryVoltage:
                w.WriteFloat(Number(f.BatteryVoltage.GetValueOrDefault(), t));
                break;
            case SlotKind.EngineOn:
                w.WriteBoolean(f.EngineOn.GetValueOrDefault());
                break;
            case SlotKind.OutletId:
                w.WriteString(f.OutletId.Of(source));
                break;
            case SlotKind.Rssi:
                w.WriteInt((int)Number(f.Rssi.GetValueOrDefault(), t));
                break;
            case SlotKind.DwellSeconds:
                w.WriteInt((int)Number(f.DwellSeconds.GetValueOrDefault(), t));
                break;
        }
    }

    private static double Number(double value, FieldTransform t) => t.Kind == TransformKind.Round ? Rounding.ToStep(value, t.Step) : value;

    private static float Number(float value, FieldTransform t) => t.Kind == TransformKind.Round ? (float)Rounding.ToStep(value, t.Step) : value;

    private static void WriteDtcCodes(ref AvroWriter w, FieldTransform t, in EventFields f, ReadOnlySpan<byte> source)
    {
        if (t.Kind == TransformKind.Pass && f.DtcCodes.Count > 0)
        {
            w.WriteLong(f.DtcCodes.Count);
            foreach (ReadOnlySpan<byte> code in f.DtcCodes.Enumerate(source))
            {
                w.WriteString(code);
            }
        }

        w.WriteLong(0);
    }

    private static bool HasAnyInterest(FieldTransform t, in EventFields f, ReadOnlySpan<byte> source, InterestCategoryMap interests)
    {
        if (t.Kind != TransformKind.InterestCategories)
        {
            return false;
        }

        foreach (ReadOnlySpan<byte> domain in f.VisitedDomains.Enumerate(source))
        {
            if (interests.Lookup(domain) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteInterests(ref AvroWriter w, FieldTransform t, in EventFields f, ReadOnlySpan<byte> source, InterestCategoryMap interests)
    {
        if (t.Kind == TransformKind.InterestCategories && f.VisitedDomains.Count > 0)
        {
            // Distinct categories in first-seen order; domains themselves never leave.
            Span<int> seen = stackalloc int[MaxInterests];
            int count = 0;
            foreach (ReadOnlySpan<byte> domain in f.VisitedDomains.Enumerate(source))
            {
                int category = interests.Lookup(domain);
                if (category >= 0 && count < MaxInterests && !seen[..count].Contains(category))
                {
                    seen[count++] = category;
                }
            }

            if (count > 0)
            {
                w.WriteLong(count);
                for (int i = 0; i < count; i++)
                {
                    w.WriteString(interests.CategoryUtf8(seen[i]));
                }
            }
        }

        w.WriteLong(0);
    }
}
