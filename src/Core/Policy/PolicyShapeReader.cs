using Sieve.Contracts.Schemas;

namespace Sieve.Core.Policy;

/// <summary>
/// Reads the shape of a policy document: the top-level keys, the purposes and their keys, the interest map, the
/// plain values (<c>policyVersion</c>, <c>consentRequired</c>, <c>pseudonym</c>) and which input fields a section
/// names. Reports unknown and missing keys and values of the wrong kind.
/// </summary>
internal sealed class PolicyShapeReader
{
    /// <summary>Top-level key: the policy's version.</summary>
    public const string PolicyVersionKey = "policyVersion";

    /// <summary>Top-level key: the purposes by name.</summary>
    public const string PurposesKey = "purposes";

    /// <summary>Top-level key: the domain to interest-category map.</summary>
    public const string InterestCategoriesKey = "interestCategories";

    /// <summary>Purpose key: the output topic.</summary>
    public const string TopicKey = "topic";

    /// <summary>Purpose key: the output schema's name.</summary>
    public const string OutputSchemaKey = "outputSchema";

    /// <summary>Purpose key: how long the purpose's data is kept.</summary>
    public const string RetentionKey = "retention";

    /// <summary>Purpose key: whether consent is needed.</summary>
    public const string ConsentRequiredKey = "consentRequired";

    /// <summary>Purpose key: how long a grant of consent lasts at most (whole days, or <c>none</c> with a reason).</summary>
    public const string ConsentMaxAgeKey = "consentMaxAge";

    /// <summary>Purpose key: why a purpose's consent has no maximum age (only with <c>"consentMaxAge": "none"</c>).</summary>
    public const string ConsentMaxAgeReasonKey = "consentMaxAgeReason";

    /// <summary>Purpose key: how the pseudonym rotates.</summary>
    public const string PseudonymKey = "pseudonym";

    private const string StablePseudonym = "stable";
    private const string DailyPseudonym = "daily";
    private const string SegmentPseudonym = "segment";

    private static readonly string[] TopLevelKeys = [PolicyVersionKey, PurposesKey, InterestCategoriesKey];
    private static readonly string[] PurposeKeys = [TopicKey, OutputSchemaKey, RetentionKey, ConsentRequiredKey, ConsentMaxAgeKey, ConsentMaxAgeReasonKey,
        LegalBasisReader.LegalBasisKey, LegalBasisReader.LegalReferenceKey, PseudonymKey, AnonymizationReader.AnonymizeKey, LegalBasisReader.RecallEscrowKey,
        PolicyInputs.TelematicsSection, PolicyInputs.WifiSection];

    private readonly PolicyDiagnostics _diagnostics;

    public PolicyShapeReader(PolicyDiagnostics diagnostics) => _diagnostics = diagnostics;

    /// <summary>Checks the root is an object with known keys and reads <c>policyVersion</c>; null unless it is an object.</summary>
    public Document? ReadDocument(PolicyJsonNode root)
    {
        if (root.Kind != PolicyJsonKind.Object)
        {
            Error(root.Offset, $"the policy must be a JSON object, not {root.Describe()}");
            return null;
        }

        PolicyJsonProperty? version = null, purposes = null, interests = null;
        foreach (PolicyJsonProperty property in root.Properties)
        {
            switch (property.Name)
            {
                case PolicyVersionKey: version = property; break;
                case PurposesKey: purposes = property; break;
                case InterestCategoriesKey: interests = property; break;
                default:
                    Error(property.NameOffset, $"unknown top-level key '{property.Name}'; expected {PolicyDiagnostics.Quoted(TopLevelKeys)}");
                    break;
            }
        }

        string? policyVersion = null;
        if (version is null)
        {
            Error(root.Offset, $"missing '{PolicyVersionKey}'");
        }
        else
        {
            policyVersion = RequireString(version, $"'{PolicyVersionKey}'");
        }

        return new Document(root, policyVersion, purposes, interests);
    }

