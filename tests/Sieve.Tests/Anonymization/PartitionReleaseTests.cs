using Sieve.Contracts.Avro;
using Sieve.Core.Anonymization;
using Sieve.Core.Generalization;
using Sieve.Core.Pipeline;
using Sieve.Core.Privacy;

namespace Sieve.Tests.Anonymization;

/// <summary>
/// The release stage's decisions for one partition, without Kafka: records are decided on arrival (parked, zone,
/// start trim, gap), at the end of their bucket's hold (end trim) and by their (cell, bucket)'s count, and are taken
/// for commit strictly in offset order.
/// </summary>
public sealed class PartitionReleaseTests
{
    private const long T0 = 1_764_028_800_000; // 2025-11-25T00:00Z, a segment window boundary
    private const long Minute = 60_000;
    private const double Lat = 31.2000;
    private const double Lon = 121.5000;
    // About 100 m of latitude.
    private const double Step = 0.0009;

    private static AnonymizationRules Rules(int minVehicles = 2, ExcludedZones? zones = null, int maxCells = 1) => new()
    {
        SegmentMillis = 30 * Minute,
        SegmentMaxMeters = 25_000,
        SegmentMaxCells = maxCells,
        GapMillis = 1 * Minute,
        TrimMinMeters = 200,
        TrimMaxMeters = 200,
        StopMillis = 5 * Minute,
        HoldMillis = 10 * Minute,
        MinVehicles = minVehicles,
        CountDelayMillis = 2 * Minute,
        Zones = zones ?? ExcludedZones.None,
        CellPrecision = 5,
        BucketMillis = 15 * Minute,
        PendingTopic = "analytics.pending.v1",
    };

    private sealed class Driver(AnonymizationRules rules)
    {
        private readonly InMemoryDensityCounter _density = new();
        private long _offset;

        public PartitionRelease Partition { get; } = new("analytics.pending.v1", 0, rules);

        public List<long> Offsets { get; } = [];

        public long Arrive(string vehicle, long time, double lat, double lon, bool engineOn = true) => Arrive(vehicle, time, lat, lon, engineOn, outlet: null);

        public long Arrive(string vehicle, long time, double lat, double lon, bool? engineOn, string? outlet)
        {
            Span<byte> cell = stackalloc byte[5];
            Geohash.Encode(lat, lon, 5, cell);
            byte[] record = new byte[64];
            record[10] = 64; // the placeholder subject's length: 32
            byte[] buffer = new byte[1024];
            int n = ReleaseCandidateCodec.Write(buffer, System.Text.Encoding.ASCII.GetBytes(vehicle), outlet is null ? 0 : 1, time, lat, lon, outlet is null ? 40f : null,
                engineOn, System.Text.Encoding.ASCII.GetBytes(outlet ?? ""), outlet is not null, cell,
                TimeBuckets.Floor(time, 15 * Minute), record);
            Assert.Equal(AvroStatus.Ok, ReleaseCandidateCodec.TryRead(buffer.AsSpan(0, n), out ReleaseCandidate c));
            long offset = _offset++;
            Partition.Arrive(offset, c);
            return offset;
        }

        /// <summary>Runs the stage's steps at <paramref name="watermark"/> and takes what is decided.</summary>
        public async Task<List<HeldRecord>> AdvanceAsync(long watermark)
        {
            var traffic = new List<DensityEntry>();
            Partition.DrainTraffic(traffic);
            await _density.AddAsync(traffic, "analytics", DensityCount.Traffic, CancellationToken.None);
            var counted = new List<DensityEntry>();
            Partition.PassTrim(watermark, counted);
            await _density.AddAsync(counted, "analytics", DensityCount.Candidates, CancellationToken.None);
            var cells = new HashSet<(long, long)>();
            Partition.DueCells(watermark, cells);
            var decisions = new Dictionary<(long Cell, long Bucket), CellDecision>();
            await _density.DecideAsync(cells, "analytics", rules.MinVehicles, decisions, CancellationToken.None);
            Partition.ApplyDecisions(watermark, decisions);
            var taken = new List<HeldRecord>();
            Partition.TakeDecided(taken);
            return taken;
        }
    }

