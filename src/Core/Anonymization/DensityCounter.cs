namespace Sieve.Core.Anonymization;

/// <summary>One vehicle seen in one (cell, bucket): as a release candidate after trimming, or as traffic (<see cref="DensityCount"/>).</summary>
/// <param name="Cell">Packed geohash (<see cref="Privacy.GeohashCells"/>).</param>
/// <param name="Bucket">Bucket start, Unix ms.</param>
/// <param name="Vehicle">64-bit hash of the keyed vehicle token.</param>
public readonly record struct DensityEntry(long Cell, long Bucket, ulong Vehicle);

/// <summary>Which of a (cell, bucket)'s two counts an entry goes to.</summary>
public enum DensityCount
{
    /// <summary>Vehicles with a record there that survived trimming, gaps and zones: the count k is decided on.</summary>
    Candidates,

    /// <summary>
    /// Vehicles that moved there, trimmed and gap records included (parked records and excluded zones not): the count
    /// published with a released (cell, bucket), so that per-cell counts do not lose what trimming withholds.
    /// </summary>
    Traffic,
}

/// <summary>The decision of one (cell, bucket).</summary>
/// <param name="Released">At least k vehicles were counted as candidates when it was first decided.</param>
/// <param name="Vehicles">When released, the vehicles counted as traffic (at least the candidates) at that decision; 0 when withheld or unknown.</param>
public readonly record struct CellDecision(bool Released, long Vehicles);

/// <summary>
/// Counts distinct vehicles per (cell, bucket) across every Minimizer instance, and decides each (cell, bucket) once
/// for all of them: released when at least k vehicles were counted at the first decision, withheld otherwise. Every
/// later decision of the same (cell, bucket), by any instance, returns the first; so the vehicles released in a
/// (cell, bucket) are the ones counted when it was decided (at least k) plus any counted later. Counting late only
/// ever undercounts, which withholds more: a decision can be early, never unsafe.
/// </summary>
public interface IDensityCounter
{
    /// <summary>Adds vehicles to their (cell, bucket)s' <paramref name="count"/> (idempotent per vehicle).</summary>
    /// <exception cref="DensityUnavailableException">The count could not be updated; nothing is decided until it can.</exception>
    Task AddAsync(IReadOnlyList<DensityEntry> entries, string purpose, DensityCount count, CancellationToken cancellationToken);

    /// <summary>
    /// Decides each (cell, bucket): released when at least <paramref name="minVehicles"/> candidates were counted, with
    /// the traffic count as it was then. The first decision of a (cell, bucket), count included, stands.
    /// </summary>
    /// <exception cref="DensityUnavailableException">The decisions could not be made or read.</exception>
    Task DecideAsync(IReadOnlyCollection<(long Cell, long Bucket)> cells, string purpose, int minVehicles,
        Dictionary<(long Cell, long Bucket), CellDecision> decisions, CancellationToken cancellationToken);
}

/// <summary>The density count's store cannot be reached; the release stage holds its records and retries.</summary>
public sealed class DensityUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DensityUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
