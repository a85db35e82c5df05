namespace Sieve.Core.Privacy;

/// <summary>k per released (cell, bucket).</summary>
/// <param name="K">The threshold k (e.g. 5).</param>
/// <param name="CellBuckets">Released (cell, bucket)s.</param>
/// <param name="CellBucketsBelowK">Released (cell, bucket)s with fewer than k distinct vehicles.</param>
/// <param name="RecordsBelowK">Released records in a (cell, bucket) with fewer than k distinct vehicles.</param>
/// <param name="Records">Released records with ground truth.</param>
/// <param name="MinK">The fewest distinct vehicles behind any released (cell, bucket) (0 when nothing was released).</param>
public readonly record struct CellKResult(int K, int CellBuckets, int CellBucketsBelowK, long RecordsBelowK, long Records, int MinK)
{
    /// <summary>RecordsBelowK / Records.</summary>
    public double RecordsBelowKShare => Records == 0 ? double.NaN : (double)RecordsBelowK / Records;
}

/// <summary>
/// k-anonymity of the release per (cell, bucket), from ground truth: how many distinct vehicles stand behind each
/// released (cell, bucket) (Sweeney 2002; the k of GB/T 42460-2023 Annex D). A record in a (cell, bucket) with fewer than
/// k vehicles describes fewer than k people.
/// </summary>
public static class CellK
{
    /// <summary>Measures k per released (cell, bucket) of <paramref name="data"/> (records need their ground-truth vehicle).</summary>
    public static CellKResult Measure(ReleasedDataset data, int k = 5)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        var vehicles = new Dictionary<long, int>(data.RecordsPerCellBucket.Count);
        foreach (long key in data.VehicleCellBuckets)
        {
            ref int c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(vehicles, key & ((1L << 40) - 1), out _);
            c++;
        }

        int cellBuckets = 0, below = 0, minK = int.MaxValue;
        long records = 0, recordsBelow = 0;
        foreach ((long cellBucket, int count) in data.RecordsPerCellBucket)
        {
            if (!vehicles.TryGetValue(cellBucket, out int distinct))
            {
                continue; // no ground truth for this (cell, bucket)
            }

            cellBuckets++;
            records += count;
            minK = Math.Min(minK, distinct);
            if (distinct < k)
            {
                below++;
                recordsBelow += count;
            }
        }

        return new CellKResult(k, cellBuckets, below, recordsBelow, records, cellBuckets == 0 ? 0 : minK);
    }
}
