namespace Sieve.Core.Anonymization;

/// <summary>
/// A purpose's <c>anonymize</c> block, compiled: how its records are cut into segments, trimmed, kept out of zones
/// and released only where enough vehicles were. Read by the policy compiler; enforced by the release stage.
/// </summary>
public sealed class AnonymizationRules
{
    /// <summary>Segment length: segments start at multiples of this (UTC), so a vehicle has one pseudonym per time bucket.</summary>
    public required long SegmentMillis { get; init; }

    /// <summary>Longest distance one segment covers; past it, the rest of the segment's window is withheld as gap.</summary>
    public required double SegmentMaxMeters { get; init; }

    /// <summary>
    /// Most released cells one segment enters; entering one more starts a new segment at once. 1 makes every segment
    /// a single (cell, bucket), which no combination of points can single out.
    /// </summary>
    public required int SegmentMaxCells { get; init; }

    /// <summary>The last part of every segment window, withheld so that consecutive segments do not touch.</summary>
    public required long GapMillis { get; init; }

    /// <summary>Smallest trim radius around a trip's start and end; each trip draws its own from [min, max].</summary>
    public required double TrimMinMeters { get; init; }

    /// <summary>Largest trim radius.</summary>
    public required double TrimMaxMeters { get; init; }

    /// <summary>A pause in a vehicle's records at least this long ends its trip (as ignition off does).</summary>
    public required long StopMillis { get; init; }

    /// <summary>How long after its bucket ends a record is held for its trip's end to be known.</summary>
    public required long HoldMillis { get; init; }

    /// <summary>k: distinct vehicles of the whole fleet a (cell, bucket) needs before any record in it is released.</summary>
    public required int MinVehicles { get; init; }

    /// <summary>How long after a (cell, bucket)'s vehicles are counted it is decided, so that other instances' counts arrive.</summary>
    public required long CountDelayMillis { get; init; }

    /// <summary>Places where nothing is released.</summary>
    public required ExcludedZones Zones { get; init; }

    /// <summary>Geohash length of the released cell (from the purpose's <c>location</c> transform).</summary>
    public required int CellPrecision { get; init; }

    /// <summary>Time bucket of released records (from the purpose's <c>eventTime</c> transform).</summary>
    public required long BucketMillis { get; init; }

    /// <summary>The pending topic the consent stage hands records to (the purpose topic's <c>.pending</c> twin).</summary>
    public required string PendingTopic { get; init; }

    /// <summary>
    /// The output schema ends with <c>cellVehicles</c> (<see cref="Policy.SlotKind.CellVehicles"/>): the release stage
    /// writes there the traffic count of each released record's (cell, bucket).
    /// </summary>
    public bool PublishesCellVehicles { get; init; }

    /// <summary>When a record of bucket <paramref name="bucket"/> has its trim decided (event time).</summary>
    public long TrimDueAt(long bucket) => bucket + BucketMillis + HoldMillis;

    /// <summary>When a (cell, bucket) is decided (event time).</summary>
    public long DecideDueAt(long bucket) => TrimDueAt(bucket) + CountDelayMillis;
}
