using System.Text;
using Confluent.Kafka;
using Sieve.Commands.Bench;
using Sieve.Commands.Load;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Records;
using Sieve.Core.Privacy;
using Sieve.Simulation;

namespace Sieve.Commands.Soak;

/// <summary>
/// What a soak saw from outside the services: what Ingest acknowledged to the units and gateways, and every record
/// of the raw, audit, quarantine, pending and purpose topics as a tail consumer read it. Raw identifiers are held
/// here only to match acknowledgements against the raw topics (the soak is the units' side of the raw zone); nothing
/// built from them is ever printed.
/// </summary>
/// <remarks>Thread-safe: the load's tasks, the tail and the checks call it concurrently.</remarks>
internal sealed class SoakLedger : ILoadObserver
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _rawTelematicsTopics;
    private readonly HashSet<string> _rawWifiTopics;
    private readonly HashSet<string> _outputTopics;
    private readonly HashSet<string> _pendingTopics;
    private readonly HashSet<string> _auditTopics;
    private readonly RawIdentifierScanner _scanner;
    private readonly Dictionary<(string Imei, long Time), int> _ackedTelematics = [];
    private readonly Dictionary<(string Mac, long Time), long> _ackedWifi = [];
    private readonly Dictionary<(string Imei, long Time), int> _rawTelematics = [];
    private readonly Dictionary<(string Mac, long Time), long> _rawWifi = [];
    private readonly Dictionary<(string Topic, int Partition), List<int>> _coverage = [];
    private readonly Dictionary<(string Topic, int Partition), SortedSet<long>> _dataOffsets = [];
    private readonly Dictionary<string, long> _recordsByTopic = new(StringComparer.Ordinal);
    private readonly AuditTotals _audit = new();
    private readonly LeakCounts _leaks = new();
    private long _rawUnreadable;
    private long _auditRangeMismatches;
    private long _tailErrors;
    private long _telematicsAckEvents;

    /// <summary>A ledger for the given topics, looking for the identifiers <paramref name="scanner"/> knows.</summary>
    public SoakLedger(SoakTopics topics, RawIdentifierScanner scanner)
    {
        ArgumentNullException.ThrowIfNull(topics);
        _rawTelematicsTopics = [topics.TelematicsRaw];
        _rawWifiTopics = [topics.WifiRaw];
        _outputTopics = [.. topics.Outputs];
        _pendingTopics = [.. topics.Pending];
        _auditTopics = [topics.Audit];
        _scanner = scanner;
    }

    /// <summary>Where identifiers were looked for, and what was found.</summary>
    public LeakCounts Leaks => _leaks;

    /// <inheritdoc />
    public void RecordsAcked(string imei, ReadOnlySpan<UnitRecord> records)
    {
        lock (_lock)
        {
            _telematicsAckEvents += records.Length;
            foreach (UnitRecord record in records)
            {
                (string, long) key = (imei, record.Timestamp);
                _ackedTelematics[key] = _ackedTelematics.GetValueOrDefault(key) + 1;
            }
        }
    }

    /// <inheritdoc />
    public void WifiAccepted(WifiSighting sighting, long timeMillis, int records)
    {
        (string, long) key = (MacKey(sighting.ClientMac), timeMillis);
        lock (_lock)
        {
            _ackedWifi[key] = _ackedWifi.GetValueOrDefault(key) + records;
        }
    }

    /// <summary>Takes one record the tail read.</summary>
    public void Add(ConsumeResult<byte[], byte[]> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string topic = result.Topic;
        byte[]? value = result.Message.Value;
        lock (_lock)
        {
            _recordsByTopic[topic] = _recordsByTopic.GetValueOrDefault(topic) + 1;
            if (_rawTelematicsTopics.Contains(topic))
            {
                AddTelematics(value);
                return;
            }

            if (_rawWifiTopics.Contains(topic))
            {
                AddWifi(value);
                return;
            }

            // Everything past the raw zone: no identifier in key, value or headers.
            _leaks.Scan("topic " + topic + " (keys, values, headers)", _scanner, result.Message.Key, value, result.Message.Headers);
            if (_auditTopics.Contains(topic))
            {
                if (value is not null && _audit.Add(value) is { } range)
                {
                    // Raw topics are written without transactions: a range without gaps, every offset one input.
                    if ((_rawTelematicsTopics.Contains(range.SourceTopic) || _rawWifiTopics.Contains(range.SourceTopic))
                        && range.Inputs != range.LastOffset - range.FirstOffset + 1)
                    {
                        _auditRangeMismatches++;
                    }

                    Cover(range);
                }

                return;
            }

            if (_outputTopics.Contains(topic) || _pendingTopics.Contains(topic))
            {
                (string, int) partition = (topic, result.Partition.Value);
                if (!_dataOffsets.TryGetValue(partition, out SortedSet<long>? offsets))
                {
                    _dataOffsets[partition] = offsets = [];
                }

                offsets.Add(result.Offset.Value);
            }
        }
    }

    /// <summary>Counts a record the tail could not read (retention took it before it was read, say).</summary>
    public void TailError()
    {
        lock (_lock)
        {
            _tailErrors++;
        }
    }

    /// <summary>Records read per topic.</summary>
    public Dictionary<string, long> RecordsByTopic()
    {
        lock (_lock)
        {
            return new Dictionary<string, long>(_recordsByTopic, StringComparer.Ordinal);
        }
    }

    /// <summary>The highest offset read of each raw partition, plus one.</summary>
    public Dictionary<(string Topic, int Partition), long> RawEnds(IReadOnlyDictionary<(string Topic, int Partition), long> highWatermarks)
    {
        ArgumentNullException.ThrowIfNull(highWatermarks);
        var ends = new Dictionary<(string, int), long>();
        foreach (KeyValuePair<(string Topic, int Partition), long> pair in highWatermarks)
        {
            if (_rawTelematicsTopics.Contains(pair.Key.Topic) || _rawWifiTopics.Contains(pair.Key.Topic))
            {
                ends[pair.Key] = pair.Value;
            }
        }

        return ends;
    }

    /// <summary>Raw inputs below <paramref name="ends"/> no audit record accounts for.</summary>
    public long Unaudited(IReadOnlyDictionary<(string Topic, int Partition), long> ends)
    {
        ArgumentNullException.ThrowIfNull(ends);
        lock (_lock)
        {
            long missing = 0;
            foreach (KeyValuePair<(string Topic, int Partition), long> pair in ends)
            {
                List<int>? covered = _coverage.GetValueOrDefault(pair.Key);
                for (long offset = 0; offset < pair.Value; offset++)
                {
                    missing += covered is not null && offset < covered.Count && covered[(int)offset] > 0 ? 0 : 1;
                }
            }

            return missing;
        }
    }

    /// <summary>Pending records no release decision accounts for yet.</summary>
    public long Undecided()
    {
        lock (_lock)
        {
            return UndecidedLocked();
        }
    }

    /// <summary>Purpose-topic records (the Sink's inputs) not yet inside a lake file's accounted range.</summary>
    public long NotLanded(IReadOnlyDictionary<(string Topic, int Partition), List<(long First, long Last)>> landedRanges)
    {
        ArgumentNullException.ThrowIfNull(landedRanges);
        lock (_lock)
        {
            long missing = 0;
            foreach (KeyValuePair<(string Topic, int Partition), SortedSet<long>> pair in _dataOffsets)
            {
                if (!_outputTopics.Contains(pair.Key.Topic))
                {
                    continue;
                }

                List<(long First, long Last)> ranges = landedRanges.GetValueOrDefault(pair.Key) ?? [];
                foreach (long offset in pair.Value)
                {
                    missing += ranges.Exists(r => r.First <= offset && offset <= r.Last) ? 0 : 1;
                }
            }

            return missing;
        }
    }

    /// <summary>Checks everything seen against the lake's rows (<c>_topic</c>, <c>_partition</c>, <c>_offset</c> and how often each was landed).</summary>
    public SoakFindings Check(IReadOnlyDictionary<(string Topic, int Partition), long> rawEnds, IReadOnlyDictionary<(string Topic, int Partition, long Offset), int> lakeRows)
    {
        ArgumentNullException.ThrowIfNull(rawEnds);
        ArgumentNullException.ThrowIfNull(lakeRows);
        lock (_lock)
        {
            var findings = new SoakFindings
            {
                TelematicsAcked = _ackedTelematics.Count,
                TelematicsAckedTwice = _telematicsAckEvents - _ackedTelematics.Count,
                WifiAccepted = Sum(_ackedWifi),
                RawTelematics = Sum(_rawTelematics),
                RawWifi = Sum(_rawWifi),
                RawUnreadable = _rawUnreadable,
                AuditRecords = _audit.Records,
                AuditUnbalanced = _audit.Unbalanced,
                AuditRangeMismatches = _auditRangeMismatches,
                TailErrors = _tailErrors,
                Quarantined = _audit.Quarantined,
                Forwarded = new Dictionary<string, long>(_audit.Forwarded, StringComparer.Ordinal),
            };

            foreach (KeyValuePair<(string Imei, long Time), int> acked in _ackedTelematics)
            {
                findings.TelematicsAckedMissing += _rawTelematics.ContainsKey(acked.Key) ? 0 : 1;
            }

            foreach (int copies in _rawTelematics.Values)
            {
                findings.RawTelematicsResent += copies - 1;
            }

            foreach (KeyValuePair<(string Mac, long Time), long> acked in _ackedWifi)
            {
                findings.WifiAcceptedMissing += Math.Max(0, acked.Value - _rawWifi.GetValueOrDefault(acked.Key));
            }

            foreach (KeyValuePair<(string Topic, int Partition), long> end in rawEnds)
            {
                List<int>? covered = _coverage.GetValueOrDefault(end.Key);
                for (long offset = 0; offset < end.Value; offset++)
                {
                    int times = covered is not null && offset < covered.Count ? covered[(int)offset] : 0;
                    findings.RawInputs++;
                    findings.RawUnaudited += times == 0 ? 1 : 0;
                    findings.RawAuditedTwice += times > 1 ? 1 : 0;
                }
            }

            findings.ReleaseUndecided = UndecidedLocked();
            foreach (KeyValuePair<(string Topic, int Partition), SortedSet<long>> pair in _dataOffsets)
            {
                if (_pendingTopics.Contains(pair.Key.Topic))
                {
                    findings.PendingRecords += pair.Value.Count;
                    continue;
                }

                OutputCounts counts = findings.Outputs.TryGetValue(pair.Key.Topic, out OutputCounts? existing) ? existing : findings.Outputs[pair.Key.Topic] = new OutputCounts();
                foreach (long offset in pair.Value)
                {
                    counts.Records++;
                    int landed = lakeRows.GetValueOrDefault((pair.Key.Topic, pair.Key.Partition, offset));
                    counts.LandedOnce += landed == 1 ? 1 : 0;
                    counts.NotLanded += landed == 0 ? 1 : 0;
                    counts.LandedTwice += landed > 1 ? 1 : 0;
                }
            }

            foreach (KeyValuePair<(string Topic, int Partition, long Offset), int> row in lakeRows)
            {
                if (!_dataOffsets.TryGetValue((row.Key.Topic, row.Key.Partition), out SortedSet<long>? offsets) || !offsets.Contains(row.Key.Offset))
                {
                    findings.LakeRowsUnknown += row.Value;
                }
            }

            return findings;
        }
    }

    private long UndecidedLocked()
    {
        long undecided = 0;
        foreach (KeyValuePair<(string Topic, int Partition), SortedSet<long>> pair in _dataOffsets)
        {
            if (_pendingTopics.Contains(pair.Key.Topic))
            {
                List<int>? covered = _coverage.GetValueOrDefault(pair.Key);
                foreach (long offset in pair.Value)
                {
                    undecided += covered is not null && offset < covered.Count && covered[(int)offset] > 0 ? 0 : 1;
                }
            }
        }

        return undecided;
    }

    private void AddTelematics(byte[]? value)
    {
        if (value is null || TelematicsEventCodec.TryReadMessage(value, out TelematicsEvent e) != AvroStatus.Ok || e.DeviceId.ToString(value) is not { } imei)
        {
            _rawUnreadable++;
            return;
        }

        (string, long) key = (imei, e.EventTime);
        _rawTelematics[key] = _rawTelematics.GetValueOrDefault(key) + 1;
    }

    private void AddWifi(byte[]? value)
    {
        if (value is null || WifiEventCodec.TryReadMessage(value, out WifiEvent e) != AvroStatus.Ok || e.ClientMac.ToString(value) is not { } mac)
        {
            _rawUnreadable++;
            return;
        }

        (string, long) key = (MacKey(mac), e.EventTime);
        _rawWifi[key] = _rawWifi.GetValueOrDefault(key) + 1;
    }

    private void Cover(AuditRange range)
    {
        if (range.FirstOffset < 0 || range.LastOffset < range.FirstOffset || range.LastOffset >= int.MaxValue)
        {
            return;
        }

        (string, int) partition = (range.SourceTopic, range.Partition);
        if (!_coverage.TryGetValue(partition, out List<int>? covered))
        {
            _coverage[partition] = covered = [];
        }

        while (covered.Count <= range.LastOffset)
        {
            covered.Add(0);
        }

        for (long offset = range.FirstOffset; offset <= range.LastOffset; offset++)
        {
            covered[(int)offset]++;
        }
    }

    // A MAC as gateways may spell it (case, separators) reduced to its hex digits.
    private static string MacKey(string mac)
    {
        var key = new StringBuilder(12);
        foreach (char c in mac)
        {
            if (char.IsAsciiHexDigit(c))
            {
                key.Append(char.ToLowerInvariant(c));
            }
        }

        return key.ToString();
    }

    private static long Sum<TKey>(Dictionary<TKey, int> counts)
        where TKey : notnull
    {
        long sum = 0;
        foreach (int count in counts.Values)
        {
            sum += count;
        }

        return sum;
    }

    private static long Sum(Dictionary<(string Mac, long Time), long> counts)
    {
        long sum = 0;
        foreach (long count in counts.Values)
        {
            sum += count;
        }

        return sum;
    }
}