    [Fact]
    public async Task A_trip_is_trimmed_at_both_ends_its_parked_records_withheld_and_the_middle_released_under_one_segment_pseudonym()
    {
        var d = new Driver(Rules(minVehicles: 1));
        long t = T0 + (2 * Minute);
        var offsets = new List<long> { d.Arrive("v1", t, Lat, Lon, engineOn: false) }; // parked before the trip
        for (int i = 0; i <= 10; i++)
        {
            offsets.Add(d.Arrive("v1", t + ((i + 1) * 10_000), Lat + (i * Step), Lon)); // 0..1 km north
        }

        offsets.Add(d.Arrive("v1", t + (12 * 10_000), Lat + (10 * Step), Lon, engineOn: false)); // ignition off: the trip ends here

        List<HeldRecord> taken = await d.AdvanceAsync(long.MaxValue);
        Assert.Equal(offsets, taken.Select(r => r.Offset));
        Outcome?[] outcomes = [.. taken.Select(r => r.Outcome)];
        Assert.Equal(Outcome.WithheldParked, outcomes[0]);
        Assert.Equal(Outcome.WithheldParked, outcomes[^1]);
        // Closer than 200 m to the start (0, 100 m) and to the end (900 m, 1 km), trimmed; between them, released.
        Assert.Equal([Outcome.WithheldTrimmed, Outcome.WithheldTrimmed], outcomes[1..3]);
        Assert.All(outcomes[3..10], o => Assert.Equal(Outcome.Forwarded, o));
        Assert.Equal([Outcome.WithheldTrimmed, Outcome.WithheldTrimmed], outcomes[10..12]);
        Assert.Single(taken.Where(r => r.Outcome == Outcome.Forwarded).Select(r => System.Text.Encoding.ASCII.GetString(r.Pseudonym!)).Distinct());
    }

    [Fact]
    public async Task A_new_cell_or_window_starts_a_new_random_pseudonym_and_the_window_end_is_gap()
    {
        var d = new Driver(Rules(minVehicles: 1));
        // Start far from the end so that trimming does not interfere: leave the start, then drive east across a cell border.
        d.Arrive("v1", T0 + Minute, Lat, Lon);
        d.Arrive("v1", T0 + (2 * Minute), Lat + (5 * Step), Lon);
        long inFirstCell = d.Arrive("v1", T0 + (3 * Minute), Lat + (5 * Step), Lon + 0.01);
        long inSecondCell = d.Arrive("v1", T0 + (4 * Minute), Lat + (5 * Step), Lon + 0.10);
        for (int m = 6; m < 29; m += 2)
        {
            d.Arrive("v1", T0 + (m * Minute), Lat + (5 * Step), Lon + 0.10); // waiting in traffic: no stop long enough to end the trip
        }

        long gap = d.Arrive("v1", T0 + (29 * Minute) + 30_000, Lat + (5 * Step), Lon + 0.10);
        long nextWindow = d.Arrive("v1", T0 + (31 * Minute), Lat + (5 * Step), Lon + 0.10);
        d.Arrive("v1", T0 + (33 * Minute), Lat + (5 * Step), Lon + 0.30);

        Dictionary<long, HeldRecord> byOffset = (await d.AdvanceAsync(long.MaxValue)).ToDictionary(r => r.Offset);
        Assert.Equal(Outcome.WithheldGap, byOffset[gap].Outcome);
        string first = Pseudonym(byOffset[inFirstCell]);
        string second = Pseudonym(byOffset[inSecondCell]);
        string third = Pseudonym(byOffset[nextWindow]);
        Assert.NotEqual(first, second);
        Assert.NotEqual(second, third);
        Assert.All([first, second, third], p => Assert.Matches("^[a-z2-7]{32}$", p));
    }

