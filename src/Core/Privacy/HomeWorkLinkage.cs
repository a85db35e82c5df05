namespace Sieve.Core.Privacy;

/// <summary>What the home/work attack found.</summary>
/// <param name="Commuters">Commuters in the ground truth.</param>
/// <param name="Linked">Commuters one of whose traces has the true home cell as its night cell and the true work cell as its day cell.</param>
/// <param name="SingledOut">Linked commuters whose (home, work) pair no other commuter shares.</param>
/// <param name="MedianAnonymitySet">Median, over linked commuters, of the commuters sharing their (home, work) pair (NaN when none is linked).</param>
public readonly record struct HomeWorkResult(int Commuters, int Linked, int SingledOut, double MedianAnonymitySet)
{
    /// <summary>Linked / Commuters.</summary>
    public double LinkedShare => Commuters == 0 ? double.NaN : (double)Linked / Commuters;

    /// <summary>SingledOut / Commuters.</summary>
    public double SingledOutShare => Commuters == 0 ? double.NaN : (double)SingledOut / Commuters;
}

/// <summary>
/// The home/work attack. For each trace the attacker takes the night cell (the cell with most points in the night
/// hours) as its home and the day cell (most points in working hours) as its workplace; a commuter is linked when one
/// of their traces gives their true home and work cells. Golle and Partridge ("On the Anonymity of Home/Work Location
/// Pairs", Pervasive 2009) showed that the (home, work) pair alone singles out most people at fine resolution; the
/// anonymity set of a linked commuter is the number of commuters with the same true pair.
/// </summary>
public static class HomeWorkLinkage
{
    /// <summary>Runs the attack.</summary>
    /// <param name="data">The release with ground truth (<see cref="ReleasedDataset.SetHomeWork"/>).</param>
    /// <param name="nightStartHour">Local hour the night starts (inclusive), e.g. 22.</param>
    /// <param name="nightEndHour">Local hour the night ends (exclusive), e.g. 6.</param>
    /// <param name="dayStartHour">Local hour working hours start (inclusive), e.g. 10.</param>
    /// <param name="dayEndHour">Local hour working hours end (exclusive), e.g. 16.</param>
    public static HomeWorkResult Measure(ReleasedDataset data, int nightStartHour = 22, int nightEndHour = 6, int dayStartHour = 10, int dayEndHour = 16)
    {
        ArgumentNullException.ThrowIfNull(data);
        ReleasedDataset.PointIndex index = data.Index;
        Dictionary<int, (int Home, int Work)> truth = data.HomeWork;

        var pairCounts = new Dictionary<long, int>(truth.Count);
        foreach ((int home, int work) in truth.Values)
        {
            ref int c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(pairCounts, Pair(home, work), out _);
            c++;
        }

        var linked = new HashSet<int>();
        var nightCounts = new Dictionary<int, int>();
        var dayCounts = new Dictionary<int, int>();
        List<ReleasedDataset.TraceInfo> traces = data.Traces;
        for (int t = 0; t < traces.Count; t++)
        {
            int vehicle = traces[t].Vehicle;
            if (vehicle < 0 || !truth.TryGetValue(vehicle, out (int Home, int Work) actual) || linked.Contains(vehicle))
            {
                continue;
            }

            nightCounts.Clear();
            dayCounts.Clear();
            for (int k = index.TraceStart[t]; k < index.TraceStart[t + 1]; k++)
            {
                long point = index.Points[k];
                int hour = data.LocalHour((int)(point & 0xFFFF));
                int cell = (int)(point >> 16);
                if (InHours(hour, nightStartHour, nightEndHour))
                {
                    Increment(nightCounts, cell);
                }

                if (InHours(hour, dayStartHour, dayEndHour))
                {
                    Increment(dayCounts, cell);
                }
            }

            if (Mode(nightCounts) == actual.Home && Mode(dayCounts) == actual.Work)
            {
                linked.Add(vehicle);
            }
        }

        int singledOut = 0;
        var sets = new List<int>(linked.Count);
        foreach (int vehicle in linked)
        {
            (int home, int work) = truth[vehicle];
            int size = pairCounts[Pair(home, work)];
            sets.Add(size);
            if (size == 1)
            {
                singledOut++;
            }
        }

        sets.Sort();
        double median = sets.Count == 0 ? double.NaN
            : sets.Count % 2 == 1 ? sets[sets.Count / 2] : (sets[(sets.Count / 2) - 1] + sets[sets.Count / 2]) / 2.0;
        return new HomeWorkResult(truth.Count, linked.Count, singledOut, median);
    }

    private static bool InHours(int hour, int start, int end) => start <= end ? hour >= start && hour < end : hour >= start || hour < end;

    private static void Increment(Dictionary<int, int> counts, int cell)
    {
        ref int c = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(counts, cell, out _);
        c++;
    }

    /// <summary>The most frequent cell (ties: the lowest id), or -1 when there is none.</summary>
    private static int Mode(Dictionary<int, int> counts)
    {
        int best = -1, bestCount = 0;
        foreach ((int cell, int count) in counts)
        {
            if (count > bestCount || (count == bestCount && cell < best))
            {
                (best, bestCount) = (cell, count);
            }
        }

        return best;
    }

    private static long Pair(int home, int work) => ((long)home << 32) | (uint)work;
}
