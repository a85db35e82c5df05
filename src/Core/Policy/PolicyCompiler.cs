using System.Globalization;
using Avro;
using Sieve.Contracts;
using Sieve.Contracts.Purposes;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Policy;

/// <summary>
/// Validates a parsed policy document against the schemas and the privacy rules, and compiles it into per-purpose
/// output plans. Every problem is recorded with its position; nothing is compiled unless there are none. The rules
/// are described in <c>src/Core/Policy/README.md</c>.
/// </summary>
internal sealed class PolicyCompiler
{
    /// <summary>Largest policy document accepted.</summary>
    public const int MaxPolicyBytes = 1 << 20;

    /// <summary>Widest time bucket (a leap year).</summary>
    public const int MaxBucketMinutes = 366 * 24 * 60;

    /// <summary>Longest Kafka topic name.</summary>
    public const int MaxTopicLength = 249;

    /// <summary>Largest rounding step.</summary>
    public const double MaxStep = 1e12;

    private const string PolicyVersionKey = "policyVersion";
    private const string PurposesKey = "purposes";
    private const string InterestCategoriesKey = "interestCategories";

    private static readonly string[] TopLevelKeys = [PolicyVersionKey, PurposesKey, InterestCategoriesKey];
    private static readonly string[] PurposeKeys = ["topic", "outputSchema", "retention", "consentRequired", "pseudonym", PolicyInputs.TelematicsSection, PolicyInputs.WifiSection];
    private static readonly string[] ReservedTopics = [Topics.TelematicsRaw, Topics.WifiRaw, Topics.ConsentChanges, Topics.Quarantine, Topics.Audit];

    private readonly PolicyDiagnostics _diagnostics;
    private readonly IReadOnlyList<SchemaInfo> _outputSchemas;

    private PolicyCompiler(PolicyDiagnostics diagnostics, IReadOnlyList<SchemaInfo> outputSchemas)
    {
        _diagnostics = diagnostics;
        _outputSchemas = outputSchemas;
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

    private void Error(long offset, string problem) => _diagnostics.Add(offset, problem);

    private CompiledPolicy? CompileRoot(PolicyJsonNode root, string source)
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
                    Error(property.NameOffset, $"unknown top-level key '{property.Name}'; expected {Quoted(TopLevelKeys)}");
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

        InterestCategoryMap map = interests is null ? InterestCategoryMap.Empty : CompileInterests(interests.Value);

        var plans = new List<PurposePlan>();
        if (purposes is null)
        {
            Error(root.Offset, $"missing '{PurposesKey}'");
        }
        else if (purposes.Value.Kind != PolicyJsonKind.Object)
        {
            Error(purposes.Value.Offset, $"'{PurposesKey}' must be an object mapping purpose names to purposes, not {purposes.Value.Describe()}");
        }
        else
        {
            if (purposes.Value.Properties.Count == 0)
            {
                Error(purposes.Value.Offset, $"'{PurposesKey}' declares no purpose");
            }

            var topics = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (PolicyJsonProperty purpose in purposes.Value.Properties)
            {
                PurposePlan? plan = CompilePurpose(purpose, map.DomainCount > 0, topics);
                if (plan is not null)
                {
                    plans.Add(plan);
                }
            }
        }

        return _diagnostics.HasErrors || policyVersion is null ? null : new CompiledPolicy(policyVersion, source, plans, map);
    }

