using Sieve.Contracts.Avro;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Records;
using Sieve.Contracts.Schemas;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Pipeline;
using Sieve.Core.Policy;

namespace Sieve.Commands.Policy;

/// <summary>
/// Runs one sample event through a real <see cref="MinimizerCore"/> (in-memory consent store and near-cache,
/// given master keys) and explains the result per purpose: the outcome, each output field with the input field
/// and transform that made it, and the input fields that were dropped.
/// </summary>
internal static class PolicyExplainer
{
    /// <summary>Explains what <paramref name="policy"/> does to <paramref name="sample"/> under <paramref name="consent"/>.</summary>
    public static async Task<ExplainReport> ExplainAsync(CompiledPolicy policy, SampleEvent sample, ConsentSpec consent, MasterKeyRing keys,
        CancellationToken cancellationToken)
    {
        byte[] message = sample.ToMessage();
        var store = new InMemoryConsentStore();
        // One event of one subject: the caches need room for no more.
        using OfflineMinimizer minimizer = new MinimizerPipelineBuilder(store, policy, new PseudonymKeyFactory(keys))
        {
            Options = MinimizerPipelineOptions.Production with { ConsentCacheCapacity = 16, SubjectCacheCapacity = 16 },
        }.BuildOffline();
        ConsentCache cache = minimizer.Cache;
        MinimizerCore core = minimizer.Core;
        var sink = new RecordingSink();
        var outcomes = new Outcome[core.Plans.Count];

        ProcessStatus status = core.Process(sample.Kind, message, sink, outcomes, out QuarantineReason quarantine, out string? consentKey);
        if (status == ProcessStatus.NeedsConsent)
        {
            // The core names the subject only by its consent key; that is where the assumed consent is stored.
            foreach (ConsentUpdate update in consent.UpdatesFor(consentKey!, sample.EventTime, policy.PolicyVersion))
            {
                await store.ApplyAsync(update, cancellationToken).ConfigureAwait(false);
            }

            await cache.FetchAsync([consentKey!], cancellationToken).ConfigureAwait(false);
            status = core.Process(sample.Kind, message, sink, outcomes, out quarantine, out _);
            if (status == ProcessStatus.NeedsConsent)
            {
                ThrowHelper.Failure("the minimizer still asks for consent after it was loaded");
            }
        }

        (string? subjectField, SubjectType? subjectType) = ResolveSubject(sample.Kind, message);
        var summary = new EventSummary(PolicyInputs.SectionName(sample.Kind), sample.EventId, sample.EventTime, subjectField,
            subjectType is { } t ? SubjectTypeNames.NameOf(t) : null);
        var consentSummary = new ConsentSummary(consent.Granted, ConsentSpec.EffectiveTime(sample.EventTime), consent.Minor);
        if (status == ProcessStatus.Quarantined)
        {
            return new ExplainReport(policy.Source, policy.PolicyVersion, Describe(keys), summary, consentSummary, quarantine, []);
        }

        var purposes = new List<PurposeExplanation>(core.Plans.Count);
        for (int i = 0; i < core.Plans.Count; i++)
        {
            PurposePlan plan = core.Plans[i];
            purposes.Add(Explain(plan, sample.Kind, outcomes[i], sink.Find(plan), subjectField));
        }

        return new ExplainReport(policy.Source, policy.PolicyVersion, Describe(keys), summary, consentSummary, null, purposes);
    }

    private static string Describe(MasterKeyRing keys) => keys.IsDemo
        ? $"demo key {keys.Active.Id} (its secret is public: these pseudonyms only illustrate)"
        : $"master key {keys.Active.Id}";

    private static PurposeExplanation Explain(PurposePlan plan, InputKind kind, Outcome outcome, byte[]? record, string? subjectField)
    {
        string code = OutcomeNames.Name(outcome);
        IReadOnlyList<string> release = plan.Anonymization is { } rules ? TransformDescriptions.Release(rules) : [];
        if (outcome is not (Outcome.Forwarded or Outcome.HeldForRelease))
        {
            ExplainOutcome shown = outcome == Outcome.WithheldNotApplicable ? ExplainOutcome.NotApplicable : ExplainOutcome.Withheld;
            return new PurposeExplanation(plan.Name, plan.Topic, plan.ConsentRequired, plan.ConsentMaxAge, plan.ConsentMaxAgeReason, plan.Rotation, shown, code, Reason(plan, kind, outcome), [], [], release)
            {
                Basis = plan.LegalBasis, LegalReference = plan.LegalReference, EscrowTopic = plan.EscrowTopic,
            };
        }

        if (record is null)
        {
            ThrowHelper.Failure($"purpose '{plan.Name}' was forwarded but no record was written");
        }

        if (outcome == Outcome.HeldForRelease)
        {
            // What the release stage would forward: the output record inside the candidate.
            if (Sieve.Core.Anonymization.ReleaseCandidateCodec.TryRead(record, out Sieve.Core.Anonymization.ReleaseCandidate candidate) != AvroStatus.Ok)
            {
                ThrowHelper.Failure($"purpose '{plan.Name}': the release candidate could not be read");
            }

            record = candidate.Record.ToArray();
        }

        IReadOnlyList<KeyValuePair<string, object?>> values = MinimizedRecordDecoder.Decode(plan.OutputSchema, record);
        var fields = new List<FieldExplanation>(plan.Slots.Count);
        foreach (OutputSlot slot in plan.Slots)
        {
            object? value = Find(values, slot.FieldName);
            fields.Add(ExplainSlot(plan, slot, kind, value, subjectField));
        }

        return new PurposeExplanation(plan.Name, plan.Topic, plan.ConsentRequired, plan.ConsentMaxAge, plan.ConsentMaxAgeReason, plan.Rotation,
            outcome == Outcome.HeldForRelease ? ExplainOutcome.Held : ExplainOutcome.Forwarded, code, null, fields, Dropped(plan, kind, subjectField), release)
        {
            Basis = plan.LegalBasis, LegalReference = plan.LegalReference, EscrowTopic = plan.EscrowTopic,
        };
    }

