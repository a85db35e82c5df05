using Sieve.Core.Privacy;

namespace Sieve.Tests.Privacy;

/// <summary>The attacks on crafted releases whose answers are known.</summary>
public sealed class AttackSuiteTests
{
    private const long Bucket = 15 * 60_000;
    private static readonly long T0 = new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static long Cell(string geohash) => GeohashCells.Pack(geohash);

    [Fact]
    public void Geohash_cells_round_trip_and_know_their_centre()
    {
        long cell = Cell("wtw3s");
        Assert.Equal("wtw3s", GeohashCells.ToGeohash(cell));
        Assert.Equal(5, GeohashCells.Precision(cell));
        Assert.NotEqual(Cell("wtw3"), Cell("wtw30"));
        (double lat, double lon) = GeohashCells.Centre(Cell("wtw3sj"));
        Assert.True(GeohashCells.DistanceKm(lat, lon, 31.2304, 121.4737) < 0.7, "wtw3sj holds the centre of Shanghai");
        Assert.Throws<ArgumentException>(() => GeohashCells.Pack("wtw3a"));

        var data = new ReleasedDataset(Bucket);
        data.AddReleased("p", "wtw3s", T0);
        data.AddReleased("p", Cell("wtw3s"), T0);
        Assert.Equal(1, data.PointCount);
        Assert.Equal(2, data.ReleasedRecords);
    }

    [Fact]
    public void Traces_of_distinct_points_are_all_unique()
    {
        var data = new ReleasedDataset(Bucket);
        for (int v = 0; v < 20; v++)
        {
            for (int k = 0; k < 6; k++)
            {
                data.AddReleased("p" + v, Cell("wtw3" + "0123456789bcdefghjkm"[v]), T0 + (k * Bucket), vehicle: v);
            }
        }

        for (int p = 1; p <= 4; p++)
        {
            UnicityResult r = Unicity.Measure(data, p, sampleSize: 100, seed: 1);
            Assert.Equal(20, r.Sampled);
            Assert.Equal(20, r.Unique);
            Assert.Equal(1.0, r.Share);
        }
    }

    [Fact]
    public void Identical_traces_are_never_unique()
    {
        var data = new ReleasedDataset(Bucket);
        for (int v = 0; v < 10; v++)
        {
            for (int k = 0; k < 6; k++)
            {
                data.AddReleased("p" + v, Cell("wtw3s"), T0 + (k * Bucket), vehicle: v);
            }
        }

        for (int p = 1; p <= 4; p++)
        {
            Assert.Equal(0.0, Unicity.Measure(data, p, sampleSize: 100, seed: 1).Share);
        }
    }

    [Fact]
    public void Unicity_counts_one_unique_trace_among_two_twins_and_skips_short_traces()
    {
        var data = new ReleasedDataset(Bucket);
        foreach (string twin in new[] { "a", "b" })
        {
            for (int k = 0; k < 4; k++)
            {
                data.AddReleased(twin, Cell("wtw3s"), T0 + (k * Bucket));
            }
        }

        for (int k = 0; k < 4; k++)
        {
            data.AddReleased("c", Cell("wtw3t"), T0 + (k * Bucket));
        }

        data.AddReleased("short", Cell("wtw3u"), T0);

        UnicityResult r = Unicity.Measure(data, 4, sampleSize: 100, seed: 7);
        Assert.Equal(3, r.Sampled);
        Assert.Equal(1, r.Unique);
        Assert.Equal(1, r.TooShort);
        Assert.Equal(1.0 / 3, r.Share, 9);
        Assert.Equal(4, Unicity.Measure(data, 1, sampleSize: 100, seed: 7).Sampled);
    }

