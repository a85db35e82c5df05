using Sieve.Core.Pipeline;

namespace Sieve.Core.Anonymization;

/// <summary>
/// One consumed candidate of a partition, from arrival until it is committed: either already decided (withheld on
/// arrival) or held with its segment pseudonym until its trip's end and its cell's count are known.
/// </summary>
internal sealed class HeldRecord
{
    /// <summary>Offset in the pending partition.</summary>
    public long Offset { get; init; }

    public long EventTime { get; init; }

    public double Latitude { get; init; }

    public double Longitude { get; init; }

    /// <summary>The bucket the record carries.</summary>
    public long Bucket { get; init; }

    /// <summary>The cell the record carries, packed (<see cref="Privacy.GeohashCells"/>).</summary>
    public long Cell { get; init; }

    /// <summary>Keyed vehicle token, hashed to 64 bits: what the density count counts.</summary>
    public ulong Vehicle { get; init; }

    /// <summary>The vehicle's trip; null for a record withheld before it joined one.</summary>
    public Trip? Trip { get; init; }

    /// <summary>The segment's pseudonym (32 ASCII bytes, shared by the segment's records); null when withheld on arrival.</summary>
    public byte[]? Pseudonym { get; init; }

    /// <summary>The output record (placeholder subject) while held; null once decided.</summary>
    public byte[]? Record { get; set; }

    /// <summary>True once the trip's end no longer trims it.</summary>
    public bool TrimPassed { get; set; }

    /// <summary>True once its vehicle was added to its (cell, bucket)'s count.</summary>
    public bool Counted { get; set; }

    /// <summary>Why the pending record could not be read; such a record is quarantined.</summary>
    public string? QuarantineCode { get; init; }

    /// <summary>True once it is forwarded, withheld or quarantined.</summary>
    public bool IsDecided => Outcome is not null || QuarantineCode is not null;

    /// <summary>When released: the traffic count of its (cell, bucket) at the decision (0 when unknown).</summary>
    public long CellVehicles { get; set; }

    /// <summary>The decision, once made.</summary>
    public Outcome? Outcome { get; set; }
}