    private static FieldExplanation ExplainSlot(PurposePlan plan, OutputSlot slot, InputKind kind, object? value, string? subjectField)
    {
        FieldTransform transform = slot.From(kind);
        return slot.Kind switch
        {
            SlotKind.Subject => new FieldExplanation(slot.FieldName, value, subjectField, TransformDescriptions.Pseudonym(plan)),
            SlotKind.KeyId => new FieldExplanation(slot.FieldName, value, null, plan.Rotation == PseudonymRotation.Segment
                ? "set by the minimizer: 'segment' (no key made the pseudonym)"
                : "set by the minimizer: master key/purpose/epoch"),
            SlotKind.Source => new FieldExplanation(slot.FieldName, value, null, "set by the minimizer: input kind"),
            _ when transform.Kind == TransformKind.None =>
                new FieldExplanation(slot.FieldName, value, null, "not filled from " + PolicyInputs.SectionName(kind) + " events"),
            _ => new FieldExplanation(slot.FieldName, value, kind == InputKind.Telematics ? slot.TelematicsSourcePath : slot.WifiSourcePath,
                TransformDescriptions.Describe(transform)),
        };
    }

    /// <summary>Every leaf field of the input schema that fills no output field of <paramref name="plan"/>.</summary>
    private static List<DroppedField> Dropped(PurposePlan plan, InputKind kind, string? subjectField)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        var usedWhole = new List<string>();
        foreach (OutputSlot slot in plan.Slots)
        {
            FieldTransform transform = slot.From(kind);
            if (transform.Kind == TransformKind.None)
            {
                continue;
            }

            if (slot.Kind == SlotKind.Subject)
            {
                if (subjectField is not null)
                {
                    used.Add(subjectField);
                }

                continue;
            }

            string? path = kind == InputKind.Telematics ? slot.TelematicsSourcePath : slot.WifiSourcePath;
            if (path is null)
            {
                continue;
            }

            used.Add(path);
            if (transform.Kind == TransformKind.Geohash)
            {
                // A geohash is made of the position alone; speed, heading and altitude do not go into it.
                used.Add(path + ".latitude");
                used.Add(path + ".longitude");
            }
            else
            {
                usedWhole.Add(path + ".");
            }
        }

        IReadOnlyList<SchemaField> inputFields = SchemaCatalog.Flatten(PolicyInputs.Schema(kind).Schema);
        var directRecords = new List<string>();
        var dropped = new List<DroppedField>();
        foreach (SchemaField field in inputFields)
        {
            bool direct = field.Classification == "direct" || UnderAny(field.Path, directRecords);
            if (field.IsRecord)
            {
                if (direct)
                {
                    directRecords.Add(field.Path + ".");
                }

                continue;
            }

            if (!used.Contains(field.Path) && !UnderAny(field.Path, usedWhole))
            {
                dropped.Add(new DroppedField(field.Path, direct));
            }
        }

        return dropped;
    }

    private static bool UnderAny(string path, List<string> prefixes)
    {
        foreach (string prefix in prefixes)
        {
            if (path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Reason(PurposePlan plan, InputKind kind, Outcome outcome) => outcome switch
    {
        Outcome.WithheldNoConsent => "the purpose needs consent and the subject has not granted it (or granted it only after the event)",
        Outcome.WithheldWithdrawn => "the subject withdrew consent for this purpose",
        Outcome.WithheldMinor => "the subject is a minor: nothing of theirs is forwarded to any purpose",
        Outcome.WithheldErased => "the subject was erased: nothing of theirs is forwarded to any purpose again",
        Outcome.WithheldExpired => "the subject's grant had lapsed (its expiresAt, or the purpose's consentMaxAge after it took effect)",
        _ when !plan.Takes(kind) => $"the policy gives this purpose no {PolicyInputs.SectionName(kind)} section",
        _ => "the event carries nothing this purpose receives",
    };

    private static (string? Field, SubjectType? Type) ResolveSubject(InputKind kind, byte[] message)
    {
        if (kind == InputKind.Telematics)
        {
            if (TelematicsEventCodec.TryReadMessage(message, out TelematicsEvent telematics) != AvroStatus.Ok)
            {
                return (null, null);
            }

            (SubjectType type, _, string field) = SubjectResolver.Of(telematics);
            return (field, type);
        }

        if (WifiEventCodec.TryReadMessage(message, out WifiEvent wifi) != AvroStatus.Ok)
        {
            return (null, null);
        }

        (SubjectType wifiType, _, string wifiField) = SubjectResolver.Of(wifi);
        return (wifiField, wifiType);
    }

    private static object? Find(IReadOnlyList<KeyValuePair<string, object?>> values, string name)
    {
        foreach (KeyValuePair<string, object?> pair in values)
        {
            if (string.Equals(pair.Key, name, StringComparison.Ordinal))
            {
                return pair.Value;
            }
        }

        return null;
    }

    /// <summary>Keeps a copy of each forwarded record by purpose.</summary>
    private sealed class RecordingSink : IMinimizedRecordSink
    {
        private readonly Dictionary<string, byte[]> _records = new(StringComparer.Ordinal);

        public void Forward(PurposePlan plan, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => _records[plan.Name] = value.ToArray();

        public byte[]? Find(PurposePlan plan) => _records.GetValueOrDefault(plan.Name);
    }
}