    /// <summary>Reads the <c>interestCategories</c> map (empty when the document has none).</summary>
    public InterestCategoryMap ReadInterests(Document document)
    {
        if (document.Interests is not { } interests)
        {
            return InterestCategoryMap.Empty;
        }

        PolicyJsonNode node = interests.Value;
        if (node.Kind != PolicyJsonKind.Object)
        {
            Error(node.Offset, $"'{InterestCategoriesKey}' must be an object mapping domains to category names, not {node.Describe()}");
            return InterestCategoryMap.Empty;
        }

        var pairs = new List<KeyValuePair<string, string>>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (PolicyJsonProperty entry in node.Properties)
        {
            string? problem = InterestCategoryMap.ValidateDomain(entry.Name);
            if (problem is not null)
            {
                Error(entry.NameOffset, $"interest domain '{entry.Name}': {problem}");
                continue;
            }

            if (!seen.Add(entry.Name))
            {
                Error(entry.NameOffset, $"interest domain '{entry.Name}' is listed more than once (domains ignore case)");
                continue;
            }

            if (entry.Value.Kind != PolicyJsonKind.String)
            {
                Error(entry.Value.Offset, $"the category of interest domain '{entry.Name}' must be a string, not {entry.Value.Describe()}");
                continue;
            }

            problem = InterestCategoryMap.ValidateCategory(entry.Value.String);
            if (problem is not null)
            {
                Error(entry.Value.Offset, $"interest domain '{entry.Name}': {problem}");
                continue;
            }

            pairs.Add(new KeyValuePair<string, string>(entry.Name, entry.Value.String!));
        }

        return InterestCategoryMap.Create(pairs);
    }

    /// <summary>The purposes the document declares (none when <c>purposes</c> is missing or not an object).</summary>
    public IReadOnlyList<PolicyJsonProperty> ReadPurposes(Document document)
    {
        if (document.Purposes is not { } purposes)
        {
            Error(document.Root.Offset, $"missing '{PurposesKey}'");
            return [];
        }

        if (purposes.Value.Kind != PolicyJsonKind.Object)
        {
            Error(purposes.Value.Offset, $"'{PurposesKey}' must be an object mapping purpose names to purposes, not {purposes.Value.Describe()}");
            return [];
        }

        if (purposes.Value.Properties.Count == 0)
        {
            Error(purposes.Value.Offset, $"'{PurposesKey}' declares no purpose");
        }

        return purposes.Value.Properties;
    }

    /// <summary>Finds a purpose's keys and reports unknown ones; null unless the purpose is an object.</summary>
    public Purpose? ReadPurpose(PolicyJsonProperty purposeProperty)
    {
        string name = purposeProperty.Name;
        PolicyJsonNode node = purposeProperty.Value;
        if (node.Kind != PolicyJsonKind.Object)
        {
            Error(node.Offset, $"purpose '{name}' must be an object, not {node.Describe()}");
            return null;
        }

        PolicyJsonProperty? topic = null, schema = null, retention = null, consent = null, pseudonym = null, anonymize = null, telematics = null, wifi = null;
        PolicyJsonProperty? maxAge = null, maxAgeReason = null;
        foreach (PolicyJsonProperty property in node.Properties)
        {
            switch (property.Name)
            {
                case TopicKey: topic = property; break;
                case OutputSchemaKey: schema = property; break;
                case RetentionKey: retention = property; break;
                case ConsentRequiredKey: consent = property; break;
                case ConsentMaxAgeKey: maxAge = property; break;
                case ConsentMaxAgeReasonKey: maxAgeReason = property; break;
                case PseudonymKey: pseudonym = property; break;
                case AnonymizationReader.AnonymizeKey: anonymize = property; break;
                case PolicyInputs.TelematicsSection: telematics = property; break;
                case PolicyInputs.WifiSection: wifi = property; break;
                case LegalBasisReader.LegalBasisKey or LegalBasisReader.LegalReferenceKey or LegalBasisReader.RecallEscrowKey:
                    // Read with what the purpose forwards by LegalBasisReader.
                    break;
                default:
                    Error(property.NameOffset, $"unknown key '{property.Name}' in purpose '{name}'; expected {PolicyDiagnostics.Quoted(PurposeKeys)}");
                    break;
            }
        }

        return new Purpose(name, node, topic, schema, retention, consent, pseudonym, anonymize, telematics, wifi, maxAge, maxAgeReason);
    }

    /// <summary>Reads a purpose's string-valued key (<c>topic</c>, <c>outputSchema</c>); null when missing or not a non-empty string.</summary>
    public string? ReadString(Purpose purpose, PolicyJsonProperty? key, string keyName)
    {
        if (key is null)
        {
            Error(purpose.Node.Offset, $"purpose '{purpose.Name}' is missing '{keyName}'");
            return null;
        }

        return RequireString(key, $"'{keyName}' of purpose '{purpose.Name}'");
    }

    /// <summary>Reads <c>consentRequired</c>; null when missing or not a boolean.</summary>
    public bool? ReadConsentRequired(Purpose purpose)
    {
        if (purpose.ConsentRequired is not { } key)
        {
            Error(purpose.Node.Offset, $"purpose '{purpose.Name}' is missing '{ConsentRequiredKey}'");
            return null;
        }

        if (key.Value.Kind is PolicyJsonKind.True or PolicyJsonKind.False)
        {
            return key.Value.Kind == PolicyJsonKind.True;
        }

        Error(key.Value.Offset, $"'{ConsentRequiredKey}' of purpose '{purpose.Name}' must be true or false, not {key.Value.Describe()}");
        return null;
    }