    [Fact]
    public void Moving_only_unicity_draws_from_moving_points_but_matches_all_points()
    {
        // a and b share their moving points; a also parked somewhere only it was.
        var data = new ReleasedDataset(Bucket);
        foreach (string p in new[] { "a", "b" })
        {
            data.AddReleased(p, Cell("wtw3s"), T0, moving: true);
            data.AddReleased(p, Cell("wtw3t"), T0 + Bucket, moving: true);
        }

        data.AddReleased("a", Cell("wtw3u"), T0 + (2 * Bucket), moving: false);

        UnicityResult moving = Unicity.Measure(data, 2, sampleSize: 10, seed: 1, movingOnly: true);
        Assert.Equal(2, moving.Sampled);
        Assert.Equal(0, moving.Unique);
        UnicityResult all = Unicity.Measure(data, 3, sampleSize: 10, seed: 1);
        Assert.Equal(1, all.Sampled);
        Assert.Equal(1, all.Unique);
    }

    [Fact]
    public void Unicity_sampling_is_seeded()
    {
        var data = new ReleasedDataset(Bucket);
        for (int v = 0; v < 200; v++)
        {
            for (int k = 0; k < 5; k++)
            {
                data.AddReleased(v, Cell(k % 2 == 0 ? "wtw3s" : "wtw3t"), T0 + (((v * 7) + k) % 40 * Bucket), vehicle: v);
            }
        }

        UnicityResult first = Unicity.Measure(data, 2, sampleSize: 50, seed: 3);
        Assert.Equal(first, Unicity.Measure(data, 2, sampleSize: 50, seed: 3));
        Assert.Equal(50, first.Sampled);
    }

    [Fact]
    public void Home_work_linkage_needs_both_cells_under_one_pseudonym_and_counts_unique_pairs()
    {
        var data = new ReleasedDataset(Bucket);
        long night = T0 + (2 * 3_600_000), day = T0 + (12 * 3_600_000);
        long h = Cell("wtw3s"), w = Cell("wtw3t"), h2 = Cell("wtw3u"), w2 = Cell("wtw3v");

        // Vehicle 0: one pseudonym, home at night, work by day. Vehicle 1: same pair, but night and day under two pseudonyms.
        data.AddReleased("v0", h, night, vehicle: 0);
        data.AddReleased("v0", w, day, vehicle: 0);
        data.AddReleased("v1-night", h, night, vehicle: 1);
        data.AddReleased("v1-day", w, day, vehicle: 1);

        // Vehicle 2: its own pair, two night points at home and one elsewhere.
        data.AddReleased("v2", h2, night, vehicle: 2);
        data.AddReleased("v2", h2, night + Bucket, vehicle: 2);
        data.AddReleased("v2", w, night + (2 * Bucket), vehicle: 2);
        data.AddReleased("v2", w2, day, vehicle: 2);
        data.SetHomeWork(0, h, w);
        data.SetHomeWork(1, h, w);
        data.SetHomeWork(2, h2, w2);

        HomeWorkResult r = HomeWorkLinkage.Measure(data);
        Assert.Equal(3, r.Commuters);
        Assert.Equal(2, r.Linked);
        Assert.Equal(1, r.SingledOut);
        Assert.Equal(1.5, r.MedianAnonymitySet);
        Assert.Equal(2.0 / 3, r.LinkedShare, 9);
    }

    [Fact]
    public void Cell_k_counts_distinct_vehicles_per_cell_and_bucket()
    {
        var data = new ReleasedDataset(Bucket);
        for (int v = 0; v < 6; v++)
        {
            data.AddReleased("p" + v, Cell("wtw3s"), T0, vehicle: v);
        }

        for (int v = 6; v < 8; v++)
        {
            data.AddReleased("p" + v, Cell("wtw3s"), T0 + Bucket, vehicle: v);
            data.AddReleased("p" + v, Cell("wtw3s"), T0 + Bucket, vehicle: v);
        }

        CellKResult r = CellK.Measure(data, k: 5);
        Assert.Equal(2, r.CellBuckets);
        Assert.Equal(1, r.CellBucketsBelowK);
        Assert.Equal(10, r.Records);
        Assert.Equal(4, r.RecordsBelowK);
        Assert.Equal(0.4, r.RecordsBelowKShare, 9);
        Assert.Equal(2, r.MinK);
    }

