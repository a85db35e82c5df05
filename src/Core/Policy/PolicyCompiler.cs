using Sieve.Contracts.Schemas;

namespace Sieve.Core.Policy;

/// <summary>
/// Compiles a policy document into per-purpose output plans: parses it, then has <see cref="PolicyShapeReader"/>,
/// <see cref="PrivacyRules"/>, <see cref="TransformReader"/> and <see cref="SlotPlanner"/> check it part by part.
/// Every problem is recorded with its position; nothing is compiled unless there are none. The rules are described
/// in <c>src/Core/Policy/README.md</c>.
/// </summary>
internal sealed class PolicyCompiler
{
    /// <summary>Largest policy document accepted.</summary>
    public const int MaxPolicyBytes = 1 << 20;

    private readonly PolicyDiagnostics _diagnostics;
    private readonly PolicyShapeReader _shape;
    private readonly PrivacyRules _privacy;
    private readonly TransformReader _transforms;
    private readonly SlotPlanner _slots;
    private readonly AnonymizationReader _anonymization;
    private readonly LegalBasisReader _legalBasis;

    private PolicyCompiler(PolicyDiagnostics diagnostics, IReadOnlyList<SchemaInfo> outputSchemas)
    {
        _diagnostics = diagnostics;
        _shape = new PolicyShapeReader(diagnostics);
        _privacy = new PrivacyRules(diagnostics);
        _transforms = new TransformReader(diagnostics);
        _slots = new SlotPlanner(diagnostics, outputSchemas);
        _anonymization = new AnonymizationReader(diagnostics);
        _legalBasis = new LegalBasisReader(diagnostics);
    }

    /// <summary>Parses, validates and compiles a UTF-8 policy document.</summary>
    /// <param name="utf8">The document; a leading byte-order mark is skipped.</param>
    /// <param name="sourceName">Names the document in errors.</param>
    /// <param name="outputSchemas">Schemas <c>outputSchema</c> may name; the embedded catalog when null (tests pass others).</param>
    /// <exception cref="PolicyValidationException">The document is malformed or breaks a rule.</exception>
    public static CompiledPolicy Compile(ReadOnlySpan<byte> utf8, string sourceName, IReadOnlyList<SchemaInfo>? outputSchemas = null)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (utf8.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            utf8 = utf8[3..];
        }

        var diagnostics = new PolicyDiagnostics(sourceName, new SourceLineMap(utf8.Length > MaxPolicyBytes ? default : utf8));
        CompiledPolicy? policy = null;
        if (utf8.Length > MaxPolicyBytes)
        {
            diagnostics.Add(0, $"the policy is larger than {MaxPolicyBytes} bytes");
        }
        else
        {
            PolicyJsonNode? root = PolicyJsonParser.Parse(utf8, diagnostics);
            if (root is not null)
            {
                policy = new PolicyCompiler(diagnostics, outputSchemas ?? SchemaCatalog.Default.All).CompileRoot(root, sourceName);
            }
        }

        if (policy is null || diagnostics.HasErrors)
        {
            throw new PolicyValidationException(sourceName, diagnostics.Errors());
        }

