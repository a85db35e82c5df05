using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Core.Consent;
using Sieve.Core.Output;
using Sieve.Core.Policy;

namespace Sieve.Core.Pipeline;

/// <summary>What <see cref="MinimizerCore.Process"/> did with one input.</summary>
public enum ProcessStatus : byte
{
    /// <summary>Every purpose got an outcome (forwarded or withheld).</summary>
    Processed = 0,
    /// <summary>
    /// The subject's consent is not in the near-cache (or the cache cannot vouch for it). Nothing was written;
    /// fetch the key and process the input again.
    /// </summary>
    NeedsConsent = 1,
    /// <summary>The input is bad; nothing was written for any purpose.</summary>
    Quarantined = 2,
    /// <summary>
    /// The input is Confluent-framed with a Schema Registry id this process has not fetched
    /// (<see cref="MinimizerCore.PendingSchemaId"/>). Nothing was written; fetch the schema and process the input again.
    /// </summary>
    NeedsSchema = 3,
}

/// <summary>
/// The per-event heart of the minimizer: decode, validate, resolve the subject, look up consent, decide each
/// purpose, pseudonymize and generalize, encode. Allocates nothing once a subject's pseudonyms are cached.
/// Not thread-safe: one per worker thread.
/// </summary>
public sealed class MinimizerCore : IDisposable
{
    /// <summary>Largest minimized record, in bytes.</summary>
    public const int MaxOutputRecordBytes = 64 * 1024;

    private readonly CompiledPolicy _policy;
    private readonly ConsentCache _consent;
    private readonly PurposeKeyRing _keys;
    private readonly SubjectCache _subjects;
    private readonly PurposePlan[] _plans;
    private readonly RecordProgram[] _programs;
    private readonly int[] _interests = new int[OutputRecordEncoder.MaxInterests];
    private readonly byte[] _scratch = new byte[MaxOutputRecordBytes];

    // An earlier writer schema's record, transcoded to the current schema; defaults can make it longer than the input.
    private readonly byte[] _resolved = new byte[RecordLimits.MaxMessageBytes * 2];
    private readonly WriterSchemaSet _telematicsWriters;
    private readonly WriterSchemaSet _wifiWriters;
    private readonly byte[] _candidate = new byte[MaxOutputRecordBytes + 1024];
    private readonly byte[] _cell = new byte[Generalization.Geohash.MaxPrecision];

    // Recall escrow: the sealer (null when no plan keeps an escrow, or a tool runs without the recall key), its
    // output buffer, and the subjects sealed in the batch being decided, taken back when that batch is not committed.
    private readonly Recall.EscrowSealer? _escrow;
    private readonly byte[] _sealed;
    private readonly List<(SubjectEntry Subject, int Plan, long Before)> _sealedThisBatch = [];

    /// <summary>
    /// How often a vehicle that keeps sending has its escrow entry sealed again: the escrow topic deletes entries
    /// older than the purpose's retention, so a vehicle still reporting must never hold only an old one.
    /// </summary>
    public static readonly TimeSpan EscrowResealInterval = TimeSpan.FromDays(30);

    private static readonly long EscrowResealMillis = (long)EscrowResealInterval.TotalMilliseconds;

