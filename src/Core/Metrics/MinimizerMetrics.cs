using System.Diagnostics.Metrics;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;

namespace Sieve.Core.Metrics;

/// <summary>
/// The minimizer's instruments on the meter <see cref="MeterName"/>. Nothing here runs per event: the decision,
/// quarantine, error and consent-cache instruments are observable ones that read the engine's and the near-cache's
/// own counters at collection time, and the throughput and latency instruments are updated once per committed
/// batch. Tags carry topics, partitions, purposes, outcomes and reason codes only, never a pseudonym or an identifier.
/// </summary>
public sealed class MinimizerMetrics : IDisposable, IBatchStageObserver
{
    /// <summary>Name of the minimizer's meter.</summary>
    public const string MeterName = "Sieve.Minimizer";

    private readonly Meter _meter;
    private readonly Counter<long> _inputs;
    private readonly Counter<long> _produced;
    private readonly Counter<long> _batches;
    private readonly Histogram<double> _latency;
    private readonly Histogram<double> _stages;
    private readonly Histogram<long> _batchSize;
    private readonly TimeProvider _time;
    private MinimizerEngine? _engine;
    private ConsentCache? _cache;
    private ConsentLoader? _loader;
    private string[] _purposeTopics = [];
    private string _quarantineTopic = "";
    private string _auditTopic = "";

    /// <summary>Creates the instruments, on a meter from <paramref name="meterFactory"/> when given.</summary>
    public MinimizerMetrics(IMeterFactory? meterFactory = null, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _inputs = _meter.CreateCounter<long>("sieve.minimizer.inputs", "{input}", "Raw inputs in committed batches (tags: topic, partition).");
        _produced = _meter.CreateCounter<long>("sieve.minimizer.records.produced", "{record}", "Records committed to output topics: purpose records, quarantine and audit records (tag: topic).");
        _batches = _meter.CreateCounter<long>("sieve.minimizer.batches", "{batch}", "Committed batches.");
        _latency = _meter.CreateHistogram<double>("sieve.minimizer.latency", "ms",
            "Per committed batch and input partition: from the oldest input's Kafka timestamp to the commit of the batch's outputs (tag: topic).");
        _stages = _meter.CreateHistogram<double>("sieve.minimizer.batch.stage", "ms",
            "Per committed batch, the time it spent in each stage (tag: stage = fill: first input taken to the batch closing; process: deciding and staging; produce: handing outputs to the producer; commit: the transaction (flush, offsets, end); offset_commit: the offsets committed again outside it).");
        _batchSize = _meter.CreateHistogram<long>("sieve.minimizer.batch.size", "{input}", "Inputs per committed batch.");
        _meter.CreateObservableCounter("sieve.minimizer.decisions", ObserveDecisions, "{decision}", "Per-purpose decisions in committed batches (tags: purpose, outcome).");
        _meter.CreateObservableCounter("sieve.minimizer.quarantined", ObserveQuarantined, "{input}", "Inputs quarantined in committed batches (tag: reason).");
        _meter.CreateObservableCounter("sieve.minimizer.retries", () => Stats?.Retries ?? 0, "{batch}", "Batch attempts retried after a Redis or Kafka failure.");
        _meter.CreateObservableCounter("sieve.minimizer.abandoned", () => Stats?.Abandoned ?? 0, "{batch}",
            "Batches produced and then aborted because their partitions were revoked meanwhile; their next owner reads them again.");
        _meter.CreateObservableCounter("sieve.minimizer.errors", ObserveErrors, "{error}",
            "Failures by dependency (tag: dependency = redis: the consent store could not answer a batch; schema_registry: a raw input's writer schema could not be fetched; kafka: a batch was refused; kafka_client: errors the Kafka clients reported).");
        _meter.CreateObservableGauge("sieve.minimizer.paused", () => Stats?.Paused == true ? 1 : 0, "{state}", "1 while processing is held because consent (or a raw input's writer schema) cannot be known.");
        _meter.CreateObservableGauge("sieve.minimizer.consumer.lag", () => ConsumerLag.Measure(Volatile.Read(ref _engine)?.Consumer), "{message}",
            "Inputs not yet consumed per assigned partition: high watermark minus position (tags: topic, partition).");
        _meter.CreateObservableCounter("sieve.minimizer.consent_cache.lookups", ObserveCache, "{lookup}",
            "Consent near-cache lookups (tag: result = hit, miss, or stale: the entry was there but could not be vouched for).");
        _meter.CreateObservableGauge("sieve.minimizer.consent_view.rebuilding", () => Volatile.Read(ref _loader)?.ViewRebuilding ?? 0, "{partition}",
            "Consent topic partitions being re-applied because Redis lost consent; purposes that need consent are held meanwhile.");
        _meter.CreateObservableCounter("sieve.minimizer.consent_view.losses", () => Volatile.Read(ref _loader)?.ViewLosses ?? 0, "{loss}",
            "Times the loader found Redis holding less of a consent topic partition than it had applied (restart without data, failover to a stale replica).");
        _meter.CreateObservableGauge("sieve.minimizer.consent_cache.entries", () => Volatile.Read(ref _cache)?.Count ?? 0, "{entry}", "Entries in the consent near-cache.");
    }

    /// <summary>The meter the instruments belong to.</summary>
    public Meter Meter => _meter;

    private MinimizerStats? Stats => Volatile.Read(ref _engine)?.Stats;