    [Fact]
    public async Task A_cell_with_fewer_vehicles_than_k_is_withheld_and_one_with_k_is_released_for_all_of_them()
    {
        var d = new Driver(Rules(minVehicles: 3));
        long t = T0 + (5 * Minute);
        var sparse = new List<long>();
        var dense = new List<long>();
        for (int v = 0; v < 3; v++)
        {
            // Each vehicle leaves its start first, so its later records are past the trim.
            d.Arrive("dense-" + v, t, Lat, Lon);
            dense.Add(d.Arrive("dense-" + v, t + Minute, Lat + (5 * Step), Lon));
            d.Arrive("dense-" + v, t + (2 * Minute), Lat + (50 * Step), Lon); // moved on: the held record is far from any trip end
        }

        for (int v = 0; v < 2; v++)
        {
            d.Arrive("sparse-" + v, t, Lat, Lon + 0.2);
            sparse.Add(d.Arrive("sparse-" + v, t + Minute, Lat + (5 * Step), Lon + 0.2));
            d.Arrive("sparse-" + v, t + (2 * Minute), Lat + (50 * Step), Lon + 0.2);
        }

        // Nothing is due before the bucket's end, its hold and the count delay.
        long bucketEnd = T0 + (15 * Minute);
        Assert.DoesNotContain(await d.AdvanceAsync(bucketEnd + (12 * Minute) - 1), r => r.Outcome is Outcome.Forwarded or Outcome.WithheldSparseCell);
        Dictionary<long, HeldRecord> byOffset = (await d.AdvanceAsync(bucketEnd + (12 * Minute))).ToDictionary(r => r.Offset);

        Assert.All(dense, o => Assert.Equal(Outcome.Forwarded, byOffset[o].Outcome));
        Assert.All(sparse, o => Assert.Equal(Outcome.WithheldSparseCell, byOffset[o].Outcome));
        Assert.Equal(0, d.Partition.Pending);
    }

    [Fact]
    public async Task Records_are_taken_only_in_offset_order_behind_the_first_undecided()
    {
        var d = new Driver(Rules(minVehicles: 1));
        d.Arrive("v1", T0 + Minute, Lat, Lon, engineOn: false); // decided on arrival
        d.Arrive("v2", T0 + Minute, Lat, Lon);                   // trimmed on arrival
        long held = d.Arrive("v2", T0 + (3 * Minute), Lat + (5 * Step), Lon); // held until its bucket is due
        d.Arrive("v3", T0 + Minute, Lat, Lon, engineOn: false);  // decided, but behind the held one

        List<HeldRecord> first = await d.AdvanceAsync(T0 + (5 * Minute));
        Assert.Equal([0L, 1L], first.Select(r => r.Offset));
        Assert.Equal(2, d.Partition.Pending);

        List<HeldRecord> second = await d.AdvanceAsync(long.MaxValue);
        Assert.Equal([held, 3L], second.Select(r => r.Offset));
    }

    [Fact]
    public async Task Nothing_is_released_inside_an_excluded_zone()
    {
        ExcludedZones zones = ExcludedZones.Create([("clinic", ExcludedZones.Circle(Lat + (5 * Step), Lon, 150))], out string? problem)!;
        Assert.Null(problem);
        var d = new Driver(Rules(minVehicles: 1, zones: zones));
        d.Arrive("v1", T0 + Minute, Lat, Lon);
        long inside = d.Arrive("v1", T0 + (2 * Minute), Lat + (5 * Step), Lon);
        long outside = d.Arrive("v1", T0 + (3 * Minute), Lat + (5 * Step), Lon + 0.01);
        d.Arrive("v1", T0 + (4 * Minute), Lat + (5 * Step), Lon + 0.05);

        Dictionary<long, HeldRecord> byOffset = (await d.AdvanceAsync(long.MaxValue)).ToDictionary(r => r.Offset);
        Assert.Equal(Outcome.WithheldZone, byOffset[inside].Outcome);
        Assert.Equal(Outcome.Forwarded, byOffset[outside].Outcome);
    }

    [Fact]
    public async Task A_wifi_visitor_gets_one_pseudonym_per_visit_untrimmed_and_a_new_one_at_another_outlet()
    {
        var d = new Driver(Rules(minVehicles: 1));
        long first = d.Arrive("phone-1", T0 + Minute, Lat, Lon, engineOn: null, outlet: "SH-PD-001");
        long again = d.Arrive("phone-1", T0 + (2 * Minute), Lat, Lon, engineOn: null, outlet: "SH-PD-001");
        long elsewhere = d.Arrive("phone-1", T0 + (3 * Minute), Lat, Lon, engineOn: null, outlet: "SH-PD-002");

        Dictionary<long, HeldRecord> byOffset = (await d.AdvanceAsync(long.MaxValue)).ToDictionary(r => r.Offset);
        // A visit has no trip ends to trim and no ignition: its first record is released.
        Assert.Equal(Pseudonym(byOffset[first]), Pseudonym(byOffset[again]));
        Assert.NotEqual(Pseudonym(byOffset[again]), Pseudonym(byOffset[elsewhere]));
    }

