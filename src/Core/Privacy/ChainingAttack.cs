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

        // Traces grouped by where and when they start, and by where and when they end: every trace of a group scores the same
        // distance and gap, so the search walks groups, nearest cell first, instead of every trace nearby.
        var cells = new NearbyCells(data, options.MaxDistanceKm);
        var starts = new Groups(traces, byStart: true);
        var ends = new Groups(traces, byStart: false);

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
            if (ta.LastTime == long.MinValue)
            {
                continue;
            }

            // Without an attribute on a's side every candidate scores (no attribute, gap, distance): the first bucket with a
            // candidate holds the best, and within it the nearest cells do; with one, a later attribute match still wins.
            bool attribute = options.UseAttributes && ta.LastAttribute != ReleasedDataset.NoAttribute;
            ReadOnlySpan<Nearby> near = cells.Around(ta.LastCell);
            for (long gap = 0; gap <= options.MaxGapMillis && (attribute || successor[a] < 0); gap += data.BucketMillis)
            {
                long time = ta.LastTime + gap;
                if (time <= ta.FirstTime)
                {
                    // Every trace starting then starts no later than a does: none follows it.
                    continue;
                }

                foreach (Nearby cell in near)
                {
                    // Without attributes, a tie for the best is final (no link), and a farther cell cannot do better.
                    if (!attribute && successor[a] >= 0 && (successorTies[a] > 1 || cell.DistanceKm > successorScore[a].Distance))
                    {
                        break;
                    }

                    foreach (int b in starts.At(time, cell.Cell))
                    {
                        if (b != a && Compatible(options, ta.LastAttribute, traces[b].FirstAttribute, out bool both))
                        {
                            Offer(ref successor[a], ref successorScore[a], ref successorTies[a], b, new Score(both, gap, cell.DistanceKm));
                            if (!attribute && successorTies[a] > 1)
                            {
                                break;
                            }
                        }
                    }
                }
            }
        }

        for (int b = 0; b < n; b++)
        {
            ReleasedDataset.TraceInfo tb = traces[b];
            if (tb.FirstTime == long.MaxValue)
            {
                continue;
            }

            bool attribute = options.UseAttributes && tb.FirstAttribute != ReleasedDataset.NoAttribute;
            ReadOnlySpan<Nearby> near = cells.Around(tb.FirstCell);
            for (long gap = 0; gap <= options.MaxGapMillis && (attribute || predecessor[b] < 0); gap += data.BucketMillis)
            {
                foreach (Nearby cell in near)
                {
                    if (!attribute && predecessor[b] >= 0 && (predecessorTies[b] > 1 || cell.DistanceKm > predecessorScore[b].Distance))
                    {
                        break;
                    }

                    foreach (int a in ends.At(tb.FirstTime - gap, cell.Cell))
                    {
                        ReleasedDataset.TraceInfo ta = traces[a];
                        if (ta.FirstTime >= tb.FirstTime)
                        {
                            // A group is sorted by first time: the rest start no earlier than b does.
                            break;
                        }

                        if (a != b && Compatible(options, ta.LastAttribute, tb.FirstAttribute, out bool both))
                        {
                            Offer(ref predecessor[b], ref predecessorScore[b], ref predecessorTies[b], a, new Score(both, gap, cell.DistanceKm));
                            if (!attribute && predecessorTies[b] > 1)
                            {
                                break;
                            }
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

    /// <summary>Whether a trace ending with <paramref name="last"/> may be followed by one starting with <paramref name="first"/>, and whether both carry the attribute.</summary>
    private static bool Compatible(ChainingOptions options, long last, long first, out bool both)
    {
        both = options.UseAttributes && last != ReleasedDataset.NoAttribute && first != ReleasedDataset.NoAttribute;
        return !both || Math.Abs(first - last) <= options.AttributeTolerance;
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
    /// <summary>A cell whose centre lies within the attack's distance of another's, and how far.</summary>
    private readonly record struct Nearby(int Cell, double DistanceKm);

    /// <summary>
    /// For each cell of the release, the cells whose centres lie within the distance of its centre, nearest first: the
    /// candidates are the cells in the 3 × 3 squares of that size around it, on a local flat projection.
    /// </summary>
    private sealed class NearbyCells
    {
        private readonly ReleasedDataset _data;
        private readonly double _maxDistanceKm;
        private readonly double _squareKm;
        private readonly double _kmPerDegreeLon;
        private readonly (double Lat, double Lon)[] _centres;
        private readonly Dictionary<(int X, int Y), List<int>> _squares = [];
        private readonly Dictionary<int, Nearby[]> _around = [];

        public NearbyCells(ReleasedDataset data, double maxDistanceKm)
        {
            _data = data;
            _maxDistanceKm = maxDistanceKm;
            _squareKm = Math.Max(0.001, maxDistanceKm);
            _centres = new (double, double)[data.CellCount];
            for (int c = 0; c < _centres.Length; c++)
            {
                _centres[c] = GeohashCells.Centre(data.CellCode(c));
            }

            double referenceLat = _centres.Length == 0 ? 0 : _centres[0].Lat;
            _kmPerDegreeLon = 111.32 * Math.Cos(referenceLat * Math.PI / 180);
            for (int c = 0; c < _centres.Length; c++)
            {
                (int x, int y) = Square(c);
                if (!_squares.TryGetValue((x, y), out List<int>? list))
                {
                    _squares[(x, y)] = list = [];
                }

                list.Add(c);
            }
        }

        public ReadOnlySpan<Nearby> Around(int cell)
        {
            if (_around.TryGetValue(cell, out Nearby[]? known))
            {
                return known;
            }

            var near = new List<Nearby>();
            (double lat, double lon) = _centres[cell];
            (int x, int y) = Square(cell);
            for (int dx = -1; dx <= 1; dx++)
            {
                for (int dy = -1; dy <= 1; dy++)
                {
                    if (!_squares.TryGetValue((x + dx, y + dy), out List<int>? list))
                    {
                        continue;
                    }

                    foreach (int other in list)
                    {
                        double distance = GeohashCells.DistanceKm(lat, lon, _centres[other].Lat, _centres[other].Lon);
                        if (distance <= _maxDistanceKm)
                        {
                            near.Add(new Nearby(other, distance));
                        }
                    }
                }
            }

            near.Sort(static (p, q) => p.DistanceKm.CompareTo(q.DistanceKm));
            Nearby[] result = [.. near];
            _around[cell] = result;
            return result;
        }

        private (int X, int Y) Square(int cell) =>
            ((int)Math.Floor(_centres[cell].Lon * _kmPerDegreeLon / _squareKm), (int)Math.Floor(_centres[cell].Lat * 111.32 / _squareKm));
    }

    /// <summary>Traces grouped by (time, cell) of their first point, or of their last; a group is sorted by first time.</summary>
    private sealed class Groups
    {
        private readonly int[] _order;
        private readonly Dictionary<(long Time, int Cell), (int Start, int Count)> _ranges = [];

        public Groups(List<ReleasedDataset.TraceInfo> traces, bool byStart)
        {
            int n = traces.Count;
            var keys = new (long Time, int Cell, long First)[n];
            _order = new int[n];
            for (int t = 0; t < n; t++)
            {
                ReleasedDataset.TraceInfo trace = traces[t];
                keys[t] = byStart ? (trace.FirstTime, trace.FirstCell, trace.FirstTime) : (trace.LastTime, trace.LastCell, trace.FirstTime);
                _order[t] = t;
            }

            Array.Sort(keys, _order);
            for (int i = 0; i < n;)
            {
                int j = i + 1;
                while (j < n && keys[j].Time == keys[i].Time && keys[j].Cell == keys[i].Cell)
                {
                    j++;
                }

                _ranges[(keys[i].Time, keys[i].Cell)] = (i, j - i);
                i = j;
            }
        }

        public ReadOnlySpan<int> At(long time, int cell) =>
            _ranges.TryGetValue((time, cell), out (int Start, int Count) range) ? _order.AsSpan(range.Start, range.Count) : default;
    }
}
