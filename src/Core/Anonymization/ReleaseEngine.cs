using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Sieve.Contracts.Avro;
using Sieve.Core.Engine;
using Sieve.Core.Output;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Core.Anonymization;

/// <summary>
/// The release stage of the purposes that declare <c>anonymize</c>: consumes their pending topics, cuts each
/// vehicle's records into trips and segments, trims, applies zones and gaps, holds each record until its trip's end
/// and its (cell, bucket)'s fleet-wide count are known, and then forwards or withholds it. Decided records are
/// committed strictly in offset order, with their outputs, one audit record per partition and the pending offsets,
/// in one transaction (exactly-once) or produce-then-commit (at-least-once).
/// </summary>
/// <remarks>
/// Fails closed: state lost to a restart, rebalance or failed commit is rebuilt by re-reading from the committed
/// offset, which starts new trips (trimmed again) and new random segment pseudonyms; the first decision of a
/// (cell, bucket) stands in the density counter, so nothing withheld before is released after.
/// </remarks>
public sealed class ReleaseEngine : IDisposable
{
    private const int MaxBackoffMs = 5000;
    private readonly MinimizerOptions _options;
    private readonly ReleaseOptions _release;
    private readonly IDensityCounter _density;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, (PurposePlan Plan, PurposePlan[] Plans)> _byTopic = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Topic, int Partition), PartitionRelease> _partitions = [];
    private readonly Dictionary<(string Topic, int Partition), long> _committed = [];
    private readonly BatchValueArena _values = new();
    private readonly List<DensityEntry> _counted = [];
    private long _idleFlushes;
    private volatile bool _inputComplete;
    // Drained from the partitions each round. After a failed add the stage rebuilds and re-reads its undecided records,
    // whose vehicles are counted again; those already committed stay uncounted, which only lowers a published count.
    private readonly List<DensityEntry> _traffic = [];
    private readonly HashSet<(long Cell, long Bucket)> _dueCells = [];
    private readonly Dictionary<(long Cell, long Bucket), CellDecision> _decisions = [];
    private readonly List<HeldRecord> _taken = [];
    private IConsumer<Ignore, ConsumedValue>? _consumer;
    private IProducer<byte[], byte[]>? _producer;
    private long _batchId;
    private long _lastEviction = Environment.TickCount64;
    private volatile bool _rebalanced;

    /// <summary>Creates the stage for the anonymized plans of <paramref name="policy"/>.</summary>
    /// <param name="options">The Minimizer's options; the stage uses its own group and transactional id derived from them.</param>
    /// <param name="policy">The policy; only purposes with an <c>anonymize</c> block are released here.</param>
    /// <param name="density">The fleet-wide density counter.</param>
    /// <param name="release">Timing of the stage.</param>
    /// <param name="logger">Logs without identifiers.</param>
    /// <param name="time">Clock for audit timestamps.</param>
    public ReleaseEngine(MinimizerOptions options, CompiledPolicy policy, IDensityCounter density, ReleaseOptions release, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        _options = options;
        _release = release;
        _density = density;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        var names = new List<string>();
        foreach (PurposePlan plan in policy.Purposes)
        {
            if (plan.Anonymization is { } rules)
            {
                _byTopic[rules.PendingTopic] = (plan, [plan]);
                names.Add(plan.Name);
            }
        }

        Stats = new MinimizerStats(names);
    }

    /// <summary>Ground truth hook for measurement; see <see cref="ISegmentObserver"/>.</summary>
    public ISegmentObserver? Observer { get; init; }

    /// <summary>True when the policy has a purpose to release (otherwise <see cref="RunAsync"/> returns at once).</summary>
    public bool HasWork => _byTopic.Count > 0;

    /// <summary>The pending topics read.</summary>
    public IReadOnlyCollection<string> PendingTopics => _byTopic.Keys;

    /// <summary>Totals of committed decisions, per released purpose.</summary>
    public MinimizerStats Stats { get; }

    /// <summary>Records consumed and not yet committed, over all partitions.</summary>
    public int Held => Sum(static p => p.Pending);

    /// <summary>
    /// Rounds in which a quiet partition holding undecided records was treated as complete (<see cref="ReleaseOptions.IdleFlushMs"/>):
    /// its (cell, bucket)s may be decided before all their vehicles are counted.
    /// </summary>
    public long IdleFlushes => Interlocked.Read(ref _idleFlushes);

    /// <summary>
    /// Says the input has ended (a replay such as <c>sieve privacy --simulate</c>, which runs without idle flushing):
    /// every partition is then complete, and everything held is decided.
    /// </summary>
    public void CompleteInput() => _inputComplete = true;

    /// <summary>Vehicles whose trip state is kept, over all partitions.</summary>
    public int TrackedVehicles => Sum(static p => p.Vehicles);

    /// <summary>Runs until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!HasWork)
        {
            return;
        }

        ConsumerConfig config = KafkaClientConfigs.RawConsumer(_options);
        config.GroupId = GroupId;
        config.ClientId = "sieve-release-" + _options.InstanceId;
        _consumer = new ConsumerBuilder<Ignore, ConsumedValue>(config)
            .SetValueDeserializer(_values)
            .SetPartitionsAssignedHandler((_, assigned) => _rebalanced = true)
            .SetPartitionsRevokedHandler((_, _) => _rebalanced = true)
            .SetPartitionsLostHandler((_, _) => _rebalanced = true)
            .SetErrorHandler((_, e) => _logger.LogWarning("Release consumer error {Code}: {Reason}", e.Code, e.Reason))
            .Build();
        CreateProducer();
        _consumer.Subscribe(_byTopic.Keys);
        _logger.LogInformation("Release stage {Instance} consuming {Topics} in group {Group} ({Delivery})",
            _options.InstanceId, string.Join(",", _byTopic.Keys), GroupId, _options.Delivery);
        var batch = new List<ConsumeResult<Ignore, ConsumedValue>>(_options.BatchMaxMessages);
        int backoff = _options.RetryBackoffMs;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                batch.Clear();
                _values.Reset();
                try
                {
                    Fill(batch, cancellationToken);
                }
                catch (ConsumeException e)
                {
                    _logger.LogWarning("Release consume failed: {Code}", e.Error.Code);
                }

                if (_rebalanced)
                {
                    // The batch is dropped: where nothing of a partition was read before, it is read again from its first record.
                    foreach (ConsumeResult<Ignore, ConsumedValue> r in batch)
                    {
                        _committed.TryAdd((r.Topic, r.Partition.Value), r.Offset.Value);
                    }

                    Rebuild();
                    continue;
                }

                foreach (ConsumeResult<Ignore, ConsumedValue> r in batch)
                {
                    Arrive(r);
                }

                try
                {
                    await AdvanceAsync(cancellationToken).ConfigureAwait(false);
                    Stats.SetPaused(false);
                    backoff = _options.RetryBackoffMs;
                }
                catch (KafkaException e) when (_options.Delivery == DeliveryMode.ExactlyOnce && KafkaFencing.IsFenced(e.Error))
                {
                    // As in the minimizer engine: a new producer would fence the instance that took over, in turn.
                    ThrowHelper.ThrowInstanceFenced(_options.InstanceId);
                }
                catch (Exception e) when (e is DensityUnavailableException or KafkaException)
                {
                    // Nothing of the failed step is visible; every undecided or uncommitted record is read again.
                    Stats.SetPaused(true);
                    Stats.AddRetry();
                    _logger.LogWarning("Release step failed ({Reason}); holding every undecided record and retrying in {Backoff} ms", e.Message, backoff);
                    AbortQuietly(e);
                    Rebuild();
                    await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
                    backoff = Math.Min(backoff * 2, MaxBackoffMs);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            try
            {
                _consumer.Close();
            }
            catch (KafkaException e)
            {
                _logger.LogWarning("Leaving the release group failed: {Reason}", e.Error.Reason);
            }
        }
    }

    /// <summary>Watches the transactional calls that can block past their own timeout; none when null.</summary>
    public StallWatchdog? Watchdog { get; init; }

    /// <summary>The Schema Registry binding: released records and ops records go out in Confluent framing for the topics it registered; null writes single-object.</summary>
    public Registry.SchemaRegistryBinding? Registry { get; init; }

    /// <inheritdoc />
    public void Dispose()
    {
        Interlocked.Exchange(ref _consumer, null)?.Dispose();
        Interlocked.Exchange(ref _producer, null)?.Dispose();
    }

    /// <summary>The release stage's consumer group: the engine's group with <c>-release</c>.</summary>
    public string GroupId => _options.GroupId + "-release";

    /// <summary>
    /// Takes what arrives within the batch wait (at least 100 ms), possibly nothing: unlike the consent stage, this
    /// stage has work to do without input, deciding what a quiet partition holds.
    /// </summary>
    private void Fill(List<ConsumeResult<Ignore, ConsumedValue>> batch, CancellationToken cancellationToken)
    {
        long deadline = Environment.TickCount64 + Math.Max(_options.BatchMaxWaitMs, 100);
        while (batch.Count < _options.BatchMaxMessages && !cancellationToken.IsCancellationRequested)
        {
            long left = deadline - Environment.TickCount64;
            if (left <= 0)
            {
                return;
            }

            ConsumeResult<Ignore, ConsumedValue>? result = _consumer!.Consume(TimeSpan.FromMilliseconds(left));
            if (result is { IsPartitionEOF: false, Message: not null })
            {
                batch.Add(result);
            }
        }
    }

    private void Arrive(ConsumeResult<Ignore, ConsumedValue> input)
    {
        (string, int) key = (input.Topic, input.Partition.Value);
        PartitionRelease? partition;
        lock (_partitions)
        {
            if (!_partitions.TryGetValue(key, out partition))
            {
                partition = new PartitionRelease(input.Topic, input.Partition.Value, _byTopic[input.Topic].Plan.Anonymization!, Observer);
                _partitions[key] = partition;
                _committed.TryAdd(key, input.Offset.Value);
            }
        }

        ReadOnlySpan<byte> value = _values.Value(input.Message.Value);
        AvroStatus status = ReleaseCandidateCodec.TryRead(value, out ReleaseCandidate candidate);
        if (status == AvroStatus.Ok && candidate.Record.Length > SegmentPseudonym.Offset && candidate.Cell.Length is > 0 and <= 12)
        {
            partition.Arrive(input.Offset.Value, candidate);
        }
        else
        {
            partition.Reject(input.Offset.Value, status == AvroStatus.Ok ? "invalid-candidate" : status.ToReasonCode());
        }
    }

    private async Task AdvanceAsync(CancellationToken cancellationToken)
    {
        List<PartitionRelease> partitions;
        lock (_partitions)
        {
            partitions = [.. _partitions.Values];
        }

        long now = Environment.TickCount64;
        foreach ((string topic, (PurposePlan plan, _)) in _byTopic)
        {
            _counted.Clear();
            _dueCells.Clear();
            _decisions.Clear();
            _traffic.Clear();
            foreach (PartitionRelease p in partitions)
            {
                if (p.Topic == topic)
                {
                    p.DrainTraffic(_traffic);
                    p.PassTrim(EffectiveWatermark(p, now), _counted);
                }
            }

            if (_traffic.Count > 0)
            {
                await _density.AddAsync(_traffic, plan.Name, DensityCount.Traffic, cancellationToken).ConfigureAwait(false);
            }

            if (_counted.Count > 0)
            {
                await _density.AddAsync(_counted, plan.Name, DensityCount.Candidates, cancellationToken).ConfigureAwait(false);
            }

            // A (cell, bucket) is decided once every partition of the topic is past its deadline: one that lags (a backlog,
            // a restart) still has vehicles to count there. A quiet partition does not hold the others back.
            long low = long.MaxValue;
            foreach (PartitionRelease p in partitions)
            {
                if (p.Topic == topic)
                {
                    long effective = EffectiveWatermark(p, now);
                    if (effective == long.MaxValue && p.Pending > 0 && !_inputComplete)
                    {
                        Interlocked.Increment(ref _idleFlushes);
                    }

                    low = Math.Min(low, effective);
                }
            }

            foreach (PartitionRelease p in partitions)
            {
                if (p.Topic == topic)
                {
                    p.DueCells(low, _dueCells);
                }
            }

            if (_dueCells.Count > 0)
            {
                await _density.DecideAsync(_dueCells, plan.Name, plan.Anonymization!.MinVehicles, _decisions, cancellationToken).ConfigureAwait(false);
                foreach (PartitionRelease p in partitions)
                {
                    if (p.Topic == topic)
                    {
                        p.ApplyDecisions(low, _decisions);
                    }
                }
            }
        }

        Commit(partitions);
        if (now - _lastEviction > 10_000)
        {
            _lastEviction = now;
            foreach (PartitionRelease p in partitions)
            {
                p.Evict(p.Watermark);
            }
        }
    }

    private int Sum(Func<PartitionRelease, int> of)
    {
        int sum = 0;
        lock (_partitions)
        {
            foreach (PartitionRelease p in _partitions.Values)
            {
                sum += of(p);
            }
        }

        return sum;
    }

    /// <summary>A partition quiet for the idle time is treated as complete: everything it holds is due.</summary>
    private long EffectiveWatermark(PartitionRelease p, long nowTicks) =>
        _inputComplete || nowTicks - p.LastArrivalTicks >= _release.IdleFlushMs ? long.MaxValue : p.Watermark;

    private void Commit(List<PartitionRelease> partitions)
    {
        bool transactional = _options.Delivery == DeliveryMode.ExactlyOnce;
        var offsets = new List<TopicPartitionOffset>();
        var tallies = new List<PartitionTally>();
        long committedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
        bool began = false;
        Span<Outcome> one = stackalloc Outcome[1];
        try
        {
            foreach (PartitionRelease p in partitions)
            {
                _taken.Clear();
                long next = p.TakeDecided(_taken);
                if (next < 0)
                {
                    continue;
                }

                if (!began && transactional)
                {
                    _producer!.BeginTransaction();
                }

                began = true;
                PurposePlan plan = _byTopic[p.Topic].Plan;
                var tally = new PartitionTally(p.Topic, p.Partition, 1);
                foreach (HeldRecord r in _taken)
                {
                    if (r.QuarantineCode is not null)
                    {
                        tally.AddQuarantined(r.Offset, r.QuarantineCode!);
                        _producer!.Produce(_options.Topics.Quarantine, new Message<byte[], byte[]>
                        {
                            Value = OpsRecordWriter.Quarantine(p.Topic, p.Partition, r.Offset,
                                new QuarantineReason(r.QuarantineCode!, "ReleaseCandidate: the pending record could not be read"), committedAt, _options.InstanceId),
                        });
                        continue;
                    }

                    one[0] = r.Outcome!.Value;
                    tally.AddProcessed(r.Offset, one);
                    if (r.Outcome == Outcome.Forwarded)
                    {
                        byte[] record = r.Record!;
                        if (!SegmentPseudonym.TryApply(record, r.Pseudonym))
                        {
                            throw new InvalidOperationException($"purpose '{plan.Name}': its output record does not start with a 32-character subject");
                        }

                        if (plan.Anonymization!.PublishesCellVehicles)
                        {
                            record = CellVehicles.Append(record, r.CellVehicles);
                        }

                        _producer!.Produce(plan.Topic, new Message<byte[], byte[]>
                        {
                            Key = r.Pseudonym!,
                            Value = record,
                            Timestamp = new Timestamp(r.Bucket, TimestampType.CreateTime),
                        });
                        r.Record = null;
                    }
                }

                tallies.Add(tally);
                offsets.Add(new TopicPartitionOffset(p.Topic, p.Partition, new Offset(next)));
            }

            if (!began)
            {
                return;
            }

            long batchId = _batchId + 1;
            foreach (PartitionTally tally in tallies)
            {
                _producer!.Produce(_options.Topics.Audit, new Message<byte[], byte[]>
                {
                    Key = System.Text.Encoding.UTF8.GetBytes(tally.Topic + "/" + tally.Partition),
                    Value = OpsRecordWriter.Audit(_options.InstanceId + "-release", batchId, tally, _byTopic[tally.Topic].Plans, committedAt),
                    Timestamp = new Timestamp(committedAt, TimestampType.CreateTime),
                });
            }

            if (transactional)
            {
                using (Watch("release transaction commit"))
                {
                    if (ResumableTransaction.Commit(_producer!, offsets, _consumer!.ConsumerGroupMetadata, TimeSpan.FromSeconds(30), CancellationToken.None) is > 0 and int again)
                    {
                        _logger.LogWarning("Release transaction commit resumed after {Again} retriable failures", again);
                    }
                }
            }
            else
            {
                _producer!.Flush(TimeSpan.FromSeconds(30));
            }

            if (!transactional || _options.CommitOffsetsOutsideTransaction)
            {
                try
                {
                    _consumer!.Commit(offsets);
                }
                catch (KafkaException e) when (transactional)
                {
                    _logger.LogWarning("Release offset commit after transaction failed: {Code}", e.Error.Code);
                }
            }

            foreach (TopicPartitionOffset o in offsets)
            {
                _committed[(o.Topic, o.Partition.Value)] = o.Offset.Value;
            }

            _batchId = batchId;
            Stats.AddCommitted(tallies);
        }
        finally
        {
            // A failed commit is retried by re-reading: the records taken for it were dropped from the partitions' state.
            _taken.Clear();
        }
    }

    /// <summary>
    /// Drops all state and rewinds every assigned partition to its committed offset, so that undecided and
    /// uncommitted records are read again (after a rebalance, or a step that failed).
    /// </summary>
    private void Rebuild()
    {
        _rebalanced = false;
        lock (_partitions)
        {
            _partitions.Clear();
        }

        List<TopicPartition> assigned = _consumer!.Assignment;
        foreach (TopicPartition tp in assigned)
        {
            if (_committed.TryGetValue((tp.Topic, tp.Partition.Value), out long offset))
            {
                _consumer.Seek(new TopicPartitionOffset(tp, new Offset(offset)));
            }
        }

        // Partitions not assigned any more are re-read by their next owner from their committed offsets.
        var keep = new HashSet<(string, int)>();
        foreach (TopicPartition tp in assigned)
        {
            keep.Add((tp.Topic, tp.Partition.Value));
        }

        foreach ((string, int) key in _committed.Keys.ToList())
        {
            if (!keep.Contains(key))
            {
                _committed.Remove(key);
            }
        }
    }

    private void CreateProducer()
    {
        _producer?.Dispose();
        ProducerConfig config = KafkaClientConfigs.OutputProducer(_options);
        config.ClientId = "sieve-release-" + _options.InstanceId;
        config.EnableDeliveryReports = false;
        if (_options.Delivery == DeliveryMode.ExactlyOnce)
        {
            config.TransactionalId = GroupId + "-" + _options.InstanceId;
        }

        _producer = new ProducerBuilder<byte[], byte[]>(config).SetValueSerializer(new Registry.ConfluentFramingSerializer(Registry)).Build();
        if (_options.Delivery == DeliveryMode.ExactlyOnce)
        {
            _producer.InitTransactions(TimeSpan.FromSeconds(30));
        }
    }

    private void AbortQuietly(Exception cause)
    {
        if (_options.Delivery != DeliveryMode.ExactlyOnce)
        {
            return;
        }

        try
        {
            using (Watch("release transaction abort"))
            {
                ResumableTransaction.Abort(_producer!, TimeSpan.FromSeconds(30), CancellationToken.None);
            }
        }
        catch (KafkaException e)
        {
            _logger.LogDebug("Abort release transaction: {Code}", e.Error.Code);
            if (e.Error.IsFatal || (cause is KafkaException k && k.Error.IsFatal))
            {
                CreateProducer();
            }
        }
    }

    private StallWatchdog.Scope Watch(string operation) => Watchdog?.Watch(operation) ?? default;
}
