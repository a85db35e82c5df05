namespace Sieve.Core.Privacy;

/// <summary>Settings of the chaining attack.</summary>
public sealed record ChainingOptions
{
    /// <summary>Largest distance between the centre of a trace's last cell and the next trace's first cell, kilometres.</summary>
    public double MaxDistanceKm { get; init; } = 5;

    /// <summary>Longest time from a trace's last bucket to the next trace's first bucket, milliseconds.</summary>
    public long MaxGapMillis { get; init; } = 30 * 60_000;

    /// <summary>Use the slowly changing attribute: where both traces carry one, it must agree within <see cref="AttributeTolerance"/>.</summary>
    public bool UseAttributes { get; init; } = true;

    /// <summary>Largest difference between the last attribute of a trace and the first of the next (0: equal).</summary>
    public long AttributeTolerance { get; init; }
}

/// <summary>What the chaining attack found.</summary>
/// <param name="TruePairs">Consecutive trace pairs of one vehicle (ground truth): the links there are to find.</param>
/// <param name="Links">Links the attack made.</param>
/// <param name="CorrectLinks">Links that join two consecutive traces of one vehicle.</param>
public readonly record struct ChainingResult(int TruePairs, int Links, int CorrectLinks)
{
    /// <summary>CorrectLinks / Links (NaN when no link was made).</summary>
    public double Precision => Links == 0 ? double.NaN : (double)CorrectLinks / Links;

    /// <summary>CorrectLinks / TruePairs: the share of consecutive segments re-linked (NaN when there are none).</summary>
    public double Recall => TruePairs == 0 ? double.NaN : (double)CorrectLinks / TruePairs;
}

/// <summary>
/// Links traces released under different pseudonyms back together, as multiple-target tracking does for
/// pseudonymous location streams (Gruteser and Hoh, "On the Anonymity of Periodic Location Samples", SPC 2005): a
/// trace is followed by the trace that starts soonest after it ends, near where it ended, and, when the release carries
/// a slowly changing attribute such as the rounded odometer, with the value it ended with. The attacker links only
/// what is unambiguous: b is a's single best successor and a is b's single best predecessor (a tie is not guessed).
/// Precision and recall are measured against the ground truth's consecutive traces of each vehicle.
/// </summary>
public static class ChainingAttack
{
    /// <summary>Runs the attack on <paramref name="data"/>.</summary>
    public static ChainingResult Measure(ReleasedDataset data, ChainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new ChainingOptions();
        List<ReleasedDataset.TraceInfo> traces = data.Traces;
        int n = traces.Count;

        // Ground truth: each vehicle's traces in order of their first point; consecutive ones are the pairs to find.
        var order = new int[n];
        int known = 0;
        for (int t = 0; t < n; t++)
        {
            if (traces[t].Vehicle >= 0)
            {
                order[known++] = t;
            }
        }

        Array.Sort(order, 0, known, new VehicleThenTime(traces));
        var truePairs = new HashSet<long>();
        for (int i = 1; i < known; i++)
        {
            ReleasedDataset.TraceInfo a = traces[order[i - 1]], b = traces[order[i]];
            if (a.Vehicle == b.Vehicle)
            {
                truePairs.Add(Pair(order[i - 1], order[i]));
            }
        }

        // Index each trace's first point by (bucket start, grid square of MaxDistanceKm).
        double square = Math.Max(0.001, options.MaxDistanceKm);
        var centres = new (double Lat, double Lon)[n * 2];
        var grid = new Dictionary<(long Time, int X, int Y), List<int>>();
        double referenceLat = n == 0 ? 0 : GeohashCells.Centre(data.CellCode(traces[0].FirstCell)).Latitude;
        double kmPerDegreeLon = 111.32 * Math.Cos(referenceLat * Math.PI / 180);
        for (int t = 0; t < n; t++)
        {
            centres[2 * t] = GeohashCells.Centre(data.CellCode(traces[t].FirstCell));
            centres[(2 * t) + 1] = GeohashCells.Centre(data.CellCode(traces[t].LastCell));
            (int gx, int gy) = Square(centres[2 * t], square, kmPerDegreeLon);
            var key = (traces[t].FirstTime, gx, gy);
            if (!grid.TryGetValue(key, out List<int>? list))
            {
                grid[key] = list = [];
            }

            list.Add(t);
        }

        // Each trace's best successor and each trace's best predecessor; ties are counted, not broken.
        var successor = new int[n];
        var successorScore = new Score[n];
        var successorTies = new int[n];
        var predecessor = new int[n];
        var predecessorScore = new Score[n];
        var predecessorTies = new int[n];
        Array.Fill(successor, -1);
        Array.Fill(predecessor, -1);
        for (int a = 0; a < n; a++)
        {
            ReleasedDataset.TraceInfo ta = traces[a];
            (double Lat, double Lon) end = centres[(2 * a) + 1];
            (int gx, int gy) = Square(end, square, kmPerDegreeLon);
            for (long time = ta.LastTime; time <= ta.LastTime + options.MaxGapMillis; time += data.BucketMillis)
            {
                for (int dx = -1; dx <= 1; dx++)
                {
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        if (!grid.TryGetValue((time, gx + dx, gy + dy), out List<int>? list))
                        {
                            continue;
                        }

                        foreach (int b in list)
                        {
                            ReleasedDataset.TraceInfo tb = traces[b];
                            if (b == a || tb.FirstTime <= ta.FirstTime)
                            {
                                continue;
                            }

                            (double Lat, double Lon) start = centres[2 * b];
                            double distance = GeohashCells.DistanceKm(end.Lat, end.Lon, start.Lat, start.Lon);
                            if (distance > options.MaxDistanceKm)
                            {
                                continue;
                            }

                            bool both = options.UseAttributes && ta.LastAttribute != ReleasedDataset.NoAttribute && tb.FirstAttribute != ReleasedDataset.NoAttribute;
                            if (both && Math.Abs(tb.FirstAttribute - ta.LastAttribute) > options.AttributeTolerance)
                            {
                                continue;
                            }

                            var score = new Score(both, tb.FirstTime - ta.LastTime, distance);
                            Offer(ref successor[a], ref successorScore[a], ref successorTies[a], b, score);
                            Offer(ref predecessor[b], ref predecessorScore[b], ref predecessorTies[b], a, score);
                        }
                    }
                }
            }
        }

