using System.Runtime.CompilerServices;
using Sieve.Contracts.Avro;
using Sieve.Core.Generalization;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Core.Output;

/// <summary>
/// Writes one purpose's minimized record by running the purpose's <see cref="RecordProgram"/> (its compiled slots,
/// in output-schema order). Because the slots are compiled from the output .avsc at start-up, the encoder cannot
/// drift from the schema. Allocates nothing: values come from the decoded event's fields and the source message span.
/// </summary>
internal static class OutputRecordEncoder
{
    /// <summary>Most distinct interest categories written for one event.</summary>
    public const int MaxInterests = 32;

    /// <summary>
    /// The event's distinct interest categories in first-seen order (at most <see cref="MaxInterests"/>), written to
    /// <paramref name="categories"/>; returns how many. Domains themselves never leave.
    /// </summary>
    public static int CollectInterests(in EventFields f, ReadOnlySpan<byte> source, InterestCategoryMap interests, Span<int> categories)
    {
        int count = 0;
        if (f.VisitedDomains.Count == 0)
        {
            return 0;
        }

        foreach (ReadOnlySpan<byte> domain in f.VisitedDomains.Enumerate(source))
        {
            int category = interests.Lookup(domain);
            if (category >= 0 && count < MaxInterests && !categories[..count].Contains(category))
            {
                categories[count++] = category;
            }
        }

        return count;
    }

    /// <summary>
    /// Encodes the record (single-object header and body) into <paramref name="destination"/>. Returns the bytes
    /// written, or -1 when <paramref name="destination"/> is too small.
    /// </summary>
    /// <param name="program">The purpose's record for the event's input kind.</param>
    /// <param name="f">The event's fields; slices index into <paramref name="source"/>.</param>
    /// <param name="present">The event's <see cref="EventPresence"/> bits.</param>
    /// <param name="categories">The event's interest categories (<see cref="CollectInterests"/>), when the program uses them.</param>
    /// <param name="source">The raw message the event was decoded from.</param>
    /// <param name="pseudonym">The subject's 32-byte pseudonym for this purpose.</param>
    /// <param name="keyId">UTF-8 key id that made the pseudonym.</param>
    /// <param name="interests">Domain to category map.</param>
    /// <param name="destination">Where to write.</param>
    public static int Encode(RecordProgram program, in EventFields f, uint present, ReadOnlySpan<int> categories, ReadOnlySpan<byte> source,
        ReadOnlySpan<byte> pseudonym, ReadOnlySpan<byte> keyId, InterestCategoryMap interests, Span<byte> destination)
    {
        var w = new AvroWriter(destination);
        SingleObjectEncoding.WriteHeader(ref w, program.Fingerprint);
        ReadOnlySpan<SlotStep> steps = program.Steps;
        for (int i = 0; i < steps.Length; i++)
        {
            ref readonly SlotStep step = ref steps[i];
            switch (step.Kind)
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
                    WriteDtcCodes(ref w, step.Transform, f, source);
                    continue;
                case SlotKind.Interests:
                    WriteInterests(ref w, step.Transform, categories, interests);
                    continue;
            }

            if (step.Nullable)
            {
                bool has = step.Filled && (present & step.Bit) != 0;
                w.WriteUnionIndex(has ? 1 : 0);
                if (!has)
                {
                    continue;
                }
            }

            WriteValue(ref w, step, f, source);
        }

        return w.Overflowed ? -1 : w.Position;
    }

    private static void WriteValue(ref AvroWriter w, in SlotStep step, in EventFields f, ReadOnlySpan<byte> source)
    {
        switch (step.Kind)
        {
            case SlotKind.EventTime:
            case SlotKind.TimeBucket:
                w.WriteLong(step.Transform == TransformKind.BucketTime ? TimeBuckets.Floor(f.EventTime, step.BucketMillis) : f.EventTime);
                break;
            case SlotKind.Latitude:
                w.WriteDouble(Number(f.Location.Latitude, step));
                break;
            case SlotKind.Longitude:
                w.WriteDouble(Number(f.Location.Longitude, step));
                break;
            case SlotKind.SpeedKph:
                w.WriteFloat(Number(f.Location.SpeedKph.GetValueOrDefault(), step));
                break;
            case SlotKind.HeadingDeg:
                w.WriteFloat(Number(f.Location.HeadingDeg.GetValueOrDefault(), step));
                break;
            case SlotKind.AltitudeM:
                w.WriteFloat(Number(f.Location.AltitudeM.GetValueOrDefault(), step));
                break;
            case SlotKind.Geohash:
                WriteGeohash(ref w, step.Precision, f);
                break;
            case SlotKind.OdometerKm:
                w.WriteDouble(Number(f.OdometerKm.GetValueOrDefault(), step));
                break;
            case SlotKind.FuelLevelPct:
                w.WriteFloat(Number(f.FuelLevelPct.GetValueOrDefault(), step));
                break;
            case SlotKind.BatteryVoltage:
                w.WriteFloat(Number(f.BatteryVoltage.GetValueOrDefault(), step));
                break;
            case SlotKind.EngineOn:
                w.WriteBoolean(f.EngineOn.GetValueOrDefault());
                break;
            case SlotKind.OutletId:
                w.WriteString(f.OutletId.Of(source));
                break;
            case SlotKind.Rssi:
                w.WriteInt((int)Number(f.Rssi.GetValueOrDefault(), step));
                break;
            case SlotKind.DwellSeconds:
                w.WriteInt((int)Number(f.DwellSeconds.GetValueOrDefault(), step));
                break;
        }
    }

    // Out of line, so that only records with a geohash pay for the stack buffer.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WriteGeohash(ref AvroWriter w, int precision, in EventFields f)
    {
        Span<byte> hash = stackalloc byte[Geohash.MaxPrecision];
        int n = Geohash.Encode(f.Location.Latitude, f.Location.Longitude, precision, hash);
        w.WriteString(hash[..n]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Number(double value, in SlotStep step) => step.Transform == TransformKind.Round ? Rounding.ToStep(value, step.Step) : value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Number(float value, in SlotStep step) => step.Transform == TransformKind.Round ? (float)Rounding.ToStep(value, step.Step) : value;

    private static void WriteDtcCodes(ref AvroWriter w, TransformKind transform, in EventFields f, ReadOnlySpan<byte> source)
    {
        if (transform == TransformKind.Pass && f.DtcCodes.Count > 0)
        {
            w.WriteLong(f.DtcCodes.Count);
            foreach (ReadOnlySpan<byte> code in f.DtcCodes.Enumerate(source))
            {
                w.WriteString(code);
            }
        }

        w.WriteLong(0);
    }

    private static void WriteInterests(ref AvroWriter w, TransformKind transform, ReadOnlySpan<int> categories, InterestCategoryMap interests)
    {
        if (transform == TransformKind.InterestCategories && categories.Length > 0)
        {
            w.WriteLong(categories.Length);
            foreach (int category in categories)
            {
                w.WriteString(interests.CategoryUtf8(category));
            }
        }

        w.WriteLong(0);
    }
}