    [Fact]
    public void Segments_with_exact_continuity_are_all_chained()
    {
        var data = new ReleasedDataset(Bucket);
        string[] cells = ["wtw3s", "wtw6s", "wtw9s", "wtx3s", "wtx6s"]; // tens of kilometres apart
        for (int v = 0; v < 5; v++)
        {
            for (int segment = 0; segment < 3; segment++)
            {
                // Segment s covers buckets 4s..4s+4: the next one starts in the bucket and cell where it ended.
                for (int k = 0; k <= 4; k++)
                {
                    data.AddReleased(v + "/" + segment, Cell(cells[v]), T0 + (((segment * 4) + k) * Bucket), vehicle: v);
                }
            }
        }

        ChainingResult r = ChainingAttack.Measure(data);
        Assert.Equal(10, r.TruePairs);
        Assert.Equal(10, r.CorrectLinks);
        Assert.Equal(1.0, r.Recall);
        Assert.Equal(1.0, r.Precision);
    }

    [Fact]
    public void Chaining_tells_vehicles_apart_by_a_slowly_changing_attribute()
    {
        var data = new ReleasedDataset(Bucket);
        long c = Cell("wtw3s");
        data.AddReleased("0a", c, T0, attribute: 41_000, vehicle: 0);
        data.AddReleased("1a", c, T0, attribute: 87_000, vehicle: 1);
        data.AddReleased("0b", c, T0 + Bucket, attribute: 41_000, vehicle: 0);
        data.AddReleased("1b", c, T0 + Bucket, attribute: 87_000, vehicle: 1);

        ChainingResult with = ChainingAttack.Measure(data);
        Assert.Equal(2, with.TruePairs);
        Assert.Equal(2, with.Links);
        Assert.Equal(2, with.CorrectLinks);

        // Without the attribute both successors are equally good: the attacker does not guess.
        ChainingResult without = ChainingAttack.Measure(data, new ChainingOptions { UseAttributes = false });
        Assert.Equal(0, without.Links);
        Assert.Equal(0.0, without.Recall);
        Assert.True(double.IsNaN(without.Precision));
    }

    [Fact]
    public void Chaining_links_only_a_mutual_best_match()
    {
        // a ends where both b and c start; b starts a bucket sooner, so a -> b. c's only predecessor is a, but a prefers b.
        var data = new ReleasedDataset(Bucket);
        long cell = Cell("wtw3s");
        data.AddReleased("a", cell, T0, vehicle: 0);
        data.AddReleased("b", cell, T0 + Bucket, vehicle: 0);
        data.AddReleased("c", cell, T0 + (2 * Bucket), vehicle: 1);

        ChainingResult r = ChainingAttack.Measure(data);
        Assert.Equal(1, r.TruePairs);
        Assert.Equal(2, r.Links); // a -> b, and b -> c (b ends where c starts, and c's best predecessor is b)
        Assert.Equal(1, r.CorrectLinks);
        Assert.Equal(0.5, r.Precision);
        Assert.Equal(1.0, r.Recall);
    }

    [Fact]
    public void Chaining_respects_the_distance_and_gap_windows()
    {
        var data = new ReleasedDataset(Bucket);
        data.AddReleased("near-late", Cell("wtw3s"), T0, vehicle: 0);
        data.AddReleased("near-late-next", Cell("wtw3s"), T0 + (3 * Bucket), vehicle: 0); // 45 min later: beyond 30 min
        data.AddReleased("far", Cell("wtw9s"), T0 + (10 * Bucket), vehicle: 1);
        data.AddReleased("far-next", Cell("wtx3s"), T0 + (11 * Bucket), vehicle: 1); // far away

        ChainingResult r = ChainingAttack.Measure(data);
        Assert.Equal(2, r.TruePairs);
        Assert.Equal(0, r.Links);
        Assert.Equal(0.0, r.Recall);
        Assert.True(double.IsNaN(r.Precision));
    }

