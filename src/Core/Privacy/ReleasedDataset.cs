namespace Sieve.Core.Privacy;

/// <summary>
/// What a purpose released, as an attacker reads it, plus the ground truth a simulation knows: the input of the
/// attacks (<see cref="Unicity"/>, <see cref="HomeWorkLinkage"/>, <see cref="CellK"/>, <see cref="ChainingAttack"/>,
/// <see cref="Utility"/>).
/// </summary>
/// <remarks>
/// <para>A released record is a pseudonym, a cell (a packed geohash, <see cref="GeohashCells"/>), the start of its time
/// bucket and optionally one slowly changing attribute (such as the rounded odometer). A pseudonym's records form its
/// <em>trace</em>. Records are kept as distinct (trace, cell, bucket) points, so repeated records of the same point cost
/// nothing more than a counter; a day of 100,000 vehicles fits in a few hundred megabytes.</para>
/// <para>Ground truth, where known: the vehicle behind each released record, whether it was recorded while the vehicle
/// moved, every raw record generalized the same way (<see cref="AddTruth"/>: the eligible points and the true counts),
/// and each commuter's home and work cells (<see cref="SetHomeWork"/>).</para>
/// <para>Limits: 2^23 traces and vehicles, 2^24 distinct cells and 2^16 distinct buckets.</para>
/// </remarks>
public sealed class ReleasedDataset
{
    /// <summary>The attribute value of a record that carries none.</summary>
    public const long NoAttribute = long.MinValue;

    internal const int MaxTraces = 1 << 23;
    internal const int MaxCells = 1 << 24;
    internal const int MaxBuckets = 1 << 16;

    private readonly Dictionary<long, int> _cellIds = [];
    private readonly List<long> _cellCodes = [];
    private readonly Dictionary<long, int> _bucketIds = [];
    private readonly List<long> _bucketStarts = [];
    private readonly Dictionary<long, int> _traceByKey = [];
    private readonly Dictionary<string, int> _traceByName = new(StringComparer.Ordinal);
    private readonly List<TraceInfo> _traces = [];
    private readonly Dictionary<long, bool> _points = [];
    private readonly Dictionary<long, int> _recordsPerCellBucket = [];
    private readonly Dictionary<long, long> _publishedCounts = [];
    private readonly HashSet<long> _vehicleCellBuckets = [];
    private readonly HashSet<long> _truthVehicleCellBuckets = [];
    private readonly Dictionary<int, (int Home, int Work)> _homeWork = [];
    private PointIndex? _index;

