namespace Sieve.Core.Anonymization;

/// <summary>
/// What the release stage remembers of one vehicle (or Wi-Fi visitor) between its records: its current trip, its
/// current segment and that segment's pseudonym. About 200 bytes; dropped once the vehicle has been quiet for longer
/// than a stop and a segment, after which its next record would start a new trip and a new segment anyway.
/// </summary>
internal sealed class VehicleTrack
{
    /// <summary>The open trip (visit, for Wi-Fi); null while parked or before the first record.</summary>
    public Trip? Trip { get; set; }

    /// <summary>Event time of the vehicle's latest record.</summary>
    public long LastTime { get; set; } = long.MinValue;

    /// <summary>Outlet of the current Wi-Fi visit (UTF-8), empty for vehicles.</summary>
    public byte[] Outlet { get; set; } = [];

    /// <summary>Window number (event time / segment length) of the current segment.</summary>
    public long SegmentWindow { get; set; } = long.MinValue;

    /// <summary>The trip the current segment belongs to.</summary>
    public Trip? SegmentTrip { get; set; }

    /// <summary>The released cell of the segment's latest record.</summary>
    public long SegmentCell { get; set; }

    /// <summary>Cells the current segment has entered (counting re-entries).</summary>
    public int SegmentCells { get; set; }

    /// <summary>Metres the current segment has covered.</summary>
    public double SegmentMeters { get; set; }

    public double SegmentLatitude { get; set; }

    public double SegmentLongitude { get; set; }

    /// <summary>After the segment passed its distance cap: records before this time are gap; then a new segment starts.</summary>
    public long GapUntil { get; set; } = long.MinValue;

    /// <summary>The current segment's pseudonym (32 ASCII bytes).</summary>
    public byte[]? SegmentPseudonym { get; set; }
}
