using Sieve.Core.Policy;

namespace Sieve.Core.Output;

/// <summary>
/// One output slot as the encoder runs it for one input kind: the slot's kind and nullability with the transform
/// that input fills it by, flattened from <see cref="OutputSlot"/> and <see cref="FieldTransform"/> at start-up.
/// </summary>
internal readonly struct SlotStep
{
    public SlotStep(OutputSlot slot, InputKind input)
    {
        FieldTransform t = slot.From(input);
        Kind = slot.Kind;
        Nullable = slot.Nullable;
        Transform = t.Kind;
        Precision = t.Precision;
        Step = t.Step;
        BucketMillis = t.BucketMillis;
    }

    /// <summary>The rounding step of <see cref="TransformKind.Round"/>.</summary>
    public double Step { get; }

    /// <summary>The bucket width of <see cref="TransformKind.BucketTime"/>.</summary>
    public long BucketMillis { get; }

    /// <summary>The geohash length of <see cref="TransformKind.Geohash"/>.</summary>
    public int Precision { get; }

    public SlotKind Kind { get; }

    public bool Nullable { get; }

    public TransformKind Transform { get; }

    /// <summary>The presence bit of <see cref="Kind"/> (see <see cref="EventPresence"/>).</summary>
    public uint Bit => 1u << (int)Kind;

    /// <summary>True when the input fills the slot at all.</summary>
    public bool Filled => Transform != TransformKind.None;
}
