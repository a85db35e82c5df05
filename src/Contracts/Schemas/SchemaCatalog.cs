using System.Reflection;
using System.Text;
using Avro;
using Sieve.Contracts.Avro.Resolution;

namespace Sieve.Contracts.Schemas;

/// <summary>One schema file from <c>schemas/</c>: its parsed form, parsing canonical form and fingerprint.</summary>
public sealed class SchemaInfo
{
    internal SchemaInfo(string fileName, string json, RecordSchema schema)
    {
        FileName = fileName;
        Json = json;
        Schema = schema;
        CanonicalForm = SchemaNormalization.ToParsingForm(schema);
        Fingerprint = Avro.AvroFingerprintOf(CanonicalForm);
    }

    /// <summary>Parses a record schema's JSON <paramref name="json"/>, named <paramref name="fileName"/> (a file under <c>schemas/</c>, or where else it came from).</summary>
    /// <exception cref="SchemaParseException">The JSON is not an Avro schema.</exception>
    public static SchemaInfo Parse(string fileName, string json) =>
        global::Avro.Schema.Parse(json) is RecordSchema record
            ? new SchemaInfo(fileName, json, record)
            : throw new SchemaParseException(fileName + ": not a record schema");

    /// <summary>File name under <c>schemas/</c>, e.g. <c>telematics-event.avsc</c>.</summary>
    public string FileName { get; }

    /// <summary>The file's text.</summary>
    public string Json { get; }

    /// <summary>The schema as Apache.Avro parsed it (start-up and tests only; never on the hot path).</summary>
    public RecordSchema Schema { get; }

    /// <summary>Full name, e.g. <c>sieve.raw.TelematicsEvent</c>.</summary>
    public string FullName => Schema.Fullname;

    /// <summary>The Avro parsing canonical form.</summary>
    public string CanonicalForm { get; }

    /// <summary>CRC-64-AVRO of <see cref="CanonicalForm"/>; the fingerprint in single-object headers.</summary>
    public ulong Fingerprint { get; }

    private static class Avro
    {
        public static ulong AvroFingerprintOf(string canonical) => Sieve.Contracts.Avro.AvroFingerprint.Compute(Encoding.UTF8.GetBytes(canonical));
    }
}

/// <summary>A field of a record schema, flattened to a dotted path through nested (nullable) records.</summary>
/// <param name="Path">Dotted path, e.g. <c>location.latitude</c>.</param>
/// <param name="Classification"><c>direct</c>, <c>quasi</c>, <c>none</c>, or null when the field lacks the property.</param>
/// <param name="Schema">The field's schema (a union when nullable).</param>
/// <param name="Nullable">True when the field is a union with null.</param>
/// <param name="ValueSchema">The non-null branch for nullable fields, otherwise <paramref name="Schema"/>.</param>
public sealed record SchemaField(string Path, string? Classification, Schema Schema, bool Nullable, Schema ValueSchema)
{
    /// <summary>The <see cref="Classification"/> of a direct identifier.</summary>
    public const string DirectClassification = "direct";

    /// <summary>True for a record-typed field (whose children have their own paths).</summary>
    public bool IsRecord => ValueSchema.Tag == global::Avro.Schema.Type.Record;
}

/// <summary>
/// The schemas shipped in <c>schemas/</c>, embedded in this assembly at build time so that services, the CLI and
/// tests all read the same files.
/// </summary>
public sealed class SchemaCatalog
{
    /// <summary>Where earlier versions live, relative to <c>schemas/</c>.</summary>
    public const string HistoryFolder = "history/";

    private static readonly Lazy<SchemaCatalog> DefaultCatalog = new(Load);
    private readonly Dictionary<string, SchemaInfo> _byName;
    private readonly Dictionary<ulong, SchemaInfo> _byFingerprint;
    private readonly List<SchemaInfo> _history;
    private readonly Dictionary<string, WriterSchemaSet> _writerSets = new(StringComparer.Ordinal);

    private SchemaCatalog(List<SchemaInfo> all, List<SchemaInfo> history)
    {
        All = all;
        _history = history;
        _byName = new Dictionary<string, SchemaInfo>(StringComparer.Ordinal);
        _byFingerprint = new Dictionary<ulong, SchemaInfo>();
        foreach (SchemaInfo info in all)
        {
            _byName[info.FullName] = info;
            _byName[info.Schema.Name] = info;
            _byFingerprint[info.Fingerprint] = info;
        }
    }

    /// <summary>The catalog of the embedded schemas.</summary>
    public static SchemaCatalog Default => DefaultCatalog.Value;

    /// <summary>Every schema file.</summary>
    public IReadOnlyList<SchemaInfo> All { get; }