    /// <summary>
    /// Starts reporting for <paramref name="engine"/>, <paramref name="cache"/> and, when there is one,
    /// <paramref name="loader"/>: call once, before the engine runs.
    /// </summary>
    public void Attach(MinimizerEngine engine, ConsentCache cache, MinimizerCore core, TopicOptions topics, ConsentLoader? loader = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(core);
        ArgumentNullException.ThrowIfNull(topics);
        _purposeTopics = [.. core.Plans.Select(p => p.ForwardTopic)];
        _quarantineTopic = topics.Quarantine;
        _auditTopic = topics.Audit;
        Volatile.Write(ref _cache, cache);
        Volatile.Write(ref _loader, loader);
        Volatile.Write(ref _engine, engine);
        engine.BatchCommitted += OnBatchCommitted;
        engine.StageObserver ??= this;
    }

    /// <inheritdoc />
    public void OnBatch(in BatchStageTimes times)
    {
        _stages.Record(times.FillMs, new KeyValuePair<string, object?>("stage", "fill"));
        _stages.Record(times.ProcessMs, new KeyValuePair<string, object?>("stage", "process"));
        _stages.Record(times.ProduceMs, new KeyValuePair<string, object?>("stage", "produce"));
        _stages.Record(times.CommitMs, new KeyValuePair<string, object?>("stage", "commit"));
        _stages.Record(times.OffsetCommitMs, new KeyValuePair<string, object?>("stage", "offset_commit"));
        _batchSize.Record(times.Inputs);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        MinimizerEngine? engine = Interlocked.Exchange(ref _engine, null);
        if (engine is not null)
        {
            engine.BatchCommitted -= OnBatchCommitted;
            if (ReferenceEquals(engine.StageObserver, this))
            {
                engine.StageObserver = null;
            }
        }

        Volatile.Write(ref _cache, null);
        _meter.Dispose();
    }

    private void OnBatchCommitted(IReadOnlyCollection<PartitionTally> tallies)
    {
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var forwarded = new long[_purposeTopics.Length];
        long quarantined = 0;
        foreach (PartitionTally tally in tallies)
        {
            _inputs.Add(tally.Inputs, new KeyValuePair<string, object?>("topic", tally.Topic), new KeyValuePair<string, object?>("partition", tally.Partition));
            if (tally.OldestInputTime != long.MaxValue)
            {
                _latency.Record(Math.Max(0, now - tally.OldestInputTime), new KeyValuePair<string, object?>("topic", tally.Topic));
            }

            quarantined += tally.QuarantinedTotal;
            for (int p = 0; p < forwarded.Length && p < tally.PlanCount; p++)
            {
                // Records of an anonymized purpose go to its pending topic (the plan's forward topic).
                forwarded[p] += tally.Count(p, Outcome.Forwarded) + tally.Count(p, Outcome.HeldForRelease);
            }
        }

        for (int p = 0; p < forwarded.Length; p++)
        {
            if (forwarded[p] > 0)
            {
                _produced.Add(forwarded[p], new KeyValuePair<string, object?>("topic", _purposeTopics[p]));
            }
        }

        if (quarantined > 0)
        {
            _produced.Add(quarantined, new KeyValuePair<string, object?>("topic", _quarantineTopic));
        }

        _produced.Add(tallies.Count, new KeyValuePair<string, object?>("topic", _auditTopic));
        _batches.Add(1);
    }

    private IEnumerable<Measurement<long>> ObserveDecisions()
    {
        if (Stats is not { } stats)
        {
            return [];
        }

        var measurements = new List<Measurement<long>>(stats.PlanNames.Count * OutcomeNames.Count);
        for (int p = 0; p < stats.PlanNames.Count; p++)
        {
            for (int o = 0; o < OutcomeNames.Count; o++)
            {
                measurements.Add(new Measurement<long>(stats.Count(p, (Outcome)o),
                    new KeyValuePair<string, object?>("purpose", stats.PlanNames[p]),
                    new KeyValuePair<string, object?>("outcome", OutcomeNames.Name((Outcome)o))));
            }
        }

        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveQuarantined()
    {
        if (Stats is not { } stats)
        {
            return [];
        }

        return [.. stats.Quarantined.Select(pair => new Measurement<long>(pair.Value, new KeyValuePair<string, object?>("reason", pair.Key)))];
    }

    private IEnumerable<Measurement<long>> ObserveErrors()
    {
        if (Stats is not { } stats)
        {
            return [];
        }

        return
        [
            new Measurement<long>(stats.ConsentFailures, new KeyValuePair<string, object?>("dependency", "redis")),
            new Measurement<long>(stats.RegistryFailures, new KeyValuePair<string, object?>("dependency", "schema_registry")),
            new Measurement<long>(stats.KafkaFailures, new KeyValuePair<string, object?>("dependency", "kafka")),
            new Measurement<long>(stats.KafkaErrors, new KeyValuePair<string, object?>("dependency", "kafka_client")),
        ];
    }

    private IEnumerable<Measurement<long>> ObserveCache()
    {
        if (Volatile.Read(ref _cache) is not { } cache)
        {
            return [];
        }

        return
        [
            new Measurement<long>(cache.Hits, new KeyValuePair<string, object?>("result", "hit")),
            new Measurement<long>(cache.Misses - cache.StaleMisses, new KeyValuePair<string, object?>("result", "miss")),
            new Measurement<long>(cache.StaleMisses, new KeyValuePair<string, object?>("result", "stale")),
        ];
    }
}