    /// <summary>Creates a core for <paramref name="policy"/>.</summary>
    /// <param name="policy">The compiled policy.</param>
    /// <param name="keys">Pseudonym key factory over the master key ring.</param>
    /// <param name="consent">The consent near-cache.</param>
    /// <param name="subjectCacheCapacity">Subjects kept per generation of the subject cache.</param>
    /// <param name="writers">Earlier (or newer) raw-event schemas to read besides the current ones; <see cref="RawWriterSchemas.Default"/> when null.</param>
    /// <param name="escrow">
    /// Seals VINs for the plans with a <see cref="PurposePlan.EscrowTopic"/>; null writes no escrow (tools that never
    /// reach Kafka). The Minimizer service refuses to start without it when the policy keeps an escrow.
    /// </param>
    public MinimizerCore(CompiledPolicy policy, PseudonymKeyFactory keys, ConsentCache consent, int subjectCacheCapacity = 200_000, RawWriterSchemas? writers = null,
        Recall.EscrowSealer? escrow = null)
    {
        _escrow = escrow;
        _sealed = escrow is null ? [] : new byte[Recall.EscrowSealer.MaxValueBytes];
        writers ??= RawWriterSchemas.Default;
        _telematicsWriters = writers.Telematics;
        _wifiWriters = writers.Wifi;
        _policy = policy;
        _longestRetentionMillis = (long)policy.LongestRetention.TotalMilliseconds;
        _consent = consent;
        _plans = [.. policy.Purposes];
        if (_plans.Length > SubjectEntry.MaxPlans)
        {
            ThrowHelper.ThrowTooManyPlans(_plans.Length);
        }

        _programs = new RecordProgram[_plans.Length * 2];
        for (int i = 0; i < _plans.Length; i++)
        {
            _programs[(2 * i) + (int)InputKind.Telematics] = new RecordProgram(_plans[i], InputKind.Telematics);
            _programs[(2 * i) + (int)InputKind.Wifi] = new RecordProgram(_plans[i], InputKind.Wifi);
        }

        _keys = new PurposeKeyRing(keys, _plans);
        _subjects = new SubjectCache(subjectCacheCapacity);
    }

    /// <summary>The policy this core enforces.</summary>
    public CompiledPolicy Policy => _policy;

    /// <summary>The purpose plans; outcome spans are indexed like this list.</summary>
    public IReadOnlyList<PurposePlan> Plans => _plans;

    /// <summary>Event time of the input being processed (valid inside <see cref="IMinimizedRecordSink.Forward"/>).</summary>
    public long CurrentEventTime { get; private set; }

    /// <summary>
    /// The wall clock (Unix ms) event times are judged by; the engine sets it once per batch. An event more than a day
    /// ahead of it (<c>event-time-in-future</c>) or older than the policy's longest retention
    /// (<c>event-time-past-retention</c>) is quarantined: the first would sit in the lake past every retention sweep
    /// and move the release stage's watermark ahead of every other vehicle; the second is due for deletion already.
    /// 0 (tools that replay samples) checks only that the time is a date between 1970 and 9999.
    /// </summary>
    public long NowMillis { get; set; }

    /// <summary>Kind of the input being processed (valid inside <see cref="IMinimizedRecordSink.Forward"/>).</summary>
    public InputKind CurrentInputKind { get; private set; }

    /// <summary>
    /// The Kafka timestamp for a record of <paramref name="plan"/> made from the current input: the record's own time
    /// field (event time, or its bucket start), so message metadata never carries a finer time than the record does.
    /// </summary>
    public long RecordTimestamp(PurposePlan plan)
    {
        for (int i = 0; i < _plans.Length; i++)
        {
            if (ReferenceEquals(_plans[i], plan))
            {
                long bucket = _programs[(2 * i) + (int)CurrentInputKind].TimestampBucketMillis;
                return bucket == 0 ? CurrentEventTime : Generalization.TimeBuckets.Floor(CurrentEventTime, bucket);
            }
        }

        // A plan of another core's policy: read its slots.
        IReadOnlyList<OutputSlot> slots = plan.Slots;
        for (int i = 0; i < slots.Count; i++)
        {
            OutputSlot slot = slots[i];
            if (slot.Kind is SlotKind.EventTime or SlotKind.TimeBucket)
            {
                FieldTransform t = slot.From(CurrentInputKind);
                return t.Kind == TransformKind.BucketTime ? Generalization.TimeBuckets.Floor(CurrentEventTime, t.BucketMillis) : CurrentEventTime;
            }
        }

        return Generalization.TimeBuckets.Floor(CurrentEventTime, 3_600_000);
    }