    [Theory]
    [InlineData(1, "wtw3s", 1, false)] // 32 cells 5 km across: ties everywhere
    [InlineData(2, "wtw3", 2, false)] // 1,024 cells 40 km across: the distance window matters
    [InlineData(3, "wtw3", 2, true)] // and a slowly changing attribute on some records
    [InlineData(4, "wtw3s", 1, true)]
    public void Chaining_finds_what_comparing_every_pair_of_traces_finds(int seed, string prefix, int suffix, bool attributes)
    {
        const string Base32 = "0123456789bcdefghjkmnpqrstuvwxyz";
        var random = new Random(seed);
        var data = new ReleasedDataset(Bucket);
        for (int t = 0; t < 1_500; t++)
        {
            int vehicle = random.Next(200);
            long time = T0 + (random.Next(40) * Bucket);
            for (int k = random.Next(1, 4); k > 0; k--)
            {
                string geohash = prefix;
                for (int c = 0; c < suffix; c++)
                {
                    geohash += Base32[random.Next(32)];
                }

                long attribute = attributes && random.Next(3) > 0 ? random.Next(4) : ReleasedDataset.NoAttribute;
                data.AddReleased("t" + t, Cell(geohash), time, attribute, vehicle);
                time += random.Next(2) * Bucket;
            }
        }

        var options = new ChainingOptions { AttributeTolerance = 1 };
        ChainingResult fast = ChainingAttack.Measure(data, options);
        ChainingResult everyPair = EveryPair(data, options);
        Assert.Equal(everyPair, fast);
        Assert.True(fast.Links > 10, $"{fast.Links} links: the data exercises the attack");
    }

    /// <summary>The chaining attack's definition, applied to every ordered pair of traces.</summary>
    private static ChainingResult EveryPair(ReleasedDataset data, ChainingOptions options)
    {
        List<ReleasedDataset.TraceInfo> traces = data.Traces;
        int n = traces.Count;
        var best = new (long Key, double Distance, int Trace, int Ties)[2, n];
        for (int i = 0; i < n; i++)
        {
            best[0, i] = best[1, i] = (long.MaxValue, double.MaxValue, -1, 0);
        }

        for (int a = 0; a < n; a++)
        {
            for (int b = 0; b < n; b++)
            {
                ReleasedDataset.TraceInfo ta = traces[a], tb = traces[b];
                long gap = tb.FirstTime - ta.LastTime;
                if (a == b || tb.FirstTime <= ta.FirstTime || gap < 0 || gap > options.MaxGapMillis || gap % data.BucketMillis != 0)
                {
                    continue;
                }

                (double lat1, double lon1) = GeohashCells.Centre(data.CellCode(ta.LastCell));
                (double lat2, double lon2) = GeohashCells.Centre(data.CellCode(tb.FirstCell));
                double distance = GeohashCells.DistanceKm(lat1, lon1, lat2, lon2);
                bool both = ta.LastAttribute != ReleasedDataset.NoAttribute && tb.FirstAttribute != ReleasedDataset.NoAttribute;
                if (distance > options.MaxDistanceKm || (both && Math.Abs(tb.FirstAttribute - ta.LastAttribute) > options.AttributeTolerance))
                {
                    continue;
                }

                long key = ((both ? 0L : 1L) << 62) | gap; // an attribute match first, then the shorter gap, then the distance
                Offer(ref best[0, a], key, distance, b);
                Offer(ref best[1, b], key, distance, a);
            }
        }

        int links = 0, correct = 0;
        var pairs = new HashSet<(int, int)>();
        var byVehicle = new Dictionary<int, List<int>>();
        for (int t = 0; t < n; t++)
        {
            if (!byVehicle.TryGetValue(traces[t].Vehicle, out List<int>? list))
            {
                byVehicle[traces[t].Vehicle] = list = [];
            }

            list.Add(t);
        }

        foreach (List<int> list in byVehicle.Values)
        {
            list.Sort((x, y) => traces[x].FirstTime != traces[y].FirstTime ? traces[x].FirstTime.CompareTo(traces[y].FirstTime) : x.CompareTo(y));
            for (int i = 1; i < list.Count; i++)
            {
                pairs.Add((list[i - 1], list[i]));
            }
        }

        for (int a = 0; a < n; a++)
        {
            int b = best[0, a].Trace;
            if (b >= 0 && best[0, a].Ties == 1 && best[1, b].Trace == a && best[1, b].Ties == 1)
            {
                links++;
                correct += pairs.Contains((a, b)) ? 1 : 0;
            }
        }

        return new ChainingResult(pairs.Count, links, correct);

        static void Offer(ref (long Key, double Distance, int Trace, int Ties) best, long key, double distance, int trace)
        {
            int c = best.Trace < 0 ? -1 : key != best.Key ? key.CompareTo(best.Key) : distance.CompareTo(best.Distance);
            if (c < 0)
            {
                best = (key, distance, trace, 1);
            }
            else if (c == 0)
            {
                best.Ties++;
            }
        }
    }

