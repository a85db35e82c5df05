using System.Security.Cryptography;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Pipeline;
using Sieve.Core.Privacy;

namespace Sieve.Core.Anonymization;

/// <summary>
/// The release stage's state for one pending partition: each vehicle's trip and segment, and every consumed record
/// in offset order until it is committed. Records are decided on arrival (parked, zone, start trim, gap), when their
/// bucket's hold is over (end trim), and when their (cell, bucket) is decided (k); they are committed strictly in
/// offset order, so the committed offset always splits decided records from undecided ones and a restart re-reads
/// exactly the undecided.
/// </summary>
internal sealed class PartitionRelease
{
    private readonly AnonymizationRules _rules;
    private readonly Dictionary<ulong, VehicleTrack> _vehicles = [];
    private readonly List<HeldRecord> _records = [];
    // Held records by bucket, for the hold and decision deadlines.
    private readonly SortedDictionary<long, List<HeldRecord>> _byBucket = [];
    // Vehicles seen moving since the last drain, for the traffic count.
    private readonly List<DensityEntry> _traffic = [];
    private readonly ISegmentObserver? _observer;
    private int _head;

    public PartitionRelease(string topic, int partition, AnonymizationRules rules, ISegmentObserver? observer = null)
    {
        _observer = observer;
        Topic = topic;
        Partition = partition;
        _rules = rules;
    }

    public string Topic { get; }

    public int Partition { get; }

    /// <summary>Latest event time seen in the partition.</summary>
    public long Watermark { get; private set; } = long.MinValue;

    /// <summary><see cref="Environment.TickCount64"/> of the latest arrival.</summary>
    public long LastArrivalTicks { get; private set; } = Environment.TickCount64;

    /// <summary>Vehicles tracked.</summary>
    public int Vehicles => _vehicles.Count;

    /// <summary>Records consumed and not yet committed.</summary>
    public int Pending => _records.Count - _head;

    /// <summary>Takes one consumed candidate.</summary>
    public void Arrive(long offset, in ReleaseCandidate c)
    {
        LastArrivalTicks = Environment.TickCount64;
        if (c.EventTime > Watermark)
        {
            Watermark = c.EventTime;
        }

        ulong vehicle = System.IO.Hashing.XxHash3.HashToUInt64(c.Vehicle);
        if (!_vehicles.TryGetValue(vehicle, out VehicleTrack? track))
        {
            track = new VehicleTrack();
            _vehicles[vehicle] = track;
        }

        long cell = GeohashCells.Pack(c.Cell);
        Outcome? outcome = Decide(track, c, cell, out Trip? trip);
        track.LastTime = Math.Max(track.LastTime, c.EventTime);
        var record = new HeldRecord
        {
            Offset = offset,
            EventTime = c.EventTime,
            Latitude = c.Latitude,
            Longitude = c.Longitude,
            Bucket = c.TimeBucket,
            Cell = cell,
            Vehicle = vehicle,
            Trip = trip,
            Pseudonym = outcome is null ? track.SegmentPseudonym : null,
            Record = outcome is null ? c.Record.ToArray() : null,
            Outcome = outcome,
            TrimPassed = trip is null || c.Source != 0,
        };
        _records.Add(record);
        if (outcome is null or Outcome.WithheldTrimmed or Outcome.WithheldGap)
        {
            _traffic.Add(new DensityEntry(cell, c.TimeBucket, vehicle));
        }

        if (outcome is null)
        {
            if (!_byBucket.TryGetValue(record.Bucket, out List<HeldRecord>? list))
            {
                list = [];
                _byBucket[record.Bucket] = list;
            }

            list.Add(record);
        }
    }

    /// <summary>Takes a pending record that could not be read: it is quarantined in its turn.</summary>
    public void Reject(long offset, string reasonCode)
    {
        LastArrivalTicks = Environment.TickCount64;
        _records.Add(new HeldRecord { Offset = offset, QuarantineCode = reasonCode });
    }

    /// <summary>Moves the vehicles seen moving since the last call (for <see cref="DensityCount.Traffic"/>) to <paramref name="traffic"/>.</summary>
    public void DrainTraffic(List<DensityEntry> traffic)
    {
        traffic.AddRange(_traffic);
        _traffic.Clear();
    }