        return policy;
    }

    private CompiledPolicy? CompileRoot(PolicyJsonNode root, string source)
    {
        if (_shape.ReadDocument(root) is not { } document)
        {
            return null;
        }

        InterestCategoryMap map = _shape.ReadInterests(document);
        var plans = new List<PurposePlan>();
        var topics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (PolicyJsonProperty purpose in _shape.ReadPurposes(document))
        {
            if (CompilePurpose(purpose, map.DomainCount > 0, topics) is { } plan)
            {
                plans.Add(plan);
            }
        }

        return _diagnostics.HasErrors || document.PolicyVersion is null ? null : new CompiledPolicy(document.PolicyVersion, source, plans, map);
    }

    private PurposePlan? CompilePurpose(PolicyJsonProperty purposeProperty, bool hasInterests, Dictionary<string, string> topics)
    {
        int purposeId = _privacy.DeclaredPurposeId(purposeProperty);
        if (_shape.ReadPurpose(purposeProperty) is not { } p)
        {
            return null;
        }

        string name = p.Name;
        string? topic = _shape.ReadString(p, p.Topic, PolicyShapeReader.TopicKey) is { } topicName
            ? _slots.ClaimTopic(name, topicName, p.Topic!.Value.Offset, topics)
            : null;
        SchemaInfo? output = _shape.ReadString(p, p.OutputSchema, PolicyShapeReader.OutputSchemaKey) is { } schemaName
            ? _slots.FindOutputSchema(name, schemaName, p.OutputSchema!.Value.Offset)
            : null;
        int? retentionDays = _privacy.ReadRetention(p);
        bool? consentRequired = _shape.ReadConsentRequired(p);
        bool maxAgeOk = _privacy.ReadConsentMaxAge(p, consentRequired, out TimeSpan? consentMaxAge, out string? consentMaxAgeReason);
        PseudonymRotation? rotation = _shape.ReadPseudonym(p);
        _shape.CheckHasInput(p);

        SlotPlanner.Section? telematics = p.Telematics is null ? null : CompileSection(name, InputKind.Telematics, p.Telematics, hasInterests);
        SlotPlanner.Section? wifi = p.Wifi is null ? null : CompileSection(name, InputKind.Wifi, p.Wifi, hasInterests);

        IReadOnlyList<OutputSlot>? slots = null;
        LegalBasisReader.Basis? basis = null;
        if (output is not null)
        {
            slots = _slots.Plan(name, output, p.OutputSchema!.Value.Offset, telematics, wifi);
            if (slots is not null && consentRequired is not null && rotation is not null)
            {
                basis = _legalBasis.Read(p, consentRequired.Value, rotation.Value, slots, (escrow, at) => _slots.ClaimTopic(name, escrow, at, topics));
                if (basis?.LegalBasis == LegalBasis.Anonymized)
                {
                    _privacy.CheckConsentExemption(name, output, rotation.Value, p.Anonymize is not null, p.ConsentRequired!.Value.Offset);
                }
            }
        }

        Anonymization.AnonymizationRules? anonymization = null;
        if (p.Anonymize is { } block && slots is not null && rotation is not null && topic is not null)
        {
            anonymization = _anonymization.Read(name, block, rotation.Value, topic, slots);
        }
        else if (p.Anonymize is null && rotation == PseudonymRotation.Segment)
        {
            _diagnostics.Add(p.Pseudonym!.Value.Offset, $"purpose '{name}' uses 'segment' pseudonyms, which need an '{AnonymizationReader.AnonymizeKey}' block");
        }

        if (purposeId < 0 || topic is null || output is null || slots is null || retentionDays is null || consentRequired is null || rotation is null || basis is null || !maxAgeOk
            || (p.Telematics is not null && telematics is null) || (p.Wifi is not null && wifi is null) || (telematics is null && wifi is null)
            || (p.Anonymize is not null && anonymization is null))
        {
            return null;
        }

        return new PurposePlan(name, purposeId, topic, consentRequired.Value, rotation.Value, output, slots, telematics is not null, wifi is not null,
            TimeSpan.FromDays(retentionDays.Value))
        {
            Anonymization = anonymization,
            LegalBasis = basis.LegalBasis,
            LegalReference = basis.LegalReference,
            EscrowTopic = basis.EscrowTopic,
            ConsentMaxAge = consentMaxAge,
            ConsentMaxAgeReason = consentMaxAgeReason,
        };
    }

    /// <summary>Reads each member of a section through the transform and privacy checks into an entry filling an output field.</summary>
    private SlotPlanner.Section? CompileSection(string purpose, InputKind input, PolicyJsonProperty sectionKey, bool hasInterests)
    {
        if (_shape.ReadSection(purpose, input, sectionKey) is not { } fields)
        {
            return null;
        }

        bool ok = true;
        var section = new SlotPlanner.Section(input, sectionKey.Name, sectionKey.NameOffset);
        foreach (PolicyJsonProperty member in sectionKey.Value.Properties)
        {
            if (_shape.FindField(purpose, input, section.Name, member, fields) is not { } field)
            {
                ok = false;
                continue;
            }

            if (!_transforms.TryRead(purpose, member, field, out FieldTransform transform)
                || !(_privacy.CheckIdentifiers(input, member, fields, transform.Kind) ?? _transforms.CheckApplies(purpose, member, field, transform.Kind, hasInterests)))
            {
                ok = false;
                continue;
            }

            if (transform.Kind != TransformKind.None && !_slots.TryAddEntry(purpose, section, member, field, transform))
            {
                ok = false;
            }
        }

        return ok ? section : null;
    }
}
