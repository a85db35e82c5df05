namespace Sieve.Core.Privacy;

/// <summary>How well one way of counting vehicles per (cell, bucket) matches the truth.</summary>
/// <param name="CellsCompared">(cell, bucket)s with at least the minimum true vehicles, whose counts were compared.</param>
/// <param name="MeanRelativeError">Mean of |counted - true| / true over them (NaN when none).</param>
/// <param name="MaxRelativeError">Largest such error (NaN when none).</param>
/// <param name="WithinTenPercent">Compared (cell, bucket)s whose error is at most 10 %.</param>
public readonly record struct CountAccuracy(int CellsCompared, double MeanRelativeError, double MaxRelativeError, int WithinTenPercent);

/// <summary>What the release keeps of the data's value.</summary>
/// <param name="EligibleRecords">Raw records recorded while moving (ground truth).</param>
/// <param name="ReleasedEligibleRecords">Released records recorded while moving.</param>
/// <param name="Counts">
/// The analyst's per-cell counts: the count the release published with a (cell, bucket) where it published one
/// (<see cref="ReleasedDataset.AddPublishedCount"/>), distinct pseudonyms elsewhere.
/// </param>
/// <param name="PublishedCells">Compared (cell, bucket)s whose count was a published one.</param>
/// <param name="PseudonymCounts">Per-cell counts taken as distinct pseudonyms everywhere, published counts ignored.</param>
public readonly record struct UtilityResult(long EligibleRecords, long ReleasedEligibleRecords, CountAccuracy Counts, int PublishedCells, CountAccuracy PseudonymCounts)
{
    /// <summary>ReleasedEligibleRecords / EligibleRecords.</summary>
    public double ReleasedShare => EligibleRecords == 0 ? double.NaN : (double)ReleasedEligibleRecords / EligibleRecords;
}

/// <summary>
/// Utility of a release: the share of eligible points (recorded while moving) that it still carries, and how well
/// per-(cell, bucket) counts of distinct vehicles, as an analyst would take them from the release (a published count,
/// else distinct pseudonyms), match the true counts where at least <c>minVehicles</c> vehicles were.
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
        var best = new Accumulator();
        var pseudonyms = new Accumulator();
        int published = 0;
        foreach ((long cellBucket, int trueCount) in truth)
        {
            if (trueCount < minVehicles)
            {
                continue;
            }

            long distinct = index.SlotOf.TryGetValue(cellBucket, out int slot) ? index.Posting(slot).Length : 0;
            pseudonyms.Add(distinct, trueCount);
            if (data.PublishedCounts.TryGetValue(cellBucket, out long count))
            {
                published++;
                best.Add(count, trueCount);
            }
            else
            {
                best.Add(distinct, trueCount);
            }
        }

        return new UtilityResult(data.EligibleRecords, data.ReleasedMovingRecords, best.Result, published, pseudonyms.Result);
    }

    private sealed class Accumulator
    {
        private int _compared;
        private int _within;
        private double _sum;
        private double _max;

        public CountAccuracy Result => _compared == 0
            ? new CountAccuracy(0, double.NaN, double.NaN, 0)
            : new CountAccuracy(_compared, _sum / _compared, _max, _within);

        public void Add(long counted, int trueCount)
        {
            double error = Math.Abs(counted - trueCount) / (double)trueCount;
            _compared++;
            _sum += error;
            _max = Math.Max(_max, error);
            if (error <= 0.1)
            {
                _within++;
            }
        }
    }
}