    /// <summary>
    /// Decides end trimming for held records whose bucket's hold is over by <paramref name="watermark"/>; adds the
    /// survivors' (cell, bucket, vehicle) to <paramref name="counted"/>.
    /// </summary>
    public void PassTrim(long watermark, List<DensityEntry> counted)
    {
        foreach ((long bucket, List<HeldRecord> list) in _byBucket)
        {
            if (_rules.TrimDueAt(bucket) > watermark)
            {
                break;
            }

            foreach (HeldRecord r in list)
            {
                if (r.Outcome is not null || r.Counted)
                {
                    continue;
                }

                if (!r.TrimPassed)
                {
                    Trip trip = r.Trip!;
                    // A trip not yet ended whose vehicle is still near the record may end there: trimmed, to be safe.
                    double toEnd = GeoDistance.Meters(r.Latitude, r.Longitude, trip.LastLatitude, trip.LastLongitude);
                    if (toEnd < trip.EndRadius)
                    {
                        Resolve(r, Outcome.WithheldTrimmed);
                        continue;
                    }

                    r.TrimPassed = true;
                }

                counted.Add(new DensityEntry(r.Cell, r.Bucket, r.Vehicle));
                r.Counted = true;
            }
        }
    }

    /// <summary>Adds the (cell, bucket)s due for a decision by <paramref name="watermark"/> to <paramref name="cells"/>.</summary>
    public void DueCells(long watermark, HashSet<(long Cell, long Bucket)> cells)
    {
        foreach ((long bucket, List<HeldRecord> list) in _byBucket)
        {
            if (_rules.DecideDueAt(bucket) > watermark)
            {
                break;
            }

            foreach (HeldRecord r in list)
            {
                if (r.Outcome is null && r.Counted)
                {
                    cells.Add((r.Cell, r.Bucket));
                }
            }
        }
    }

    /// <summary>Applies the decisions of due (cell, bucket)s and forgets the buckets that are fully decided.</summary>
    public void ApplyDecisions(long watermark, Dictionary<(long Cell, long Bucket), CellDecision> decisions)
    {
        List<long>? done = null;
        foreach ((long bucket, List<HeldRecord> list) in _byBucket)
        {
            if (_rules.DecideDueAt(bucket) > watermark)
            {
                break;
            }

            bool all = true;
            foreach (HeldRecord r in list)
            {
                if (r.Outcome is null && r.Counted && decisions.TryGetValue((r.Cell, r.Bucket), out CellDecision decision))
                {
                    if (decision.Released)
                    {
                        r.Outcome = Outcome.Forwarded;
                        r.CellVehicles = decision.Vehicles;
                    }
                    else
                    {
                        Resolve(r, Outcome.WithheldSparseCell);
                    }
                }

                all &= r.Outcome is not null;
            }

            if (all)
            {
                (done ??= []).Add(bucket);
            }
        }

        if (done is not null)
        {
            foreach (long bucket in done)
            {
                _byBucket.Remove(bucket);
            }
        }
    }

    /// <summary>
    /// Takes the decided records at the head of the partition, in offset order, up to the first undecided one.
    /// Returns the offset to commit next (-1 when none was taken).
    /// </summary>
    public long TakeDecided(List<HeldRecord> taken)
    {
        long next = -1;
        while (_head < _records.Count && _records[_head].IsDecided)
        {
            HeldRecord r = _records[_head++];
            taken.Add(r);
            next = r.Offset + 1;
        }

        if (_head > 4096 && _head * 2 > _records.Count)
        {
            _records.RemoveRange(0, _head);
            _head = 0;
        }

        return next;
    }

    /// <summary>Forgets vehicles quiet for longer than a stop and a segment before <paramref name="watermark"/>.</summary>
    public void Evict(long watermark)
    {
        long quiet = _rules.StopMillis + _rules.SegmentMillis;
        List<ulong>? stale = null;
        foreach ((ulong key, VehicleTrack track) in _vehicles)
        {
            if (watermark - track.LastTime > quiet)
            {
                (stale ??= []).Add(key);
            }
        }

        if (stale is not null)
        {
            foreach (ulong key in stale)
            {
                _vehicles.Remove(key);
            }
        }
    }