    /// <summary>Reads <c>pseudonym</c>; null when missing or not <c>stable</c>, <c>daily</c> or <c>segment</c>.</summary>
    public PseudonymRotation? ReadPseudonym(Purpose purpose)
    {
        if (purpose.Pseudonym is not { } key)
        {
            Error(purpose.Node.Offset, $"purpose '{purpose.Name}' is missing '{PseudonymKey}'");
            return null;
        }

        switch (key.Value.String)
        {
            case StablePseudonym when key.Value.Kind == PolicyJsonKind.String: return PseudonymRotation.Stable;
            case DailyPseudonym when key.Value.Kind == PolicyJsonKind.String: return PseudonymRotation.DailyUtc;
            case SegmentPseudonym when key.Value.Kind == PolicyJsonKind.String: return PseudonymRotation.Segment;
            default:
                Error(key.Value.Offset, $"'{PseudonymKey}' of purpose '{purpose.Name}' must be '{StablePseudonym}', '{DailyPseudonym}' or '{SegmentPseudonym}', not {key.Value.DescribeValue()}");
                return null;
        }
    }

    /// <summary>Reports a purpose that declares neither input section.</summary>
    public void CheckHasInput(Purpose purpose)
    {
        if (purpose.Telematics is null && purpose.Wifi is null)
        {
            Error(purpose.Node.Offset, $"purpose '{purpose.Name}' declares no input; add a '{PolicyInputs.TelematicsSection}' and/or a '{PolicyInputs.WifiSection}' section");
        }
    }

    /// <summary>
    /// Checks an input section is an object; returns the input's fields by dotted path, or null (reported) when it
    /// is not.
    /// </summary>
    public Dictionary<string, SchemaField>? ReadSection(string purpose, InputKind input, PolicyJsonProperty sectionKey)
    {
        PolicyJsonNode node = sectionKey.Value;
        if (node.Kind != PolicyJsonKind.Object)
        {
            Error(node.Offset, $"section '{sectionKey.Name}' of purpose '{purpose}' must be an object mapping {PolicyInputs.SchemaName(input)} field paths to transforms, not {node.Describe()}");
            return null;
        }

        var fields = new Dictionary<string, SchemaField>(StringComparer.Ordinal);
        foreach (SchemaField field in InputFields(input))
        {
            fields.Add(field.Path, field);
        }

        return fields;
    }

    /// <summary>The input field a section member names; null (reported) when the input has no such field.</summary>
    public SchemaField? FindField(string purpose, InputKind input, string section, PolicyJsonProperty member, Dictionary<string, SchemaField> fields)
    {
        string path = member.Name;
        if (fields.TryGetValue(path, out SchemaField? field))
        {
            return field;
        }

        var paths = new List<string>();
        foreach (SchemaField known in InputFields(input))
        {
            paths.Add(known.Path);
        }

        Error(member.NameOffset, $"unknown field '{path}' in {PolicyInputs.SchemaName(input)} (section '{section}' of purpose '{purpose}'); known: {string.Join(", ", paths)}");
        return null;
    }

    private static IReadOnlyList<SchemaField> InputFields(InputKind input) => SchemaCatalog.Flatten(PolicyInputs.Schema(input).Schema);

    private string? RequireString(PolicyJsonProperty property, string what)
    {
        if (property.Value.Kind != PolicyJsonKind.String || string.IsNullOrWhiteSpace(property.Value.String))
        {
            Error(property.Value.Offset, $"{what} must be a non-empty string, not {property.Value.DescribeValue()}");
            return null;
        }

        return property.Value.String;
    }

    private void Error(long offset, string problem) => _diagnostics.Add(offset, problem);

    /// <summary>The policy document's top level: the root object, its version (null when invalid) and its sections.</summary>
    public sealed record Document(PolicyJsonNode Root, string? PolicyVersion, PolicyJsonProperty? Purposes, PolicyJsonProperty? Interests);

    /// <summary>A purpose object and its keys, each null when the purpose lacks it.</summary>
    public sealed record Purpose(string Name, PolicyJsonNode Node, PolicyJsonProperty? Topic, PolicyJsonProperty? OutputSchema,
        PolicyJsonProperty? Retention, PolicyJsonProperty? ConsentRequired, PolicyJsonProperty? Pseudonym, PolicyJsonProperty? Anonymize,
        PolicyJsonProperty? Telematics, PolicyJsonProperty? Wifi, PolicyJsonProperty? ConsentMaxAge, PolicyJsonProperty? ConsentMaxAgeReason);
}
