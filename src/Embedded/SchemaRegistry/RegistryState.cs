using System.Text;
using Avro;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Resolution;

namespace Sieve.Embedded.SchemaRegistry;

/// <summary>A compatibility level, as Confluent Schema Registry names them.</summary>
internal enum CompatibilityLevel
{
    /// <summary>No check.</summary>
    None,
    /// <summary>The new schema reads the latest version.</summary>
    Backward,
    /// <summary>The new schema reads every version.</summary>
    BackwardTransitive,
    /// <summary>The latest version reads the new schema.</summary>
    Forward,
    /// <summary>Every version reads the new schema.</summary>
    ForwardTransitive,
    /// <summary>Backward and forward against the latest version.</summary>
    Full,
    /// <summary>Backward and forward against every version.</summary>
    FullTransitive,
}

/// <summary>One registered schema: its global id, the text first registered and its parsed form.</summary>
internal sealed record StoredSchema(int Id, string Text, Schema Parsed, ulong Fingerprint);

/// <summary>A subject's version: its number and the schema it names.</summary>
internal sealed record SubjectVersion(string Subject, int Version, StoredSchema Schema);

/// <summary>
/// The registry's in-memory state. Schemas get one global id per distinct parsing canonical form, as Confluent's
/// registry gives one id per distinct schema; a subject is a list of versions. Every member locks.
/// </summary>
internal sealed class RegistryState
{
    private readonly object _gate = new();
    private readonly List<StoredSchema> _byId = [];
    private readonly Dictionary<ulong, StoredSchema> _byFingerprint = [];
    private readonly SortedDictionary<string, List<SubjectVersion>> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CompatibilityLevel> _subjectLevels = new(StringComparer.Ordinal);
    private CompatibilityLevel _globalLevel = CompatibilityLevel.Backward;

    /// <summary>The global compatibility level.</summary>
    public CompatibilityLevel GlobalLevel
    {
        get { lock (_gate) return _globalLevel; }
        set { lock (_gate) _globalLevel = value; }
    }

    /// <summary>A subject's own level, if set.</summary>
    public CompatibilityLevel? SubjectLevel(string subject)
    {
        lock (_gate)
        {
            return _subjectLevels.TryGetValue(subject, out CompatibilityLevel level) ? level : null;
        }
    }

    /// <summary>Sets a subject's own level.</summary>
    public void SetSubjectLevel(string subject, CompatibilityLevel level)
    {
        lock (_gate)
        {
            _subjectLevels[subject] = level;
        }
    }

    /// <summary>The schema with global id <paramref name="id"/>.</summary>
    public StoredSchema? ById(int id)
    {
        lock (_gate)
        {
            return id >= 1 && id <= _byId.Count ? _byId[id - 1] : null;
        }
    }

    /// <summary>Subject names, sorted.</summary>
    public List<string> Subjects()
    {
        lock (_gate)
        {
            return [.. _subjects.Keys];
        }
    }

    /// <summary>A subject's versions, oldest first; null when the subject does not exist.</summary>
    public List<SubjectVersion>? Versions(string subject)
    {
        lock (_gate)
        {
            return _subjects.TryGetValue(subject, out List<SubjectVersion>? versions) ? [.. versions] : null;
        }
    }

    /// <summary>The subject's version that holds <paramref name="schema"/>, if any.</summary>
    public SubjectVersion? Lookup(string subject, Schema schema)
    {
        ulong fingerprint = Fingerprint(schema);
        lock (_gate)
        {
            return _subjects.TryGetValue(subject, out List<SubjectVersion>? versions) ? versions.Find(v => v.Schema.Fingerprint == fingerprint) : null;
        }
    }

    /// <summary>
    /// Registers <paramref name="schema"/> under <paramref name="subject"/>: the existing version when the subject
    /// already holds it, else a new version if it passes the subject's compatibility level. Returns null and the
    /// reasons when it does not.
    /// </summary>
    public SubjectVersion? Register(string subject, string text, Schema schema, out List<string> incompatibilities)
    {
        ulong fingerprint = Fingerprint(schema);
        lock (_gate)
        {
            incompatibilities = [];
            if (!_subjects.TryGetValue(subject, out List<SubjectVersion>? versions))
            {
                _subjects[subject] = versions = [];
            }

            if (versions.Find(v => v.Schema.Fingerprint == fingerprint) is { } existing)
            {
                return existing;
            }

            incompatibilities = Check(schema, versions, _subjectLevels.TryGetValue(subject, out CompatibilityLevel level) ? level : _globalLevel);
            if (incompatibilities.Count > 0)
            {
                if (versions.Count == 0)
                {
                    _subjects.Remove(subject);
                }

                return null;
            }

            if (!_byFingerprint.TryGetValue(fingerprint, out StoredSchema? registered))
            {
                registered = new StoredSchema(_byId.Count + 1, text, schema, fingerprint);
                _byId.Add(registered);
                _byFingerprint[fingerprint] = registered;
            }

            var version = new SubjectVersion(subject, versions.Count + 1, registered);
            versions.Add(version);
            return version;
        }
    }

    /// <summary>What keeps <paramref name="schema"/> from following <paramref name="earlier"/> under <paramref name="level"/>; empty when nothing.</summary>
    public static List<string> Check(Schema schema, IReadOnlyList<SubjectVersion> earlier, CompatibilityLevel level)
    {
        var problems = new List<string>();
        if (level == CompatibilityLevel.None || earlier.Count == 0)
        {
            return problems;
        }

        bool transitive = level is CompatibilityLevel.BackwardTransitive or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.FullTransitive;
        bool backward = level is CompatibilityLevel.Backward or CompatibilityLevel.BackwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
        bool forward = level is CompatibilityLevel.Forward or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
        for (int i = transitive ? 0 : earlier.Count - 1; i < earlier.Count; i++)
        {
            SubjectVersion version = earlier[i];
            if (backward && !AvroCompatibility.CanRead(schema, version.Schema.Parsed, out string? reason))
            {
                problems.Add("the new schema cannot read version " + version.Version + ": " + reason);
            }

            if (forward && !AvroCompatibility.CanRead(version.Schema.Parsed, schema, out reason))
            {
                problems.Add("version " + version.Version + " cannot read the new schema: " + reason);
            }
        }

        return problems;
    }

    /// <summary>CRC-64-AVRO of the schema's parsing canonical form: two texts of one schema are one schema.</summary>
    public static ulong Fingerprint(Schema schema) =>
        AvroFingerprint.Compute(Encoding.UTF8.GetBytes(SchemaNormalization.ToParsingForm(schema)));
}