    /// <summary>The registry id to fetch, when <see cref="Process"/> returned <see cref="ProcessStatus.NeedsSchema"/>.</summary>
    public int PendingSchemaId { get; private set; } = -1;

    /// <summary>Recall escrow entries sealed so far, less those taken back with batches that were not committed.</summary>
    public long EscrowEntries => Volatile.Read(ref _escrowEntries);

    private long _escrowEntries;

    /// <summary>Subjects currently cached.</summary>
    public int CachedSubjects => _subjects.Count;

    /// <summary>
    /// Processes one raw message.
    /// </summary>
    /// <param name="kind">Which raw schema the message's topic carries.</param>
    /// <param name="message">The whole message value (single-object encoding).</param>
    /// <param name="sink">Receives forwarded records.</param>
    /// <param name="outcomes">One entry per plan, filled when the result is <see cref="ProcessStatus.Processed"/>.</param>
    /// <param name="quarantine">Why, when the result is <see cref="ProcessStatus.Quarantined"/>.</param>
    /// <param name="consentKey">The consent-store key to fetch, when the result is <see cref="ProcessStatus.NeedsConsent"/>.</param>
    public ProcessStatus Process(InputKind kind, ReadOnlySpan<byte> message, IMinimizedRecordSink? sink, Span<Outcome> outcomes,
        out QuarantineReason quarantine, out string? consentKey)
    {
        consentKey = null;
        EventFields fields;
        SubjectType subjectType;
        Utf8Slice subjectId;
        string subjectField;
        if (kind == InputKind.Telematics)
        {
            AvroStatus status = TelematicsEventCodec.TryReadMessage(message, _telematicsWriters, _resolved, out TelematicsEvent e, out ReadOnlySpan<byte> source);
            if (status != AvroStatus.Ok)
            {
                return Undecodable("TelematicsEvent", status, _telematicsWriters, message, out quarantine);
            }

            // From here on slices index into the record as the current schema encodes it.
            message = source;

            if (e.EventId.Length == 0)
            {
                quarantine = new QuarantineReason("missing-event-id", "TelematicsEvent: eventId is empty");
                return ProcessStatus.Quarantined;
            }

            fields = EventFields.From(e);
            (subjectType, subjectId, subjectField) = SubjectResolver.Of(e);
        }
        else
        {
            AvroStatus status = WifiEventCodec.TryReadMessage(message, _wifiWriters, _resolved, out WifiEvent e, out ReadOnlySpan<byte> source);
            if (status != AvroStatus.Ok)
            {
                return Undecodable("WifiEvent", status, _wifiWriters, message, out quarantine);
            }

            message = source;

            if (e.EventId.Length == 0)
            {
                quarantine = new QuarantineReason("missing-event-id", "WifiEvent: eventId is empty");
                return ProcessStatus.Quarantined;
            }

            fields = EventFields.From(e);
            (subjectType, subjectId, subjectField) = SubjectResolver.Of(e);
        }

        if (fields.HasLocation && !IsValidLocation(fields.Location))
        {
            quarantine = new QuarantineReason("location-out-of-range", "location: latitude must be within [-90, 90] and longitude within [-180, 180]");
            return ProcessStatus.Quarantined;
        }

        if (!IsPlausibleEventTime(fields.EventTime, out quarantine))
        {
            return ProcessStatus.Quarantined;
        }

        Span<byte> normalized = stackalloc byte[IdentifierNormalizer.MaxNormalizedLength];
        NormalizeStatus ns = IdentifierNormalizer.TryNormalize(subjectType, subjectId.Of(message), normalized, out int normalizedLength, out _);
        if (ns != NormalizeStatus.Ok)
        {
            quarantine = IdentifierFailure(subjectType, ns, subjectField);
            return ProcessStatus.Quarantined;
        }

        normalized = normalized[..normalizedLength];
        uint hash = _subjects.Hash(subjectType, normalized);
        if (!_subjects.TryGet(hash, subjectType, normalized, out SubjectEntry? subject))
        {
            subject = CreateSubject(hash, subjectType, normalized);
        }

        // The entry the subject used last is re-validated in place; only when the cache has moved on from it
        // (invalidation, refetch, eviction, reset, lapsed staleness bound) is the key looked up again. While nothing
        // has been dropped from the cache since the subject last found its entry current, the entry is not read.
        ConsentCacheEntry? consent = subject.Consent;
        if (consent is null || !_consent.IsCurrent(consent, subject.ConsentFetchedAt, ref subject.ConsentVerifiedDrops, ref subject.ConsentVerifiedGeneration))
        {
            if (!_consent.TryGetEntry(subject.ConsentKeyUtf8, out consent))
            {
                quarantine = default;
                consentKey = subject.ConsentKey;
                return ProcessStatus.NeedsConsent;
            }

            subject.Bind(consent, _plans);
        }

        quarantine = default;
        CurrentEventTime = fields.EventTime;
        CurrentInputKind = kind;
        long day = PurposeKeyRing.DayOf(fields.EventTime);
        uint present = EventPresence.Of(fields);
        int interestCount = -1;
        for (int i = 0; i < _plans.Length; i++)
        {
            PurposePlan plan = _plans[i];
            if (!plan.Takes(kind))
            {
                outcomes[i] = Outcome.WithheldNotApplicable;
                continue;
            }

            ConsentDecision decision = subject.Decide(i, fields.EventTime, NowMillis);
            if (decision != ConsentDecision.Forward)
            {
                outcomes[i] = decision switch
                {
                    ConsentDecision.WithheldMinor => Outcome.WithheldMinor,
                    ConsentDecision.WithheldErased => Outcome.WithheldErased,
                    ConsentDecision.WithheldWithdrawn => Outcome.WithheldWithdrawn,
                    ConsentDecision.WithheldExpired => Outcome.WithheldExpired,
                    _ => Outcome.WithheldNoConsent,
                };
                continue;
            }

            RecordProgram program = _programs[(2 * i) + (int)kind];
            if (program.UsesInterests && interestCount < 0)
            {
                // Once per event, for whichever purposes map browsing to categories.
                interestCount = OutputRecordEncoder.CollectInterests(fields, message, _policy.Interests, _interests);
                present |= interestCount > 0 ? EventPresence.Interests : 0;
            }

            if (!program.IsApplicable(present))
            {
                outcomes[i] = Outcome.WithheldNotApplicable;
                continue;
            }

            if (plan.Anonymization is { } anonymization)
            {
                outcomes[i] = Hold(plan, anonymization, program, subject, fields, present, message, sink);
                continue;
            }

            PseudonymKey key = _keys.For(i, day);
            ReadOnlySpan<byte> pseudonym = PseudonymFor(subject, i, day, key);
            ReadOnlySpan<int> categories = _interests.AsSpan(0, Math.Max(interestCount, 0));
            int written = OutputRecordEncoder.Encode(program, fields, present, categories, message, pseudonym, key.KeyIdUtf8, _policy.Interests, _scratch);
            if (written < 0)
            {
                ThrowHelper.ThrowOutputTooLarge(plan.Name);
            }

            sink?.Forward(plan, pseudonym, _scratch.AsSpan(0, written));
            outcomes[i] = Outcome.Forwarded;
            if (plan.EscrowTopic is not null && kind == InputKind.Telematics && _escrow is not null && sink is not null && IsEscrowDue(subject.EscrowSealedAt(i)))
            {
                Seal(plan, i, subject, pseudonym, sink);
            }
        }

        return ProcessStatus.Processed;
    }

