using Avro;
using Sieve.Contracts;
using Sieve.Contracts.Schemas;

namespace Sieve.Core.Policy;

/// <summary>
/// Plans where a purpose's data goes: its topic, its output schema, which output field each section entry fills,
/// and one <see cref="OutputSlot"/> per output field saying how each input fills it.
/// </summary>
internal sealed class SlotPlanner
{
    /// <summary>Longest Kafka topic name.</summary>
    public const int MaxTopicLength = 249;

    private static readonly string[] ReservedTopics = [Topics.TelematicsRaw, Topics.WifiRaw, Topics.ConsentChanges, Topics.Quarantine, Topics.Audit];

    /// <summary>The symbols of the <c>source</c> enum, in <see cref="InputKind"/> order (the encoder writes the input kind as the symbol index).</summary>
    private static readonly string[] SourceSymbols = ["TELEMATICS", "WIFI"];

    private const string SourceEnumName = "EventSource";

    private readonly PolicyDiagnostics _diagnostics;
    private readonly IReadOnlyList<SchemaInfo> _outputSchemas;

    public SlotPlanner(PolicyDiagnostics diagnostics, IReadOnlyList<SchemaInfo> outputSchemas)
    {
        _diagnostics = diagnostics;
        _outputSchemas = outputSchemas;
    }

    /// <summary>
    /// Checks <paramref name="topic"/> is a valid Kafka name, not a raw-zone or operations topic, and not already
    /// used by another purpose (recorded in <paramref name="topics"/>); null (reported) otherwise.
    /// </summary>
    public string? ClaimTopic(string purpose, string topic, long at, Dictionary<string, string> topics)
    {
        if (topic.Length > MaxTopicLength || topic is "." or ".." || !IsTopicName(topic))
        {
            Error(at, $"'{PolicyShapeReader.TopicKey}' of purpose '{purpose}' is not a valid Kafka topic name (1..{MaxTopicLength} of a-z, A-Z, 0-9, '.', '_', '-')");
            return null;
        }

        if (Array.IndexOf(ReservedTopics, topic) >= 0 || topic.Contains(".pending", StringComparison.Ordinal))
        {
            Error(at, $"purpose '{purpose}' cannot write to '{topic}', which is a raw-zone or operations topic (names with '.pending' are the release stage's)");
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

    /// <summary>The output schema named <paramref name="schemaName"/> (short or full name); null (reported) when unknown.</summary>
    public SchemaInfo? FindOutputSchema(string purpose, string schemaName, long at)
    {
        var known = new List<string>();
        foreach (SchemaInfo info in _outputSchemas)
        {
            if (string.Equals(info.Schema.Name, schemaName, StringComparison.Ordinal) || string.Equals(info.FullName, schemaName, StringComparison.Ordinal))
            {
                return info;
            }

            known.Add(info.Schema.Name);
        }

        Error(at, $"unknown output schema '{schemaName}' for purpose '{purpose}'; known: {string.Join(", ", known)}");
        return null;
    }

    /// <summary>
    /// Adds a section member that leaves (not <c>drop</c>) as an entry filling its output field; false (reported)
    /// when another member of the section already fills that field.
    /// </summary>
    public bool TryAddEntry(string purpose, Section section, PolicyJsonProperty member, SchemaField field, FieldTransform transform)
    {
        string path = member.Name;
        string outputName = OutputNameOf(transform.Kind, path);
        if (transform.Kind != TransformKind.Pseudonymize && !section.FilledBy.TryAdd(outputName, path))
        {
            Error(member.NameOffset, $"'{path}' and '{section.FilledBy[outputName]}' both fill output field '{outputName}' (section '{section.Name}' of purpose '{purpose}')");
            return false;
        }

        section.Entries.Add(new FieldEntry(path, field, transform, outputName, member.NameOffset));
        return true;
    }

    /// <summary>
    /// One slot per top-level field of <paramref name="output"/>, in schema order; null (reported) when an entry has
    /// no field to fill or the wrong type, the schema has a field the minimizer cannot fill, or a non-nullable field
    /// is left unfilled.
    /// </summary>
    public IReadOnlyList<OutputSlot>? Plan(string purpose, SchemaInfo output, long schemaAt, Section? telematics, Section? wifi)
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
                    string expected = kind == SlotKind.Source ? $"enum {SourceEnumName} with symbols {string.Join(", ", SourceSymbols)}" : "a non-nullable string";
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
            if (kind == SlotKind.CellVehicles)
            {
                // Filled after the consent stage, by the release stage; the record leaves the consent stage with null.
                if (!field.Nullable || field.ValueSchema.Tag != Avro.Schema.Type.Long)
                {
                    Error(schemaAt, $"purpose '{purpose}': output schema '{schemaName}' field '{fieldName}' must be [\"null\", \"long\"]");
                    ok = false;
                }

                slots.Add(new OutputSlot(kind, fieldName, true, FieldTransform.None, FieldTransform.None, null, null));
                continue;
            }

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

    /// <summary>The output field a transform of the input field at <paramref name="path"/> fills.</summary>
    private static string OutputNameOf(TransformKind kind, string path) => kind switch
    {
        TransformKind.BucketTime => SlotKindNames.NameOf(SlotKind.TimeBucket),
        TransformKind.Geohash => SlotKindNames.NameOf(SlotKind.Geohash),
        TransformKind.InterestCategories => SlotKindNames.NameOf(SlotKind.Interests),
        TransformKind.Pseudonymize => SlotKindNames.NameOf(SlotKind.Subject),
        _ => path[(path.LastIndexOf('.') + 1)..],
    };

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

        if (field.ValueSchema is not EnumSchema source || source.Count != SourceSymbols.Length)
        {
            return false;
        }

        for (int i = 0; i < SourceSymbols.Length; i++)
        {
            if (source[i] != SourceSymbols[i])
            {
                return false;
            }
        }

        return true;
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

    private void Error(long offset, string problem) => _diagnostics.Add(offset, problem);

    /// <summary>A field entry of a section: input path, its schema field, transform, the output field it fills, where it is.</summary>
    public sealed record FieldEntry(string Path, SchemaField Field, FieldTransform Transform, string OutputName, long Offset);

    /// <summary>An input section of a purpose: its entries, and which input path fills each output field.</summary>
    public sealed class Section(InputKind input, string name, long nameOffset)
    {
        public InputKind Input { get; } = input;

        public string Name { get; } = name;

        public long NameOffset { get; } = nameOffset;

        public List<FieldEntry> Entries { get; } = [];

        /// <summary>Output field name to the input path filling it (pseudonymized subjects excluded).</summary>
        public Dictionary<string, string> FilledBy { get; } = new(StringComparer.Ordinal);
    }
}