    /// <summary>The schema with full or short name <paramref name="name"/>.</summary>
    public SchemaInfo Get(string name) =>
        _byName.TryGetValue(name, out SchemaInfo? info) ? info : throw new KeyNotFoundException($"No schema named '{name}' in schemas/.");

    /// <summary>
    /// The earlier versions of <paramref name="current"/>, oldest first: <c>schemas/history/&lt;name&gt;/v&lt;N&gt;.avsc</c>,
    /// where <c>&lt;name&gt;</c> is the current file's name without <c>.avsc</c>. A file there is never edited once
    /// released (<c>schemas/history/versions.lock</c> pins each one's fingerprint).
    /// </summary>
    public IReadOnlyList<SchemaInfo> History(SchemaInfo current)
    {
        ArgumentNullException.ThrowIfNull(current);
        string prefix = HistoryFolder + Path.GetFileNameWithoutExtension(current.FileName) + "/";
        var versions = new List<SchemaInfo>();
        foreach (SchemaInfo info in _history)
        {
            if (info.FileName.StartsWith(prefix, StringComparison.Ordinal))
            {
                versions.Add(info);
            }
        }

        versions.Sort((a, b) => HistoryVersion(a).CompareTo(HistoryVersion(b)));
        return versions;
    }

    /// <summary>Every file under <c>schemas/history/</c>.</summary>
    public IReadOnlyList<SchemaInfo> AllHistory => _history;

    /// <summary>The version number of a history file (<c>v3.avsc</c> is 3).</summary>
    public static int HistoryVersion(SchemaInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        string name = Path.GetFileNameWithoutExtension(info.FileName);
        return name.Length > 1 && name[0] == 'v' && int.TryParse(name.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int version)
            ? version
            : throw new InvalidOperationException($"schemas/{info.FileName}: a history file is named v<N>.avsc.");
    }

    /// <summary>
    /// The writer schemas a reader of schema <paramref name="name"/> knows: its history (the current schema itself
    /// takes the codec's fast path), each with a compiled resolution plan. Built once per name.
    /// </summary>
    public WriterSchemaSet WritersOf(string name)
    {
        lock (_writerSets)
        {
            if (!_writerSets.TryGetValue(name, out WriterSchemaSet? set))
            {
                SchemaInfo current = Get(name);
                set = new WriterSchemaSet(current, History(current));
                _writerSets[name] = set;
            }

            return set;
        }
    }

    /// <summary>Looks a schema up by its single-object fingerprint.</summary>
    public bool TryGetByFingerprint(ulong fingerprint, out SchemaInfo? info) => _byFingerprint.TryGetValue(fingerprint, out info);

    /// <summary>All fields of <paramref name="schema"/>, depth first, nested records included with dotted paths.</summary>
    public static IReadOnlyList<SchemaField> Flatten(RecordSchema schema)
    {
        var result = new List<SchemaField>();
        Walk(schema, prefix: "", result);
        return result;
    }

    private static void Walk(RecordSchema schema, string prefix, List<SchemaField> result)
    {
        foreach (Field field in schema.Fields)
        {
            string path = prefix.Length == 0 ? field.Name : prefix + "." + field.Name;
            string? classification = field.GetProperty("classification")?.Trim('"');
            Schema valueSchema = field.Schema;
            bool nullable = false;
            if (field.Schema is UnionSchema union && union.Count == 2 && union[0].Tag == Schema.Type.Null)
            {
                nullable = true;
                valueSchema = union[1];
            }

            result.Add(new SchemaField(path, classification, field.Schema, nullable, valueSchema));
            if (valueSchema is RecordSchema nested)
            {
                Walk(nested, path, result);
            }
            else if (valueSchema is ArraySchema { ItemSchema: RecordSchema itemRecord })
            {
                Walk(itemRecord, path + "[]", result);
            }
        }
    }

    private static SchemaCatalog Load()
    {
        Assembly assembly = typeof(SchemaCatalog).Assembly;
        var all = new List<SchemaInfo>();
        var history = new List<SchemaInfo>();
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith("schemas/", StringComparison.Ordinal) || !resource.EndsWith(".avsc", StringComparison.Ordinal))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            string json = reader.ReadToEnd();
            var schema = (RecordSchema)Schema.Parse(json);
            var info = new SchemaInfo(resource["schemas/".Length..], json, schema);
            (info.FileName.StartsWith(HistoryFolder, StringComparison.Ordinal) ? history : all).Add(info);
        }

        all.Sort((a, b) => string.CompareOrdinal(a.FileName, b.FileName));
        history.Sort((a, b) => string.CompareOrdinal(a.FileName, b.FileName));
        return new SchemaCatalog(all, history);
    }
}