    /// <summary>
    /// Starts deciding a batch: the escrow entries sealed for a batch that was not committed (aborted, failed,
    /// revoked) are taken back, so the subjects' next forwarded records seal them again.
    /// </summary>
    public void BeginBatch()
    {
        foreach ((SubjectEntry subject, int plan, long before) in _sealedThisBatch)
        {
            subject.EscrowSealedAt(plan) = before;
            Interlocked.Decrement(ref _escrowEntries);
        }

        _sealedThisBatch.Clear();
    }

    /// <summary>The batch's outputs are committed: its escrow entries are in Kafka with its records.</summary>
    public void CommitBatch() => _sealedThisBatch.Clear();

    private bool IsEscrowDue(long sealedAt) => sealedAt == 0 || NowMillis - sealedAt >= EscrowResealMillis;

    /// <summary>
    /// Seals the subject's VIN (its normalized identifier) under the recall key, keyed by the plan's pseudonym, when
    /// the subject is first cached and every <see cref="EscrowResealInterval"/> after: it goes out in the same batch
    /// (and transaction) as the record.
    /// </summary>
    private void Seal(PurposePlan plan, int planIndex, SubjectEntry subject, ReadOnlySpan<byte> pseudonym, IMinimizedRecordSink sink)
    {
        int length = _escrow!.Seal(pseudonym, subject.Normalized, _sealed);
        sink.Escrow(plan, pseudonym, _sealed.AsSpan(0, length));
        ref long sealedAt = ref subject.EscrowSealedAt(planIndex);
        _sealedThisBatch.Add((subject, planIndex, sealedAt));
        sealedAt = Math.Max(NowMillis, 1);
        Interlocked.Increment(ref _escrowEntries);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _keys.Dispose();
        _escrow?.Dispose();
    }

