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
    public static string Pseudonym(PurposePlan plan) => plan.Rotation switch
    {
        PseudonymRotation.DailyUtc => $"pseudonymize: HMAC-SHA256 under the {plan.Name} key of the event's UTC day",
        PseudonymRotation.Segment => "segment: the release stage writes a fresh random pseudonym per trip segment (no key; derived from nothing)",
        _ => $"pseudonymize: HMAC-SHA256 under the stable {plan.Name} key",
    };

    /// <summary>The rules of an <c>anonymize</c> block, one line each.</summary>
    public static IReadOnlyList<string> Release(Sieve.Core.Anonymization.AnonymizationRules r)
    {
        var c = CultureInfo.InvariantCulture;
        long bucketMinutes = r.BucketMillis / 60_000;
        var lines = new List<string>
        {
            string.Format(c, "segments: at most {0} minutes, {1} km and {2} cell(s); each under a fresh random pseudonym", r.SegmentMillis / 60_000, r.SegmentMaxMeters / 1000, r.SegmentMaxCells),
            string.Format(c, "gap: the last {0} minute(s) of every {1}-minute segment window, and as long after a distance cut, are withheld", r.GapMillis / 60_000, r.SegmentMillis / 60_000),
            "parked: every record with the ignition off is withheld",
            string.Format(c, "trimmed: records within {0}-{1} m (drawn per trip) of where a trip starts or ends are withheld; a trip ends at ignition off or a {2}-minute stop", r.TrimMinMeters, r.TrimMaxMeters, r.StopMillis / 60_000),
            r.Zones.Names.Count == 0 ? "zones: none" : string.Format(c, "zones: nothing is released in {0} ({1} cells of about 150 m)", string.Join(", ", r.Zones.Names), r.Zones.CellCount),
            string.Format(c, "k: a (cell, bucket) is released only if at least {0} distinct vehicles of the whole fleet were counted there; a record waits for its {1}-minute bucket to end, then {2} minutes for its trip's end and {3} for other instances' counts (at most {4} minutes in all)",
                r.MinVehicles, bucketMinutes, r.HoldMillis / 60_000, r.CountDelayMillis / 60_000, bucketMinutes + ((r.HoldMillis + r.CountDelayMillis) / 60_000)),
        };
        if (r.PublishesCellVehicles)
        {
            lines.Add("count: each released record carries cellVehicles, the vehicles of the whole fleet that moved through its (cell, bucket), trimmed and gap records included");
        }

        return lines;
    }

    private static string Minutes(long millis)
    {
        long minutes = millis / 60_000;
        return minutes % 60 == 0 && minutes >= 60
            ? (minutes / 60).ToString(CultureInfo.InvariantCulture) + "-hour"
            : minutes.ToString(CultureInfo.InvariantCulture) + "-minute";
    }

    private static string Cell(int precision) => precision is >= 1 and <= 12 ? GeohashCells[precision - 1] : "?";
}
