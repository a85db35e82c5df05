using Sieve.Core.Policy;

namespace Sieve.Core.Output;

/// <summary>
/// One purpose's output record for one input kind, compiled at start-up from the purpose's slots: the slots as an
/// array of <see cref="SlotStep"/> in schema order, and the masks that decide applicability per event.
/// </summary>
internal sealed class RecordProgram
{
    private readonly SlotStep[] _steps;
    private readonly uint _required;
    private readonly uint _data;
    private readonly bool _neverApplicable;

    /// <summary>Compiles <paramref name="plan"/>'s slots as <paramref name="input"/> fills them.</summary>
    public RecordProgram(PurposePlan plan, InputKind input)
    {
        Plan = plan;
        Fingerprint = plan.OutputSchema.Fingerprint;
        IReadOnlyList<OutputSlot> slots = plan.Slots;
        _steps = new SlotStep[slots.Count];
        TimestampBucketMillis = DefaultTimestampBucketMillis;
        bool timed = false;
        for (int i = 0; i < slots.Count; i++)
        {
            OutputSlot slot = slots[i];
            var step = new SlotStep(slot, input);
            _steps[i] = step;
            if (!timed && slot.Kind is SlotKind.EventTime or SlotKind.TimeBucket)
            {
                timed = true;
                TimestampBucketMillis = step.Transform == TransformKind.BucketTime ? step.BucketMillis : 0;
            }
            if (slot.IsIdentity)
            {
                continue;
            }

            bool isArray = slot.Kind is SlotKind.DtcCodes or SlotKind.Interests;
            if (!slot.Nullable && !isArray)
            {
                // A value the record cannot go without: the event must have it, and an input that never fills it
                // never makes a record.
                _required |= step.Bit;
                _neverApplicable |= !step.Filled;
            }

            // Interests have a value only through the category transform; every other kind through any transform.
            bool canHaveValue = slot.Kind == SlotKind.Interests ? step.Transform == TransformKind.InterestCategories : step.Filled;
            if (canHaveValue && slot.Kind is not (SlotKind.EventTime or SlotKind.TimeBucket))
            {
                _data |= step.Bit;
            }

            UsesInterests |= slot.Kind == SlotKind.Interests && step.Transform == TransformKind.InterestCategories;
        }
    }

    /// <summary>The timestamp bucket of a record without a time field: one hour.</summary>
    public const long DefaultTimestampBucketMillis = 3_600_000;

    /// <summary>
    /// What a record's Kafka timestamp is: 0 for the event time itself, else the start of the event time's bucket of
    /// this width; the record's first time field decides, so message metadata is never finer than the record.
    /// </summary>
    public long TimestampBucketMillis { get; }

    /// <summary>The purpose.</summary>
    public PurposePlan Plan { get; }

    /// <summary>The output schema's fingerprint (the single-object header).</summary>
    public ulong Fingerprint { get; }

    /// <summary>The slots in schema order.</summary>
    public ReadOnlySpan<SlotStep> Steps => _steps;

    /// <summary>True when the record maps browsing domains to interest categories (the event's categories are needed).</summary>
    public bool UsesInterests { get; }

    /// <summary>
    /// True when an event with the values <paramref name="present"/> (<see cref="EventPresence"/>) has something for
    /// this purpose: every non-nullable data field can be filled and at least one data field has a value.
    /// </summary>
    public bool IsApplicable(uint present) => !_neverApplicable && (present & _required) == _required && (present & _data) != 0;
}