    [Fact]
    public void An_unreadable_pending_record_is_quarantined_in_its_turn()
    {
        var d = new Driver(Rules());
        d.Partition.Reject(0, "bad-marker");
        var taken = new List<HeldRecord>();
        Assert.Equal(1, d.Partition.TakeDecided(taken));
        Assert.Equal("bad-marker", Assert.Single(taken).QuarantineCode);
    }

    [Fact]
    public async Task The_first_decision_of_a_cell_stands_for_vehicles_counted_later()
    {
        var counter = new InMemoryDensityCounter();
        long cell = GeohashCells.Pack("wtw3s");
        await counter.AddAsync([new DensityEntry(cell, T0, 1)], "analytics", DensityCount.Candidates, CancellationToken.None);
        await counter.AddAsync([new DensityEntry(cell, T0, 1), new DensityEntry(cell, T0, 3)], "analytics", DensityCount.Traffic, CancellationToken.None);
        var decisions = new Dictionary<(long Cell, long Bucket), CellDecision>();
        await counter.DecideAsync([(cell, T0)], "analytics", 2, decisions, CancellationToken.None);
        Assert.Equal(new CellDecision(false, 0), decisions[(cell, T0)]);

        // A second vehicle counted after the decision does not release the first one's records after all.
        await counter.AddAsync([new DensityEntry(cell, T0, 2)], "analytics", DensityCount.Candidates, CancellationToken.None);
        await counter.DecideAsync([(cell, T0)], "analytics", 2, decisions, CancellationToken.None);
        Assert.Equal(new CellDecision(false, 0), decisions[(cell, T0)]);

        // Traffic counts at least the candidates, and the first count stands with the decision.
        long next = T0 + (15 * Minute);
        await counter.AddAsync([new DensityEntry(cell, next, 1), new DensityEntry(cell, next, 2)], "analytics", DensityCount.Candidates, CancellationToken.None);
        await counter.AddAsync([new DensityEntry(cell, next, 1)], "analytics", DensityCount.Traffic, CancellationToken.None);
        await counter.DecideAsync([(cell, next)], "analytics", 2, decisions, CancellationToken.None);
        Assert.Equal(new CellDecision(true, 2), decisions[(cell, next)]);
        await counter.AddAsync([new DensityEntry(cell, next, 7), new DensityEntry(cell, next, 8)], "analytics", DensityCount.Traffic, CancellationToken.None);
        await counter.DecideAsync([(cell, next)], "analytics", 2, decisions, CancellationToken.None);
        Assert.Equal(new CellDecision(true, 2), decisions[(cell, next)]);
    }

    [Fact]
    public async Task Released_records_carry_their_cells_traffic_count_which_includes_vehicles_seen_only_in_trimmed_records()
    {
        var d = new Driver(Rules(minVehicles: 3));
        long t = T0 + (5 * Minute);
        var through = new List<long>();
        for (int v = 0; v < 3; v++)
        {
            d.Arrive("through-" + v, t, Lat, Lon);
            through.Add(d.Arrive("through-" + v, t + Minute, Lat + (5 * Step), Lon));
            d.Arrive("through-" + v, t + (2 * Minute), Lat + (50 * Step), Lon);
        }

        // Two vehicles that start, move 100 m and park in the same cell and bucket: every record is trimmed or parked.
        var trimmed = new List<long>();
        for (int v = 0; v < 2; v++)
        {
            trimmed.Add(d.Arrive("short-" + v, t, Lat + (2 * Step), Lon));
            trimmed.Add(d.Arrive("short-" + v, t + Minute, Lat + (3 * Step), Lon));
            d.Arrive("short-" + v, t + (2 * Minute), Lat + (3 * Step), Lon, engineOn: false);
        }

        Dictionary<long, HeldRecord> byOffset = (await d.AdvanceAsync(long.MaxValue)).ToDictionary(r => r.Offset);
        Assert.All(trimmed, o => Assert.Equal(Outcome.WithheldTrimmed, byOffset[o].Outcome));
        Assert.All(through, o => Assert.Equal(Outcome.Forwarded, byOffset[o].Outcome));
        Assert.All(through, o => Assert.Equal(5, byOffset[o].CellVehicles));
        Assert.All(byOffset.Values.Where(r => r.Outcome != Outcome.Forwarded), r => Assert.Equal(0, r.CellVehicles));
    }

    private static string Pseudonym(HeldRecord r)
    {
        Assert.Equal(Outcome.Forwarded, r.Outcome);
        return System.Text.Encoding.ASCII.GetString(r.Pseudonym!);
    }
}