    private static void Resolve(HeldRecord r, Outcome outcome)
    {
        r.Outcome = outcome;
        r.Record = null;
    }

    /// <summary>The arrival decisions; null when the record is held (then <paramref name="trip"/> is set).</summary>
    private Outcome? Decide(VehicleTrack track, in ReleaseCandidate c, long cell, out Trip? trip)
    {
        trip = null;
        bool wifi = c.Source != 0;
        if (!wifi && c.EngineOn == false)
        {
            // Ignition off: the trip, if any, ends here, and a parked vehicle's position is never released.
            if (track.Trip is { } ending)
            {
                ending.Move(c.Latitude, c.Longitude, c.EventTime);
                ending.End();
                track.Trip = null;
            }

            return Outcome.WithheldParked;
        }

        if (track.Trip is { } open && (c.EventTime - track.LastTime > _rules.StopMillis || (wifi && !c.OutletId.SequenceEqual(track.Outlet))))
        {
            // A stop as long as the policy's ends the trip where the vehicle was last seen; a Wi-Fi visit ends at another outlet.
            open.End();
            track.Trip = null;
        }

        if (track.Trip is null)
        {
            track.Trip = wifi
                ? new Trip(c.Latitude, c.Longitude, c.EventTime, 0, 0) { LeftStart = true }
                : new Trip(c.Latitude, c.Longitude, c.EventTime, Radius(), Radius());
            if (wifi)
            {
                track.Outlet = c.OutletId.ToArray();
            }
        }

        trip = track.Trip;
        trip.Move(c.Latitude, c.Longitude, c.EventTime);
        if (_rules.Zones.Contains(c.Latitude, c.Longitude))
        {
            return Outcome.WithheldZone;
        }

        if (!trip.LeftStart)
        {
            if (GeoDistance.Meters(trip.StartLatitude, trip.StartLongitude, c.Latitude, c.Longitude) < trip.StartRadius)
            {
                return Outcome.WithheldTrimmed;
            }

            trip.LeftStart = true;
        }

        long window = Math.DivRem(c.EventTime, _rules.SegmentMillis, out long into);
        if (into < 0)
        {
            window--;
            into += _rules.SegmentMillis;
        }

        bool newWindow = window != track.SegmentWindow || !ReferenceEquals(track.SegmentTrip, trip) || track.SegmentPseudonym is null;
        bool newCell = !newWindow && cell != track.SegmentCell && track.SegmentCells >= _rules.SegmentMaxCells;
        if (newWindow || newCell || (track.GapUntil != long.MinValue && c.EventTime >= track.GapUntil))
        {
            // A new window, a new trip, a cell past the segment's cell cap, or the end of the gap after a distance cut
            // starts a new segment under a fresh random pseudonym.
            track.SegmentCell = cell;
            track.SegmentCells = 1;
            track.SegmentWindow = window;
            track.SegmentTrip = trip;
            track.SegmentMeters = 0;
            track.GapUntil = long.MinValue;
            track.SegmentPseudonym = new byte[PseudonymKey.PseudonymLength];
            Pseudonyms.FillRandom(track.SegmentPseudonym);
            _observer?.SegmentStarted(c.Vehicle, track.SegmentPseudonym);
        }
        else if (track.GapUntil == long.MinValue)
        {
            if (cell != track.SegmentCell)
            {
                track.SegmentCell = cell;
                track.SegmentCells++;
            }

            track.SegmentMeters += GeoDistance.Meters(track.SegmentLatitude, track.SegmentLongitude, c.Latitude, c.Longitude);
            if (track.SegmentMeters > _rules.SegmentMaxMeters)
            {
                // Past the distance cap the segment ends; a gap follows before the next one.
                track.GapUntil = c.EventTime + Math.Max(_rules.GapMillis, 1);
            }
        }

        track.SegmentLatitude = c.Latitude;
        track.SegmentLongitude = c.Longitude;
        if (track.GapUntil != long.MinValue || into >= _rules.SegmentMillis - _rules.GapMillis)
        {
            return Outcome.WithheldGap;
        }

        return null;
    }

    private double Radius() =>
        _rules.TrimMinMeters + ((_rules.TrimMaxMeters - _rules.TrimMinMeters) * (RandomNumberGenerator.GetInt32(1 << 24) / (double)(1 << 24)));
}