    [Fact]
    public void Utility_compares_released_points_and_counts_with_the_truth()
    {
        var data = new ReleasedDataset(Bucket);
        long c = Cell("wtw3s");
        for (int v = 0; v < 100; v++)
        {
            data.AddTruth(v, c, T0, moving: true);
            data.AddTruth(v, c, T0 + Bucket, moving: true); // nothing released here
            data.AddTruth(v, c, T0 + (2 * Bucket), moving: false); // parked vehicles are not counted
            if (v < 90)
            {
                data.AddReleased("p" + v, c, T0, vehicle: v, moving: true);
            }
        }

        for (int v = 0; v < 10; v++)
        {
            data.AddTruth(v, Cell("wtw3t"), T0, moving: true); // too few vehicles to compare
        }

        UtilityResult r = Utility.Measure(data, minVehicles: 50);
        Assert.Equal(210, r.EligibleRecords);
        Assert.Equal(90, r.ReleasedEligibleRecords);
        Assert.Equal(90.0 / 210, r.ReleasedShare, 9);
        Assert.Equal(2, r.Counts.CellsCompared);
        Assert.Equal((0.1 + 1.0) / 2, r.Counts.MeanRelativeError, 9);
        Assert.Equal(1.0, r.Counts.MaxRelativeError, 9);
        Assert.Equal(1, r.Counts.WithinTenPercent);
        Assert.Equal(0, r.PublishedCells);
        Assert.Equal(r.Counts, r.PseudonymCounts);

        // A count published with the first (cell, bucket) replaces the distinct pseudonyms there, and only there.
        data.AddPublishedCount(c, T0, 98);
        data.AddPublishedCount(c, T0, 98);
        r = Utility.Measure(data, minVehicles: 50);
        Assert.Equal(1, r.PublishedCells);
        Assert.Equal((0.02 + 1.0) / 2, r.Counts.MeanRelativeError, 9);
        Assert.Equal((0.1 + 1.0) / 2, r.PseudonymCounts.MeanRelativeError, 9);
        Assert.Equal(0, data.InconsistentPublishedCounts);
        data.AddPublishedCount(c, T0, 97);
        Assert.Equal(1, data.InconsistentPublishedCounts);
    }

    [Fact]
    public void The_report_prints_every_measure()
    {
        var data = new ReleasedDataset(Bucket);
        for (int v = 0; v < 8; v++)
        {
            for (int k = 0; k < 5; k++)
            {
                data.AddReleased(v, Cell(k == 4 ? "wtw3t" : "wtw3s"), T0 + ((k + v) * Bucket), vehicle: v);
                data.AddTruth(v, Cell(k == 4 ? "wtw3t" : "wtw3s"), T0 + ((k + v) * Bucket), moving: true);
            }
        }

        PrivacyReport report = PrivacyAudit.Measure(data, new PrivacyAuditOptions { Label = "crafted" });
        string table = report.ToTable();
        Assert.Equal(4, report.Unicity.Count);
        Assert.Equal(8, report.Traces);
        Assert.Equal(40, report.ReleasedRecords);
        Assert.Contains("privacy report: crafted", table, StringComparison.Ordinal);
        Assert.Contains("unicity, p = 4", table, StringComparison.Ordinal);
        Assert.Contains("released records in a (cell, bucket) with k < 5", table, StringComparison.Ordinal);
        Assert.Contains("chaining: consecutive segments re-linked (recall)", table, StringComparison.Ordinal);
        Assert.Contains("eligible (moving) points released", table, StringComparison.Ordinal);
        Assert.Contains("100.0 %", table, StringComparison.Ordinal);
    }
}
