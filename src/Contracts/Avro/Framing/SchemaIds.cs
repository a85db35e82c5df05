using Sieve.Contracts.Schemas;

namespace Sieve.Contracts.Avro.Framing;

/// <summary>
/// The Schema Registry ids a process knows, each with its writer schema, and the ids the registry said it does not
/// have. Filled off the hot path (at start-up, and when a record names an id not seen before); read on it without
/// locks or allocation: writers replace the whole map, readers read whichever map is current.
/// </summary>
public sealed class SchemaIds
{
    private readonly Lock _write = new();
    private volatile Snapshot _current = new([], [], []);

    /// <summary>Ids known in all.</summary>
    public int Count => _current.ById.Count;

    /// <summary>The fingerprint of the schema registered as <paramref name="schemaId"/>, when it is known.</summary>
    public bool TryGetFingerprint(int schemaId, out ulong fingerprint)
    {
        if (_current.ById.TryGetValue(schemaId, out SchemaInfo? schema))
        {
            fingerprint = schema.Fingerprint;
            return true;
        }

        fingerprint = 0;
        return false;
    }

    /// <summary>The schema registered as <paramref name="schemaId"/>, when it is known.</summary>
    public bool TryGetSchema(int schemaId, out SchemaInfo? schema) => _current.ById.TryGetValue(schemaId, out schema);

    /// <summary>The id the schema with <paramref name="fingerprint"/> was registered under, when it was.</summary>
    public bool TryGetId(ulong fingerprint, out int schemaId) => _current.ByFingerprint.TryGetValue(fingerprint, out schemaId);

    /// <summary>True when the registry answered that it has no schema <paramref name="schemaId"/>.</summary>
    public bool IsMissing(int schemaId) => _current.Missing.Contains(schemaId);

    /// <summary>Records that the registry holds <paramref name="schema"/> as <paramref name="schemaId"/>.</summary>
    public void Add(int schemaId, SchemaInfo schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        lock (_write)
        {
            Snapshot s = _current;
            var byId = new Dictionary<int, SchemaInfo>(s.ById) { [schemaId] = schema };
            var byFingerprint = new Dictionary<ulong, int>(s.ByFingerprint);
            byFingerprint.TryAdd(schema.Fingerprint, schemaId);
            var missing = new HashSet<int>(s.Missing);
            missing.Remove(schemaId);
            _current = new Snapshot(byId, byFingerprint, missing);
        }
    }

    /// <summary>Records that the registry answered it has no schema <paramref name="schemaId"/>.</summary>
    public void AddMissing(int schemaId)
    {
        lock (_write)
        {
            Snapshot s = _current;
            _current = new Snapshot(s.ById, s.ByFingerprint, new HashSet<int>(s.Missing) { schemaId });
        }
    }

    private sealed record Snapshot(Dictionary<int, SchemaInfo> ById, Dictionary<ulong, int> ByFingerprint, HashSet<int> Missing);
}
