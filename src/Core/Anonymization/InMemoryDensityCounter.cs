namespace Sieve.Core.Anonymization;

/// <summary>
/// Exact distinct counts in this process. Global only when one process runs the whole fleet's release stage (the
/// demo, <c>sieve privacy</c>, single-instance tests); several instances need <see cref="RedisDensityCounter"/>.
/// Keeps every (cell, bucket) it has seen for the life of the process: for runs of bounded length. Thread-safe.
/// </summary>
public sealed class InMemoryDensityCounter : IDensityCounter
{
    private readonly Dictionary<(string, DensityCount, long, long), HashSet<ulong>> _vehicles = [];
    private readonly Dictionary<(string, long, long), CellDecision> _decisions = [];
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public Task AddAsync(IReadOnlyList<DensityEntry> entries, string purpose, DensityCount count, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        lock (_lock)
        {
            foreach (DensityEntry e in entries)
            {
                if (!_vehicles.TryGetValue((purpose, count, e.Cell, e.Bucket), out HashSet<ulong>? set))
                {
                    set = [];
                    _vehicles[(purpose, count, e.Cell, e.Bucket)] = set;
                }

                set.Add(e.Vehicle);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task DecideAsync(IReadOnlyCollection<(long Cell, long Bucket)> cells, string purpose, int minVehicles,
        Dictionary<(long Cell, long Bucket), CellDecision> decisions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(decisions);
        lock (_lock)
        {
            foreach ((long cell, long bucket) in cells)
            {
                if (!_decisions.TryGetValue((purpose, cell, bucket), out CellDecision decision))
                {
                    int candidates = Count(purpose, DensityCount.Candidates, cell, bucket);
                    decision = candidates >= minVehicles
                        ? new CellDecision(true, Math.Max(candidates, Count(purpose, DensityCount.Traffic, cell, bucket)))
                        : default;
                    _decisions[(purpose, cell, bucket)] = decision;
                }

                decisions[(cell, bucket)] = decision;
            }
        }

        return Task.CompletedTask;
    }

    private int Count(string purpose, DensityCount count, long cell, long bucket) =>
        _vehicles.TryGetValue((purpose, count, cell, bucket), out HashSet<ulong>? set) ? set.Count : 0;
}