    /// <summary>
    /// Hands an anonymized purpose's record to its release stage: the output record with a placeholder subject, wrapped
    /// with the precise place and time and the subject's consent-store key, which only the release stage reads.
    /// </summary>
    private Outcome Hold(PurposePlan plan, Anonymization.AnonymizationRules rules, RecordProgram program, SubjectEntry subject, in EventFields fields,
        uint present, ReadOnlySpan<byte> message, IMinimizedRecordSink? sink)
    {
        if (!fields.HasLocation)
        {
            return Outcome.WithheldNotApplicable;
        }

        int written = OutputRecordEncoder.Encode(program, fields, present, default, message, Anonymization.SegmentPseudonym.Placeholder,
            Anonymization.SegmentPseudonym.KeyIdUtf8, _policy.Interests, _scratch);
        if (written < 0)
        {
            ThrowHelper.ThrowOutputTooLarge(plan.Name);
        }

        int cell = Generalization.Geohash.Encode(fields.Location.Latitude, fields.Location.Longitude, rules.CellPrecision, _cell);
        long bucket = Generalization.TimeBuckets.Floor(fields.EventTime, rules.BucketMillis);
        int length = Anonymization.ReleaseCandidateCodec.Write(_candidate, subject.ConsentKeyUtf8, (int)fields.Kind, fields.EventTime,
            fields.Location.Latitude, fields.Location.Longitude, fields.Location.SpeedKph, fields.EngineOn, fields.OutletId.Of(message),
            !fields.OutletId.IsNull, _cell.AsSpan(0, cell), bucket, _scratch.AsSpan(0, written));
        if (length < 0)
        {
            ThrowHelper.ThrowOutputTooLarge(plan.Name);
        }

        sink?.Forward(plan, subject.ConsentKeyUtf8, _candidate.AsSpan(0, length));
        return Outcome.HeldForRelease;
    }

    private ReadOnlySpan<byte> PseudonymFor(SubjectEntry subject, int planIndex, long day, PseudonymKey key)
    {
        long epoch = _keys.IsDaily(planIndex) ? day : 0;
        Span<byte> slot = subject.Pseudonym(planIndex);
        ref long made = ref subject.PseudonymDay(planIndex);
        if (made != epoch)
        {
            key.Compute(subject.Type, subject.Normalized, slot);
            made = epoch;
        }

        return slot;
    }

