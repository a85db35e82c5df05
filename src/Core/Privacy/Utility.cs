namespace Sieve.Core.Privacy;

/// <summary>What the release keeps of the data's value.</summary>
/// <param name="EligibleRecords">Raw records recorded while moving (ground truth).</param>
/// <param name="ReleasedEligibleRecords">Released records recorded while moving.</param>
/// <param name="CellsCompared">(cell, bucket)s with at least the minimum true vehicles, whose counts were compared.</param>
/// <param name="MeanRelativeError">Mean of |released count - true count| / true count over them (NaN when none).</param>
/// <param name="MaxRelativeError">Largest such error (NaN when none).</param>
/// <param name="WithinTenPercent">Compared (cell, bucket)s whose error is at most 10 %.</param>
public readonly record struct UtilityResult(long EligibleRecords, long ReleasedEligibleRecords, int CellsCompared, double MeanRelativeError, double MaxRelativeError, int WithinTenPercent)
{
    /// <summary>ReleasedEligibleRecords / EligibleRecords.</summary>
    public double ReleasedShare => EligibleRecords == 0 ? double.NaN : (double)ReleasedEligibleRecords / EligibleRecords;
}

/// <summary>
/// Utility of a release: the share of eligible points (recorded while moving) that it still carries, and how well
/// per-(cell, bucket) counts of distinct vehicles, as an analyst would count them from the release (distinct
/// pseudonyms), match the true counts where at least <c>minVehicles</c> vehicles were.
/// </summary>
public static class Utility
{
    /// <summary>Measures the utility of <paramref name="data"/> against its ground truth (<see cref="ReleasedDataset.AddTruth"/>).</summary>
    public static UtilityResult Measure(ReleasedDataset data, int minVehicles = 50)
    {
        ArgumentNullException.ThrowIfNull(data);
        var truth = new Dictionary<long, int>();
        foreach (long key in data.TruthVehicleCellBuckets)
        {
            ref int c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(truth, key & ((1L << 40) - 1), out _);
            c++;
        }

        ReleasedDataset.PointIndex index = data.Index;
        int compared = 0, within = 0;
        double sum = 0, max = 0;
        foreach ((long cellBucket, int trueCount) in truth)
        {
            if (trueCount < minVehicles)
            {
                continue;
            }

            compared++;
            int released = ReleasedCount(index, cellBucket);
            double error = Math.Abs(released - trueCount) / (double)trueCount;
            sum += error;
            max = Math.Max(max, error);
            if (error <= 0.1)
            {
                within++;
            }
        }

        return new UtilityResult(data.EligibleRecords, data.ReleasedMovingRecords, compared,
            compared == 0 ? double.NaN : sum / compared, compared == 0 ? double.NaN : max, within);
    }

    private static int ReleasedCount(ReleasedDataset.PointIndex index, long cellBucket) =>
        index.SlotOf.TryGetValue(cellBucket, out int slot) ? index.Posting(slot).Length : 0;
}