    private InterestCategoryMap CompileInterests(PolicyJsonNode node)
    {
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

    private PurposePlan? CompilePurpose(PolicyJsonProperty purposeProperty, bool hasInterests, Dictionary<string, string> topics)
    {
        string name = purposeProperty.Name;
        int purposeId = KnownPurposes.IndexOf(name);
        if (purposeId < 0)
        {
            Error(purposeProperty.NameOffset, $"purpose '{name}' is not declared in the privacy policy; declared: {string.Join(", ", KnownPurposes.All)}");
        }

        PolicyJsonNode node = purposeProperty.Value;
        if (node.Kind != PolicyJsonKind.Object)
        {
            Error(node.Offset, $"purpose '{name}' must be an object, not {node.Describe()}");
            return null;
        }

        PolicyJsonProperty? topicKey = null, schemaKey = null, retentionKey = null, consentKey = null, pseudonymKey = null, telematicsKey = null, wifiKey = null;
        foreach (PolicyJsonProperty property in node.Properties)
        {
            switch (property.Name)
            {
                case "topic": topicKey = property; break;
                case "outputSchema": schemaKey = property; break;
                case "retention": retentionKey = property; break;
                case "consentRequired": consentKey = property; break;
                case "pseudonym": pseudonymKey = property; break;
                case PolicyInputs.TelematicsSection: telematicsKey = property; break;
                case PolicyInputs.WifiSection: wifiKey = property; break;
                default:
                    Error(property.NameOffset, $"unknown key '{property.Name}' in purpose '{name}'; expected {Quoted(PurposeKeys)}");
                    break;
            }
        }

        string? topic = CompileTopic(name, node, topicKey, topics);
        SchemaInfo? output = CompileOutputSchema(name, node, schemaKey);
        int? retentionDays = CompileRetention(name, node, retentionKey);

        bool? consentRequired = null;
        if (consentKey is null)
        {
            Error(node.Offset, $"purpose '{name}' is missing 'consentRequired'");
        }
        else if (consentKey.Value.Kind is PolicyJsonKind.True or PolicyJsonKind.False)
        {
            consentRequired = consentKey.Value.Kind == PolicyJsonKind.True;
        }
        else
        {
            Error(consentKey.Value.Offset, $"'consentRequired' of purpose '{name}' must be true or false, not {consentKey.Value.Describe()}");
        }

        PseudonymRotation? rotation = null;
        if (pseudonymKey is null)
        {
            Error(node.Offset, $"purpose '{name}' is missing 'pseudonym'");
        }
        else
        {
            switch (pseudonymKey.Value.String)
            {
                case "stable" when pseudonymKey.Value.Kind == PolicyJsonKind.String: rotation = PseudonymRotation.Stable; break;
                case "daily" when pseudonymKey.Value.Kind == PolicyJsonKind.String: rotation = PseudonymRotation.DailyUtc; break;
                default:
                    Error(pseudonymKey.Value.Offset, $"'pseudonym' of purpose '{name}' must be 'stable' or 'daily', not {DescribeValue(pseudonymKey.Value)}");
                    break;
            }
        }

        if (telematicsKey is null && wifiKey is null)
        {
            Error(node.Offset, $"purpose '{name}' declares no input; add a '{PolicyInputs.TelematicsSection}' and/or a '{PolicyInputs.WifiSection}' section");
        }

        Section? telematics = telematicsKey is null ? null : CompileSection(name, InputKind.Telematics, telematicsKey, hasInterests);
        Section? wifi = wifiKey is null ? null : CompileSection(name, InputKind.Wifi, wifiKey, hasInterests);

        IReadOnlyList<OutputSlot>? slots = null;
        if (output is not null)
        {
            slots = CompileSlots(name, output, schemaKey!.Value.Offset, telematics, wifi);
            if (consentRequired == false && rotation is not null)
            {
                CheckConsentExemption(name, output, rotation.Value, consentKey!.Value.Offset);
            }
        }

        if (purposeId < 0 || topic is null || output is null || slots is null || retentionDays is null || consentRequired is null || rotation is null
            || (telematicsKey is not null && telematics is null) || (wifiKey is not null && wifi is null) || (telematics is null && wifi is null))
        {
            return null;
        }

        return new PurposePlan(name, purposeId, topic, consentRequired.Value, rotation.Value, output, slots, telematics is not null, wifi is not null,
            TimeSpan.FromDays(retentionDays.Value));
    }

    private int? CompileRetention(string purpose, PolicyJsonNode node, PolicyJsonProperty? retentionKey)
    {
        if (retentionKey is null)
        {
            Error(node.Offset, $"purpose '{purpose}' is missing 'retention' (how long its data is kept, e.g. \"7d\")");
            return null;
        }

        if (retentionKey.Value.Kind != PolicyJsonKind.String || !PolicyRetention.TryParseDays(retentionKey.Value.String, out int days))
        {
            Error(retentionKey.Value.Offset, $"'retention' of purpose '{purpose}' must be whole days from {PolicyRetention.MinDays} to {PolicyRetention.MaxDays} written like \"7d\", not {DescribeValue(retentionKey.Value)}");
            return null;
        }

        return days;
    }

    private string? CompileTopic(string purpose, PolicyJsonNode node, PolicyJsonProperty? topicKey, Dictionary<string, string> topics)
    {
        if (topicKey is null)
        {
            Error(node.Offset, $"purpose '{purpose}' is missing 'topic'");
            return null;
        }

        string? topic = RequireString(topicKey, $"'topic' of purpose '{purpose}'");
        if (topic is null)
        {
            return null;
        }

        long at = topicKey.Value.Offset;
        if (topic.Length > MaxTopicLength || topic is "." or ".." || !IsTopicName(topic))
        {
            Error(at, $"'topic' of purpose '{purpose}' is not a valid Kafka topic name (1..{MaxTopicLength} of a-z, A-Z, 0-9, '.', '_', '-')");
            return null;
        }

        if (Array.IndexOf(ReservedTopics, topic) >= 0)
        {
            Error(at, $"purpose '{purpose}' cannot write to '{topic}', which is a raw-zone or operations topic");
            return null;
        }

        if (topics.TryGetValue(topic, out string? other))
        {
            Error(at, $"purpose '{purpose}' uses topic '{topic}', which purpose '{other}' already uses; each purpose needs its own topic");
            return null;
        }

        topics.Add(topic, purpose);
        return topic;
    }

    private SchemaInfo? CompileOutputSchema(string purpose, PolicyJsonNode node, PolicyJsonProperty? schemaKey)
    {
        if (schemaKey is null)
        {
            Error(node.Offset, $"purpose '{purpose}' is missing 'outputSchema'");
            return null;
        }

        string? schemaName = RequireString(schemaKey, $"'outputSchema' of purpose '{purpose}'");
        if (schemaName is null)
        {
            return null;
        }

        var known = new List<string>();
        foreach (SchemaInfo info in _outputSchemas)
        {
            if (string.Equals(info.Schema.Name, schemaName, StringComparison.Ordinal) || string.Equals(info.FullName, schemaName, StringComparison.Ordinal))
            {
                return info;
            }

            known.Add(info.Schema.Name);
        }

        Error(schemaKey.Value.Offset, $"unknown output schema '{schemaName}' for purpose '{purpose}'; known: {string.Join(", ", known)}");
        return null;
    }

    private void CheckConsentExemption(string purpose, SchemaInfo output, PseudonymRotation rotation, long at)
    {
        var reasons = new List<string>();
        if (rotation != PseudonymRotation.DailyUtc)
        {
            reasons.Add("its pseudonym is not 'daily'");
        }

        foreach (Field field in output.Schema.Fields)
        {
            if (SlotKindNames.TryParse(field.Name, out SlotKind kind) && kind is SlotKind.Latitude or SlotKind.Longitude or SlotKind.EventTime)
            {
                reasons.Add($"output field '{field.Name}' is precise");
            }
        }

        if (reasons.Count > 0)
        {
            Error(at, $"purpose '{purpose}' forwards precise data without consent ({string.Join("; ", reasons)}); " +
                "set consentRequired to true, or use a daily pseudonym and only generalized time and place");
        }
    }

    private Section? CompileSection(string purpose, InputKind input, PolicyJsonProperty sectionKey, bool hasInterests)
    {
        string section = sectionKey.Name;
        string schemaName = PolicyInputs.SchemaName(input);
        PolicyJsonNode node = sectionKey.Value;
        if (node.Kind != PolicyJsonKind.Object)
        {
            Error(node.Offset, $"section '{section}' of purpose '{purpose}' must be an object mapping {schemaName} field paths to transforms, not {node.Describe()}");
            return null;
        }

        var fields = new Dictionary<string, SchemaField>(StringComparer.Ordinal);
        var paths = new List<string>();
        foreach (SchemaField field in SchemaCatalog.Flatten(PolicyInputs.Schema(input).Schema))
        {
            fields.Add(field.Path, field);
            paths.Add(field.Path);
        }

        bool ok = true;
        var entries = new List<FieldEntry>();
        var filledBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (PolicyJsonProperty member in node.Properties)
        {
            string path = member.Name;
            if (!fields.TryGetValue(path, out SchemaField? field))
            {
                Error(member.NameOffset, $"unknown field '{path}' in {schemaName} (section '{section}' of purpose '{purpose}'); known: {string.Join(", ", paths)}");
                ok = false;
                continue;
            }

            if (!TryReadTransform(purpose, member, field, out FieldTransform transform)
                || !CheckFieldTransform(purpose, input, member, field, fields, transform.Kind, hasInterests))
            {
                ok = false;
                continue;
            }

            if (transform.Kind == TransformKind.None)
            {
                continue;
            }

            string outputName = OutputNameOf(transform.Kind, path);
            if (transform.Kind != TransformKind.Pseudonymize && !filledBy.TryAdd(outputName, path))
            {
                Error(member.NameOffset, $"'{path}' and '{filledBy[outputName]}' both fill output field '{outputName}' (section '{section}' of purpose '{purpose}')");
                ok = false;
                continue;
            }

            entries.Add(new FieldEntry(path, field, transform, outputName, member.NameOffset));
        }

        return ok ? new Section(input, section, sectionKey.NameOffset, entries) : null;
    }

    private bool TryReadTransform(string purpose, PolicyJsonProperty member, SchemaField field, out FieldTransform transform)
    {
        transform = default;
        string path = member.Name;
        PolicyJsonNode value = member.Value;
        PolicyJsonNode nameNode;
        if (value.Kind == PolicyJsonKind.String)
        {
            nameNode = value;
        }
        else if (value.Kind == PolicyJsonKind.Object)
        {
            PolicyJsonProperty? transformKey = value.Find("transform");
            if (transformKey is null)
            {
                Error(value.Offset, $"'{path}' (purpose '{purpose}') is missing 'transform'");
                return false;
            }

            nameNode = transformKey.Value;
            if (nameNode.Kind != PolicyJsonKind.String)
            {
                Error(nameNode.Offset, $"'transform' of '{path}' (purpose '{purpose}') must be a string, not {nameNode.Describe()}");
                return false;
            }
        }
        else
        {
            Error(value.Offset, $"'{path}' (purpose '{purpose}') must be a transform name or an object with a 'transform', not {value.Describe()}");
            return false;
        }

        string name = nameNode.String!;
        if (!TransformNames.TryParse(name, out TransformKind kind))
        {
            Error(nameNode.Offset, $"unknown transform '{name}' for '{path}' (purpose '{purpose}'); expected {Quoted(TransformNames.All)}");
            return false;
        }

        string? parameter = kind switch
        {
            TransformKind.Round => "step",
            TransformKind.BucketTime => "minutes",
            TransformKind.Geohash => "precision",
            _ => null,
        };

        bool ok = true;
        if (value.Kind == PolicyJsonKind.Object)
        {
            foreach (PolicyJsonProperty property in value.Properties)
            {
                if (property.Name == "transform" || property.Name == parameter)
                {
                    continue;
                }

                Error(property.NameOffset, parameter is null
                    ? $"transform '{name}' takes no parameters; remove '{property.Name}' from '{path}'"
                    : $"unknown parameter '{property.Name}' for transform '{name}' on '{path}'; expected '{parameter}'");
                ok = false;
            }
        }

        if (parameter is null)
        {
            transform = new FieldTransform(kind);
            return ok;
        }

        PolicyJsonProperty? parameterKey = value.Kind == PolicyJsonKind.Object ? value.Find(parameter) : null;
        if (parameterKey is null)
        {
            Error(value.Offset, $"transform '{name}' on '{path}' (purpose '{purpose}') needs parameter '{parameter}'; write {{ \"transform\": \"{name}\", \"{parameter}\": ... }}");
            return false;
        }

        PolicyJsonNode argument = parameterKey.Value;
        switch (kind)
        {
            case TransformKind.Round:
                if (argument.Kind != PolicyJsonKind.Number || !(argument.Number > 0) || argument.Number > MaxStep)
                {
                    Error(argument.Offset, $"'step' of '{path}' must be a positive number up to {MaxStep:0e0}, not {DescribeValue(argument)}");
                    return false;
                }

                if (AvroTypes.IsInteger(field.ValueSchema) && argument.Number != Math.Floor(argument.Number))
                {
                    Error(argument.Offset, $"'step' of '{path}' must be a whole number, because '{path}' is {AvroTypes.Describe(field.ValueSchema)}");
                    return false;
                }

                transform = new FieldTransform(kind, Step: argument.Number);
                return ok;

            case TransformKind.BucketTime:
                if (argument.Integer is not { } minutes || minutes < 1 || minutes > MaxBucketMinutes)
                {
                    Error(argument.Offset, $"'minutes' of '{path}' must be a whole number from 1 to {MaxBucketMinutes}, not {DescribeValue(argument)}");
                    return false;
                }

                transform = new FieldTransform(kind, BucketMillis: minutes * 60_000L);
                return ok;

            default:
                if (argument.Integer is not { } precision || precision < 1 || precision > Generalization.Geohash.MaxPrecision)
                {
                    Error(argument.Offset, $"'precision' of '{path}' must be a whole number from 1 to {Generalization.Geohash.MaxPrecision}, not {DescribeValue(argument)}");
                    return false;
                }

                transform = new FieldTransform(kind, Precision: (int)precision);
                return ok;
        }
    }

    private bool CheckFieldTransform(string purpose, InputKind input, PolicyJsonProperty member, SchemaField field,
        Dictionary<string, SchemaField> fields, TransformKind kind, bool hasInterests)
    {
        string path = member.Name;
        long at = member.NameOffset;
        IReadOnlyList<string> subjects = PolicyInputs.SubjectFields(input);
        bool isSubject = Contains(subjects, path);
        string subjectList = Quoted(subjects);
        string section = PolicyInputs.SectionName(input);

        if (IsDirect(path, fields))
        {
            if (kind == TransformKind.None)
            {
                if (isSubject)
                {
                    // The subject identifier always becomes the record's pseudonym; "drop" would misstate what leaves.
                    Error(at, $"'{path}' identifies the {section} subject, so its keyed pseudonym is every record's subject; write 'pseudonymize' or leave it out");
                    return false;
                }

                return true;
            }

            if (kind == TransformKind.Pseudonymize && isSubject)
            {
                return true;
            }

            Error(at, kind == TransformKind.Pseudonymize
                ? $"direct field '{path}' can never leave un-pseudonymized; in '{section}' only the subject identifier ({subjectList}) is pseudonymized, everything else direct must be 'drop'"
                : $"direct field '{path}' can never leave un-pseudonymized; it may only be 'drop'{(isSubject ? " or 'pseudonymize'" : "")}");
            return false;
        }

        switch (kind)
        {
            case TransformKind.None:
                return true;

            case TransformKind.Pseudonymize:
                Error(at, $"'{path}' is not a subject identifier; in '{section}' only {subjectList} can be pseudonymized");
                return false;

            case TransformKind.Pass:
                if (field.IsRecord)
                {
                    Error(at, $"cannot pass the record field '{path}' whole; list the fields of it that should leave");
                    return false;
                }

                return true;

            case TransformKind.Round:
                if (!AvroTypes.IsNumber(field.ValueSchema))
                {
                    Error(at, $"transform 'round' needs an int, long, float or double field; '{path}' is {AvroTypes.Describe(field.ValueSchema)}");
                    return false;
                }

                return true;

            case TransformKind.BucketTime:
                if (path != "eventTime")
                {
                    Error(at, $"transform 'bucketTime' applies only to 'eventTime', not '{path}'");
                    return false;
                }

                return true;

            case TransformKind.Geohash:
                if (path != "location")
                {
                    Error(at, $"transform 'geohash' applies only to the record field 'location', not '{path}'");
                    return false;
                }

                return true;

            default:
                if (!AvroTypes.IsStringArray(field.ValueSchema))
                {
                    Error(at, $"transform 'interestCategories' needs an array<string> field; '{path}' is {AvroTypes.Describe(field.ValueSchema)}");
                    return false;
                }

                if (!hasInterests)
                {
                    Error(at, $"transform 'interestCategories' on '{path}' (purpose '{purpose}') needs a non-empty top-level '{InterestCategoriesKey}' map");
                    return false;
                }

                return true;
        }
    }

    private IReadOnlyList<OutputSlot>? CompileSlots(string purpose, SchemaInfo output, long schemaAt, Section? telematics, Section? wifi)
    {
        string schemaName = output.Schema.Name;
        bool ok = true;
        var outputFields = new Dictionary<string, SchemaField>(StringComparer.Ordinal);
        var ordered = new List<SchemaField>();
        foreach (SchemaField field in SchemaCatalog.Flatten(output.Schema))
        {
            if (!field.Path.Contains('.'))
            {
                outputFields.Add(field.Path, field);
                ordered.Add(field);
            }
        }

        // Every entry must land in a field of the output schema, with a type the field can hold.
        foreach (Section? section in (ReadOnlySpan<Section?>)[telematics, wifi])
        {
            if (section is null)
            {
                continue;
            }

            foreach (FieldEntry entry in section.Entries)
            {
                string transformName = TransformNames.NameOf(entry.Transform.Kind);
                if (!outputFields.TryGetValue(entry.OutputName, out SchemaField? target))
                {
                    Error(entry.Offset, $"purpose '{purpose}': output schema '{schemaName}' has no field '{entry.OutputName}' for '{entry.Path}' ({transformName})");
                    ok = false;
                    continue;
                }

                if (!Produces(entry, target.ValueSchema, out string produced, out bool mayBeNull))
                {
                    Error(entry.Offset, $"purpose '{purpose}': output schema '{schemaName}' field '{target.Path}' is {AvroTypes.Describe(target.ValueSchema)}, but '{entry.Path}' ({transformName}) gives {produced}");
                    ok = false;
                }
                else if (mayBeNull && !target.Nullable)
                {
                    Error(entry.Offset, $"purpose '{purpose}': output schema '{schemaName}' field '{target.Path}' is not nullable, but '{entry.Path}' may be null");
                    ok = false;
                }
            }
        }

        var slots = new List<OutputSlot>(ordered.Count);
        foreach (SchemaField field in ordered)
        {
            string fieldName = field.Path;
            if (!SlotKindNames.TryParse(fieldName, out SlotKind kind))
            {
                Error(schemaAt, $"purpose '{purpose}': output schema '{schemaName}' field '{fieldName}' is not a field the minimizer can fill; known: {string.Join(", ", SlotKindNames.All)}");
                ok = false;
                continue;
            }

            if (kind is SlotKind.Subject or SlotKind.KeyId or SlotKind.Source)
            {
                if (!IsIdentityTypeValid(kind, field))
                {
                    string expected = kind == SlotKind.Source ? "enum EventSource with symbols TELEMATICS, WIFI" : "a non-nullable string";
                    Error(schemaAt, $"purpose '{purpose}': output schema '{schemaName}' field '{fieldName}' must be {expected}");
                    ok = false;
                    continue;
                }

                if (kind != SlotKind.Subject && (FindEntry(telematics, fieldName) ?? FindEntry(wifi, fieldName)) is { } entry)
                {
                    Error(entry.Offset, $"purpose '{purpose}': output field '{fieldName}' is filled by the minimizer, not by '{entry.Path}'");
                    ok = false;
                }

                TransformKind identity = kind == SlotKind.Subject ? TransformKind.Pseudonymize : TransformKind.Pass;
                slots.Add(new OutputSlot(kind, fieldName, field.Nullable,
                    telematics is null ? FieldTransform.None : new FieldTransform(identity),
                    wifi is null ? FieldTransform.None : new FieldTransform(identity),
                    telematics is not null && kind == SlotKind.Subject ? PolicyInputs.SubjectPath(InputKind.Telematics) : null,
                    wifi is not null && kind == SlotKind.Subject ? PolicyInputs.SubjectPath(InputKind.Wifi) : null));
                continue;
            }

            FieldEntry? fromTelematics = FindEntry(telematics, fieldName);
            FieldEntry? fromWifi = FindEntry(wifi, fieldName);

            // A non-nullable scalar needs a value from every input the purpose takes; arrays are written empty.
            if (!field.Nullable && field.ValueSchema is not ArraySchema)
            {
                foreach (Section? section in (ReadOnlySpan<Section?>)[telematics, wifi])
                {
                    if (section is not null && FindEntry(section, fieldName) is null)
                    {
                        Error(section.NameOffset, $"purpose '{purpose}': output schema '{schemaName}' field '{fieldName}' is not nullable, but section '{section.Name}' does not fill it");
                        ok = false;
                    }
                }
            }

            slots.Add(new OutputSlot(kind, fieldName, field.Nullable,
                fromTelematics?.Transform ?? FieldTransform.None, fromWifi?.Transform ?? FieldTransform.None,
                fromTelematics?.Path, fromWifi?.Path));
        }

        return ok ? slots : null;
    }

    private static bool IsIdentityTypeValid(SlotKind kind, SchemaField field)
    {
        if (field.Nullable)
        {
            return false;
        }

        if (kind != SlotKind.Source)
        {
            return AvroTypes.IsString(field.ValueSchema);
        }

        return field.ValueSchema is EnumSchema { Count: 2 } source && source[0] == "TELEMATICS" && source[1] == "WIFI";
    }

    /// <summary>Whether an entry's value fits <paramref name="target"/>; what it gives and whether it can be null.</summary>
    private static bool Produces(FieldEntry entry, Schema target, out string produced, out bool mayBeNull)
    {
        mayBeNull = entry.Field.Nullable;
        switch (entry.Transform.Kind)
        {
            case TransformKind.Pass:
            case TransformKind.Round:
                produced = AvroTypes.Describe(entry.Field.ValueSchema);
                return AvroTypes.SameType(entry.Field.ValueSchema, target);
            case TransformKind.BucketTime:
                produced = "long";
                return AvroTypes.BaseTag(target) == Schema.Type.Long;
            case TransformKind.InterestCategories:
                produced = "array<string>";
                mayBeNull = false;
                return AvroTypes.IsStringArray(target);
            case TransformKind.Pseudonymize:
                produced = "string";
                mayBeNull = false;
                return AvroTypes.IsString(target);
            default:
                produced = "string";
                return AvroTypes.IsString(target);
        }
    }

    private static FieldEntry? FindEntry(Section? section, string outputName)
    {
        if (section is null)
        {
            return null;
        }

        foreach (FieldEntry entry in section.Entries)
        {
            if (entry.Transform.Kind != TransformKind.Pseudonymize && string.Equals(entry.OutputName, outputName, StringComparison.Ordinal))
            {
                return entry;
            }
        }

        return null;
    }

    private static string OutputNameOf(TransformKind kind, string path) => kind switch
    {
        TransformKind.BucketTime => "timeBucket",
        TransformKind.Geohash => "geohash",
        TransformKind.InterestCategories => "interests",
        TransformKind.Pseudonymize => "subject",
        _ => path[(path.LastIndexOf('.') + 1)..],
    };

    /// <summary>True when the field, or a record it sits in, is classified <c>direct</c>.</summary>
    private static bool IsDirect(string path, Dictionary<string, SchemaField> fields)
    {
        string current = path;
        while (true)
        {
            if (fields.TryGetValue(current, out SchemaField? field) && field.Classification == "direct")
            {
                return true;
            }

            int dot = current.LastIndexOf('.');
            if (dot < 0)
            {
                return false;
            }

            current = current[..dot];
        }
    }

    private string? RequireString(PolicyJsonProperty property, string what)
    {
        if (property.Value.Kind != PolicyJsonKind.String || string.IsNullOrWhiteSpace(property.Value.String))
        {
            Error(property.Value.Offset, $"{what} must be a non-empty string, not {DescribeValue(property.Value)}");
            return null;
        }

        return property.Value.String;
    }

    private static bool IsTopicName(string topic)
    {
        foreach (char c in topic)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return topic.Length > 0;
    }

    private static bool Contains(IReadOnlyList<string> values, string value)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string Quoted(IReadOnlyList<string> values)
    {
        var quoted = new string[values.Count];
        for (int i = 0; i < quoted.Length; i++)
        {
            quoted[i] = "'" + values[i] + "'";
        }

        return string.Join(", ", quoted);
    }

    private static string DescribeValue(PolicyJsonNode node) => node.Kind switch
    {
        PolicyJsonKind.String => $"'{node.String}'",
        PolicyJsonKind.Number => node.Number.ToString(CultureInfo.InvariantCulture),
        _ => node.Describe(),
    };

    /// <summary>A field entry of a section: input path, its schema field, transform, the output field it fills, where it is.</summary>
    private sealed record FieldEntry(string Path, SchemaField Field, FieldTransform Transform, string OutputName, long Offset);

    /// <summary>A compiled input section of a purpose.</summary>
    private sealed record Section(InputKind Input, string Name, long NameOffset, List<FieldEntry> Entries);
}
