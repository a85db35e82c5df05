using System.Diagnostics.CodeAnalysis;
using Sieve.Core.Generalization;

namespace Sieve.Core;

/// <summary>Throws of the generalization primitives.</summary>
internal static partial class ThrowHelper
{
    [DoesNotReturn]
    public static void ThrowPrecisionOutOfRange(int precision) =>
        throw new ArgumentOutOfRangeException(nameof(precision), precision, $"Geohash precision must be 1..{Geohash.MaxPrecision}.");

    [DoesNotReturn]
    public static void ThrowCoordinateOutOfRange(string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, "Coordinate must be finite WGS-84 degrees (latitude -90..90, longitude -180..180).");

    [DoesNotReturn]
    public static void ThrowBucketOutOfRange(long bucketMillis) =>
        throw new ArgumentOutOfRangeException(nameof(bucketMillis), bucketMillis, "Bucket width must be positive.");

    [DoesNotReturn]
    public static void ThrowStepOutOfRange(double step) =>
        throw new ArgumentOutOfRangeException(nameof(step), step, "Rounding step must be positive and finite.");

    [DoesNotReturn]
    public static void ThrowCategoryIndexOutOfRange(int index) =>
        throw new ArgumentOutOfRangeException(nameof(index), index, "No interest category has this index.");
}