    /// <summary>Creates an empty dataset whose buckets are <paramref name="bucketMillis"/> wide.</summary>
    /// <param name="bucketMillis">Width of a time bucket, milliseconds.</param>
    /// <param name="utcOffsetMinutes">Offset of local time from UTC, for the night and day hours of home/work inference.</param>
    public ReleasedDataset(long bucketMillis, int utcOffsetMinutes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bucketMillis);
        BucketMillis = bucketMillis;
        UtcOffsetMinutes = utcOffsetMinutes;
    }

    /// <summary>Width of a time bucket, milliseconds.</summary>
    public long BucketMillis { get; }

    /// <summary>Offset of local time from UTC, minutes.</summary>
    public int UtcOffsetMinutes { get; }

    /// <summary>Released records added (every record, also repeats of a point).</summary>
    public long ReleasedRecords { get; private set; }

    /// <summary>Released records that ground truth marks as recorded while moving.</summary>
    public long ReleasedMovingRecords { get; private set; }

    /// <summary>Raw records added as ground truth (<see cref="AddTruth"/>).</summary>
    public long TruthRecords { get; private set; }

    /// <summary>Raw records added as ground truth that were recorded while moving: the eligible points.</summary>
    public long EligibleRecords { get; private set; }

    /// <summary>Released traces (distinct pseudonyms).</summary>
    public int TraceCount => _traces.Count;

    /// <summary>Distinct released (trace, cell, bucket) points.</summary>
    public int PointCount => _points.Count;

    /// <summary>Vehicles with home and work cells (commuters).</summary>
    public int CommuterCount => _homeWork.Count;

    internal List<TraceInfo> Traces => _traces;

    internal Dictionary<long, int> RecordsPerCellBucket => _recordsPerCellBucket;

    /// <summary>Per (cell, bucket), the vehicle count the release published with it (e.g. <c>cellVehicles</c>).</summary>
    internal Dictionary<long, long> PublishedCounts => _publishedCounts;

    /// <summary>Published counts that disagreed with the count an earlier record of the same (cell, bucket) carried.</summary>
    public long InconsistentPublishedCounts { get; private set; }

    internal HashSet<long> VehicleCellBuckets => _vehicleCellBuckets;

    internal HashSet<long> TruthVehicleCellBuckets => _truthVehicleCellBuckets;

    internal Dictionary<int, (int Home, int Work)> HomeWork => _homeWork;

    /// <summary>Adds a released record whose pseudonym is a string.</summary>
    /// <param name="pseudonym">The pseudonym as released.</param>
    /// <param name="cell">The released cell, packed (<see cref="GeohashCells.Pack(string)"/>).</param>
    /// <param name="bucketStart">Start of the released time bucket, Unix milliseconds.</param>
    /// <param name="attribute">A slowly changing attribute as released (e.g. the rounded odometer in metres), or <see cref="NoAttribute"/>.</param>
    /// <param name="vehicle">Ground truth: the vehicle behind the record, or -1 when unknown.</param>
    /// <param name="moving">Ground truth: recorded while the vehicle moved.</param>
    public void AddReleased(string pseudonym, long cell, long bucketStart, long attribute = NoAttribute, int vehicle = -1, bool moving = true)
    {
        ArgumentNullException.ThrowIfNull(pseudonym);
        if (!_traceByName.TryGetValue(pseudonym, out int trace))
        {
            trace = NewTrace(vehicle);
            _traceByName.Add(pseudonym, trace);
        }

        Add(trace, cell, bucketStart, attribute, vehicle, moving);
    }

    /// <summary>Adds a released record whose pseudonym and cell are strings (the cell a geohash).</summary>
    /// <exception cref="ArgumentException"><paramref name="geohash"/> is not a geohash.</exception>
    /// <inheritdoc cref="AddReleased(string, long, long, long, int, bool)"/>
    public void AddReleased(string pseudonym, string geohash, long bucketStart, long attribute = NoAttribute, int vehicle = -1, bool moving = true) =>
        AddReleased(pseudonym, GeohashCells.Pack(geohash), bucketStart, attribute, vehicle, moving);

    /// <summary>Adds a released record whose pseudonym is a number (e.g. a hash of the released pseudonym).</summary>
    /// <inheritdoc cref="AddReleased(string, long, long, long, int, bool)"/>
    public void AddReleased(long pseudonym, long cell, long bucketStart, long attribute = NoAttribute, int vehicle = -1, bool moving = true)
    {
        if (!_traceByKey.TryGetValue(pseudonym, out int trace))
        {
            trace = NewTrace(vehicle);
            _traceByKey.Add(pseudonym, trace);
        }

        Add(trace, cell, bucketStart, attribute, vehicle, moving);
    }

    /// <summary>
    /// Records the vehicle count a release published with a (cell, bucket), as an analyst would read it off a released
    /// record (e.g. its <c>cellVehicles</c>); <see cref="Utility"/> compares it with the truth. The first count of a
    /// (cell, bucket) stands; a different later one is counted in <see cref="InconsistentPublishedCounts"/>.
    /// </summary>
    public void AddPublishedCount(long cell, long bucketStart, long vehicles)
    {
        ref long known = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_publishedCounts, CellBucket(cell, bucketStart), out bool exists);
        if (!exists)
        {
            known = vehicles;
        }
        else if (known != vehicles)
        {
            InconsistentPublishedCounts++;
        }
    }

    /// <summary>
    /// Adds one raw record as ground truth, generalized like the release (same cell precision and buckets): it counts
    /// as eligible when <paramref name="moving"/>, and towards the true distinct vehicles of its (cell, bucket).
    /// </summary>
    public void AddTruth(int vehicle, long cell, long bucketStart, bool moving)
    {
        CheckVehicle(vehicle);
        TruthRecords++;
        if (moving)
        {
            EligibleRecords++;
        }

        if (moving)
        {
            // True counts are of moving vehicles: parked records are not eligible, and a release may withhold them all.
            _truthVehicleCellBuckets.Add(((long)vehicle << 40) | CellBucket(cell, bucketStart));
        }
    }

    /// <summary>Ground truth: commuter <paramref name="vehicle"/> lives in <paramref name="homeCell"/> and works in <paramref name="workCell"/> (packed cells at the release's precision).</summary>
    public void SetHomeWork(int vehicle, long homeCell, long workCell)
    {
        CheckVehicle(vehicle);
        _homeWork[vehicle] = (CellId(homeCell), CellId(workCell));
    }

    /// <summary>The packed cell of an internal cell id.</summary>
    internal long CellCode(int cellId) => _cellCodes[cellId];

    /// <summary>Distinct cells seen (internal cell ids are 0 .. CellCount - 1).</summary>
    internal int CellCount => _cellCodes.Count;

    /// <summary>The start of an internal bucket id.</summary>
    internal long BucketStart(int bucketId) => _bucketStarts[bucketId];

    /// <summary>The local hour of day (0..23) of an internal bucket id's start.</summary>
    internal int LocalHour(int bucketId)
    {
        long local = _bucketStarts[bucketId] + (UtcOffsetMinutes * 60_000L);
        long ms = ((local % 86_400_000) + 86_400_000) % 86_400_000;
        return (int)(ms / 3_600_000);
    }

    /// <summary>The points grouped by trace, with their posting lists; built on first use after the last change.</summary>
    internal PointIndex Index => _index ??= new PointIndex(_points, _traces.Count);

    private int NewTrace(int vehicle)
    {
        if (_traces.Count >= MaxTraces)
        {
            throw new InvalidOperationException("Too many traces.");
        }

        _traces.Add(new TraceInfo { Vehicle = vehicle, FirstTime = long.MaxValue, LastTime = long.MinValue });
        return _traces.Count - 1;
    }

    private void Add(int trace, long cell, long bucketStart, long attribute, int vehicle, bool moving)
    {
        if (vehicle >= 0)
        {
            CheckVehicle(vehicle);
        }

        _index = null;
        int cellId = CellId(cell);
        int bucketId = BucketId(bucketStart);
        long cellBucket = ((long)cellId << 16) | (uint)bucketId;
        ReleasedRecords++;
        if (moving)
        {
            ReleasedMovingRecords++;
        }

        long point = ((long)trace << 40) | cellBucket;
        ref bool anyMoving = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_points, point, out _);
        anyMoving |= moving;
        ref int records = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_recordsPerCellBucket, cellBucket, out _);
        records++;
        if (vehicle >= 0)
        {
            _vehicleCellBuckets.Add(((long)vehicle << 40) | cellBucket);
        }

        System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_traces)[trace].Observe(vehicle, bucketStart, cellId, attribute);
    }

    private long CellBucket(long cell, long bucketStart) => ((long)CellId(cell) << 16) | (uint)BucketId(bucketStart);

    private int CellId(long cell)
    {
        if (!_cellIds.TryGetValue(cell, out int id))
        {
            if (_cellCodes.Count >= MaxCells)
            {
                throw new InvalidOperationException("Too many distinct cells.");
            }

            id = _cellCodes.Count;
            _cellIds.Add(cell, id);
            _cellCodes.Add(cell);
        }

        return id;
    }

    private int BucketId(long bucketStart)
    {
        if (!_bucketIds.TryGetValue(bucketStart, out int id))
        {
            if (_bucketStarts.Count >= MaxBuckets)
            {
                throw new InvalidOperationException("Too many distinct buckets.");
            }

            id = _bucketStarts.Count;
            _bucketIds.Add(bucketStart, id);
            _bucketStarts.Add(bucketStart);
        }

        return id;
    }

    private static void CheckVehicle(int vehicle)
    {
        if ((uint)vehicle >= MaxTraces)
        {
            throw new ArgumentOutOfRangeException(nameof(vehicle));
        }
    }

    /// <summary>A trace's summary: its vehicle (ground truth) and its first and last points, for chaining.</summary>
    internal struct TraceInfo
    {
        public int Vehicle;
        public long FirstTime;
        public long LastTime;
        public int FirstCell;
        public int LastCell;
        public long FirstAttribute;
        public long LastAttribute;

        public void Observe(int vehicle, long time, int cell, long attribute)
        {
            if (Vehicle < 0)
            {
                Vehicle = vehicle;
            }

            if (time < FirstTime)
            {
                (FirstTime, FirstCell, FirstAttribute) = (time, cell, attribute);
            }

            if (time >= LastTime)
            {
                (LastTime, LastCell, LastAttribute) = (time, cell, attribute);
            }
        }
    }

    /// <summary>
    /// The distinct points sorted by trace (<see cref="TraceStart"/> gives each trace's range) and, per (cell, bucket),
    /// the ascending list of traces holding it.
    /// </summary>
    internal sealed class PointIndex
    {
        public PointIndex(Dictionary<long, bool> points, int traces)
        {
            long[] keys = new long[points.Count];
            points.Keys.CopyTo(keys, 0);
            Array.Sort(keys);
            Points = new long[keys.Length];
            Moving = new bool[keys.Length];
            TraceStart = new int[traces + 1];
            var slots = new Dictionary<long, int>();
            var counts = new List<int>();
            PointSlot = new int[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                long cellBucket = keys[i] & ((1L << 40) - 1);
                Points[i] = cellBucket;
                Moving[i] = points[keys[i]];
                TraceStart[(int)(keys[i] >> 40) + 1]++;
                ref int slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(slots, cellBucket, out bool exists);
                if (!exists)
                {
                    slot = counts.Count;
                    counts.Add(0);
                }

                PointSlot[i] = slot;
                counts[slot]++;
            }

            for (int t = 0; t < traces; t++)
            {
                TraceStart[t + 1] += TraceStart[t];
            }

            PostingStart = new int[counts.Count + 1];
            for (int s = 0; s < counts.Count; s++)
            {
                PostingStart[s + 1] = PostingStart[s] + counts[s];
            }

            Postings = new int[keys.Length];
            int[] fill = new int[counts.Count];
            for (int i = 0; i < keys.Length; i++)
            {
                int slot = PointSlot[i];
                Postings[PostingStart[slot] + fill[slot]++] = (int)(keys[i] >> 40);
            }

            SlotOf = slots;
        }

        /// <summary>The posting slot of each released (cell id &lt;&lt; 16 | bucket id).</summary>
        public Dictionary<long, int> SlotOf { get; }

        /// <summary>The (cell id &lt;&lt; 16 | bucket id) of every point, grouped by trace.</summary>
        public long[] Points { get; }

        /// <summary>Whether any record of the point was recorded while moving.</summary>
        public bool[] Moving { get; }

        /// <summary>The posting slot of every point.</summary>
        public int[] PointSlot { get; }

        /// <summary>Trace t's points are [TraceStart[t], TraceStart[t + 1]).</summary>
        public int[] TraceStart { get; }

        /// <summary>Slot s's traces are Postings[PostingStart[s] .. PostingStart[s + 1]), ascending.</summary>
        public int[] PostingStart { get; }

        /// <summary>The traces of each slot.</summary>
        public int[] Postings { get; }

        public ReadOnlySpan<int> Posting(int slot) => Postings.AsSpan(PostingStart[slot], PostingStart[slot + 1] - PostingStart[slot]);
    }
}
