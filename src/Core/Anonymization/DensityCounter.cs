namespace Sieve.Core.Anonymization;

/// <summary>One vehicle seen, after trimming, in one (cell, bucket).</summary>
/// <param name="Cell">Packed geohash (<see cref="Privacy.GeohashCells"/>).</param>
/// <param name="Bucket">Bucket start, Unix ms.</param>
/// <param name="Vehicle">64-bit hash of the keyed vehicle token.</param>
public readonly record struct DensityEntry(long Cell, long Bucket, ulong Vehicle);

/// <summary>
/// Counts distinct vehicles per (cell, bucket) across every Minimizer instance, and decides each (cell, bucket) once
/// for all of them: released when at least k vehicles were counted at the first decision, withheld otherwise. Every
/// later decision of the same (cell, bucket), by any instance, returns the first; so the vehicles released in a
/// (cell, bucket) are the ones counted when it was decided (at least k) plus any counted later. Counting late only
/// ever undercounts, which withholds more: a decision can be early, never unsafe.
/// </summary>
public interface IDensityCounter
{
    /// <summary>Adds vehicles to their (cell, bucket)s' counts (idempotent per vehicle).</summary>
    /// <exception cref="DensityUnavailableException">The count could not be updated; nothing is decided until it can.</exception>
    Task AddAsync(IReadOnlyList<DensityEntry> entries, string purpose, CancellationToken cancellationToken);

    /// <summary>Decides each (cell, bucket): true when released. The first decision of a (cell, bucket) stands.</summary>
    /// <exception cref="DensityUnavailableException">The decisions could not be made or read.</exception>
    Task DecideAsync(IReadOnlyCollection<(long Cell, long Bucket)> cells, string purpose, int minVehicles,
        Dictionary<(long Cell, long Bucket), bool> decisions, CancellationToken cancellationToken);
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