    private SubjectEntry CreateSubject(uint hash, SubjectType type, ReadOnlySpan<byte> normalized)
    {
        var entry = new SubjectEntry(hash, type, normalized, _plans.Length);
        _keys.ConsentIndex.Compute(type, normalized, entry.ConsentKeyUtf8);
        entry.ConsentKey = System.Text.Encoding.ASCII.GetString(entry.ConsentKeyUtf8);
        _subjects.Add(entry);
        return entry;
    }

    // The last millisecond DateTimeOffset can hold (9999-12-31): later times cannot even be turned into a date.
    private const long MaxEventTime = 253_402_300_799_999;
    private const long MaxFutureSkewMillis = 86_400_000;

    // The policy's longest retention, read once: the per-event check compares against it.
    private readonly long _longestRetentionMillis;

    private bool IsPlausibleEventTime(long eventTime, out QuarantineReason quarantine)
    {
        quarantine = default;
        if (eventTime is < 0 or > MaxEventTime)
        {
            quarantine = new QuarantineReason("event-time-out-of-range", "eventTime: must be a date from 1970 to 9999");
            return false;
        }

        long now = NowMillis;
        if (now <= 0)
        {
            return true;
        }

        if (eventTime > now + MaxFutureSkewMillis)
        {
            quarantine = new QuarantineReason("event-time-in-future", "eventTime: more than a day ahead of the minimizer's clock");
            return false;
        }

        if (eventTime < now - _longestRetentionMillis)
        {
            quarantine = new QuarantineReason("event-time-past-retention", "eventTime: older than the policy's longest retention");
            return false;
        }

        return true;
    }

    private static bool IsValidLocation(in GeoLocation location) =>
        location.Latitude is >= -90.0 and <= 90.0 && location.Longitude is >= -180.0 and <= 180.0;

    private ProcessStatus Undecodable(string schema, AvroStatus status, WriterSchemaSet writers, ReadOnlySpan<byte> message, out QuarantineReason quarantine)
    {
        if (status == AvroStatus.UnknownSchemaId)
        {
            // Not the input's fault: its writer schema is in the registry but not fetched yet.
            quarantine = default;
            Contracts.Avro.Framing.ConfluentFraming.TryReadHeader(message, out int schemaId);
            PendingSchemaId = schemaId;
            return ProcessStatus.NeedsSchema;
        }

        quarantine = DecodeFailure(schema, status, writers, message);
        return ProcessStatus.Quarantined;
    }

    private static QuarantineReason DecodeFailure(string schema, AvroStatus status, WriterSchemaSet writers, ReadOnlySpan<byte> message) =>
        new(status.ToReasonCode(), schema + ": " + (status is AvroStatus.IncompatibleWriter or AvroStatus.UnresolvableValue ? writers.Explain(message) : Describe(status)));

    private static QuarantineReason IdentifierFailure(SubjectType type, NormalizeStatus status, string field) =>
        new(IdentifierNormalizer.ToReasonCode(type, status), "subject identifier '" + field + "' failed normalization: " + status);

    private static string Describe(AvroStatus status) => status switch
    {
        AvroStatus.Truncated => "the value ended inside a field",
        AvroStatus.UnknownFingerprint => "the writer-schema fingerprint is not one this reader knows",
        AvroStatus.BadMarker => "the value does not start with the single-object marker C3 01 (or, with a schema registry, Confluent's magic byte 0)",
        AvroStatus.UnregisteredSchemaId => "the schema registry has no schema with the message's id",
        AvroStatus.TrailingBytes => "bytes follow the record's last field",
        AvroStatus.LengthTooLarge => "a length exceeds its cap or the bytes left",
        AvroStatus.VarintTooLong => "a varint is longer than 10 bytes",
        AvroStatus.InvalidUtf8 => "a string is not valid UTF-8",
        _ => "invalid Avro binary (" + status.ToReasonCode() + ")",
    };
}