        // A link is made only where it is unambiguous both ways: b is a's one best successor and a is b's one best predecessor.
        int links = 0, correct = 0;
        for (int a = 0; a < n; a++)
        {
            int b = successor[a];
            if (b >= 0 && successorTies[a] == 1 && predecessor[b] == a && predecessorTies[b] == 1)
            {
                links++;
                if (truePairs.Contains(Pair(a, b)))
                {
                    correct++;
                }
            }
        }

        return new ChainingResult(truePairs.Count, links, correct);
    }

    private static void Offer(ref int best, ref Score bestScore, ref int ties, int candidate, Score score)
    {
        int c = best < 0 ? -1 : score.CompareTo(bestScore);
        if (c < 0)
        {
            (best, bestScore, ties) = (candidate, score, 1);
        }
        else if (c == 0)
        {
            ties++;
        }
    }

    private static (int X, int Y) Square((double Lat, double Lon) p, double squareKm, double kmPerDegreeLon) =>
        ((int)Math.Floor(p.Lon * kmPerDegreeLon / squareKm), (int)Math.Floor(p.Lat * 111.32 / squareKm));

    private static long Pair(int a, int b) => ((long)a << 32) | (uint)b;

    /// <summary>How good a link looks: an attribute match beats none, then the shorter gap, then the shorter distance (lower is better).</summary>
    private readonly record struct Score(bool Attribute, long Gap, double Distance) : IComparable<Score>
    {
        public int CompareTo(Score other) =>
            Attribute != other.Attribute ? (Attribute ? -1 : 1)
            : Gap != other.Gap ? Gap.CompareTo(other.Gap)
            : Distance.CompareTo(other.Distance);
    }

    private sealed class VehicleThenTime(List<ReleasedDataset.TraceInfo> traces) : IComparer<int>
    {
        public int Compare(int x, int y)
        {
            int c = traces[x].Vehicle.CompareTo(traces[y].Vehicle);
            if (c != 0) return c;
            c = traces[x].FirstTime.CompareTo(traces[y].FirstTime);
            return c != 0 ? c : x.CompareTo(y);
        }
    }
}
