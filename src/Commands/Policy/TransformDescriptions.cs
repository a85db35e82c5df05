using System.Globalization;
using Sieve.Core.Policy;

namespace Sieve.Commands.Policy;

/// <summary>Transforms in words, for <c>policy explain</c>.</summary>
internal static class TransformDescriptions
{
    // Approximate geohash cell sizes (width x height at the equator) by precision 1..12.
    private static readonly string[] GeohashCells =
    [
        "5000 km x 5000 km", "1250 km x 625 km", "156 km x 156 km", "39 km x 20 km", "4.9 km x 4.9 km", "1.2 km x 0.6 km",
        "153 m x 153 m", "38 m x 19 m", "4.8 m x 4.8 m", "1.2 m x 0.6 m", "15 cm x 15 cm", "4 cm x 2 cm",
    ];

    /// <summary>What <paramref name="transform"/> does, e.g. <c>round to the nearest 1000</c>.</summary>
    public static string Describe(FieldTransform transform) => transform.Kind switch
    {
        TransformKind.Pass => "pass (unchanged)",
        TransformKind.Round => "round to the nearest " + transform.Step.ToString(CultureInfo.InvariantCulture),
        TransformKind.BucketTime => "bucketTime: start of its " + Minutes(transform.BucketMillis) + " bucket",
        TransformKind.Geohash => $"geohash of {transform.Precision} characters (a cell of about {Cell(transform.Precision)})",
        TransformKind.InterestCategories => "interestCategories: domains mapped to categories; domains never leave",
        TransformKind.Pseudonymize => "pseudonymize",
        _ => "drop",
    };

    /// <summary>The subject slot's transform, naming the key scope.</summary>
    public static string Pseudonym(PurposePlan plan) => plan.Rotation == PseudonymRotation.DailyUtc
        ? $"pseudonymize: HMAC-SHA256 under the {plan.Name} key of the event's UTC day"
        : $"pseudonymize: HMAC-SHA256 under the stable {plan.Name} key";

    private static string Minutes(long millis)
    {
        long minutes = millis / 60_000;
        return minutes % 60 == 0 && minutes >= 60
            ? (minutes / 60).ToString(CultureInfo.InvariantCulture) + "-hour"
            : minutes.ToString(CultureInfo.InvariantCulture) + "-minute";
    }

    private static string Cell(int precision) => precision is >= 1 and <= 12 ? GeohashCells[precision - 1] : "?";
}
