using System.Globalization;
using Sieve.Contracts.Avro.Resolution;

namespace Sieve.Contracts.Schemas;

/// <summary>
/// The compatibility gate on <c>schemas/</c>. Every current schema must read every earlier version of itself
/// (BACKWARD_TRANSITIVE, by the same resolution rules the codec runs), and released files never change:
/// <c>schemas/history/versions.lock</c> pins the fingerprint of each current and each history file, so an edit in
/// place, a deleted version or a current schema changed without keeping its previous version all fail.
/// </summary>
public static class SchemaHistoryGate
{
    /// <summary>The lock file, relative to <c>schemas/</c>.</summary>
    public const string LockFile = SchemaCatalog.HistoryFolder + "versions.lock";

    /// <summary>
    /// Checks <paramref name="current"/> and <paramref name="history"/> against <paramref name="lockText"/>, the
    /// lock file's content. Returns each problem as one line that says what to do; empty when the gate passes.
    /// </summary>
    public static IReadOnlyList<string> Check(IReadOnlyList<SchemaInfo> current, IReadOnlyList<SchemaInfo> history, string lockText)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(lockText);
        var problems = new List<string>();
        Dictionary<string, ulong> locked = ParseLock(lockText, problems);
        var historyByName = new Dictionary<string, List<SchemaInfo>>(StringComparer.Ordinal);
        foreach (SchemaInfo version in history)
        {
            string stem = Path.GetDirectoryName(version.FileName[SchemaCatalog.HistoryFolder.Length..]) ?? "";
            if (!historyByName.TryGetValue(stem, out List<SchemaInfo>? versions))
            {
                historyByName[stem] = versions = [];
            }

            versions.Add(version);
            if (!locked.TryGetValue(version.FileName, out ulong pinned))
            {
                problems.Add($"schemas/{version.FileName} is not in schemas/{LockFile}: add the line \"{LockLine(version)}\".");
            }
            else if (pinned != version.Fingerprint)
            {
                problems.Add($"schemas/{version.FileName} was edited in place (fingerprint {Hex(version.Fingerprint)}, locked {Hex(pinned)}): a released version never changes; undo the edit.");
            }
        }

        foreach (string path in locked.Keys)
        {
            if (path.StartsWith(SchemaCatalog.HistoryFolder, StringComparison.Ordinal) && !history.Any(h => h.FileName == path))
            {
                problems.Add($"schemas/{path} is locked but missing: a released version is never deleted; restore it.");
            }
        }

        foreach (SchemaInfo schema in current)
        {
            string stem = Path.GetFileNameWithoutExtension(schema.FileName);
            List<SchemaInfo> versions = historyByName.GetValueOrDefault(stem) ?? [];
            versions.Sort((a, b) => SchemaCatalog.HistoryVersion(a).CompareTo(SchemaCatalog.HistoryVersion(b)));
            CheckCurrent(schema, versions, locked, problems);
            CheckVersions(schema, versions, problems);
        }

        foreach (string stem in historyByName.Keys)
        {
            if (!current.Any(c => Path.GetFileNameWithoutExtension(c.FileName) == stem))
            {
                problems.Add($"schemas/{SchemaCatalog.HistoryFolder}{stem}/ has no current schema schemas/{stem}.avsc.");
            }
        }

        return problems;
    }

    /// <summary>The lock line of <paramref name="schema"/>: its path under <c>schemas/</c> and its fingerprint.</summary>
    public static string LockLine(SchemaInfo schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.FileName + " " + Hex(schema.Fingerprint);
    }

    private static void CheckCurrent(SchemaInfo schema, List<SchemaInfo> versions, Dictionary<string, ulong> locked, List<string> problems)
    {
        if (!locked.TryGetValue(schema.FileName, out ulong pinned))
        {
            problems.Add($"schemas/{schema.FileName} is not in schemas/{LockFile}: add the line \"{LockLine(schema)}\".");
            return;
        }

        if (pinned == schema.Fingerprint)
        {
            return;
        }

        string stem = Path.GetFileNameWithoutExtension(schema.FileName);
        if (versions.Any(v => v.Fingerprint == pinned))
        {
            problems.Add($"schemas/{schema.FileName} has a new version and its previous one is kept in history: update its lock line to \"{LockLine(schema)}\".");
        }
        else
        {
            problems.Add($"schemas/{schema.FileName} was changed in place (fingerprint {Hex(schema.Fingerprint)}, locked {Hex(pinned)}): keep the released version as " +
                $"schemas/{SchemaCatalog.HistoryFolder}{stem}/v{versions.Count + 1}.avsc (and lock it), then update this file's lock line.");
        }
    }

    private static void CheckVersions(SchemaInfo schema, List<SchemaInfo> versions, List<string> problems)
    {
        for (int i = 0; i < versions.Count; i++)
        {
            if (SchemaCatalog.HistoryVersion(versions[i]) != i + 1)
            {
                problems.Add($"schemas/{versions[i].FileName}: history versions are numbered v1, v2, … without gaps; expected v{i + 1}.");
            }
        }

        var writers = new WriterSchemaSet(schema, versions);
        foreach (WriterSchema writer in writers.Writers)
        {
            if (!writer.IsCompatible)
            {
                problems.Add($"schemas/{schema.FileName} cannot read schemas/{writer.Schema.FileName} (BACKWARD_TRANSITIVE): {writer.Incompatibility ?? writer.Partial}.");
            }
        }
    }

    private static Dictionary<string, ulong> ParseLock(string text, List<string> problems)
    {
        var locked = new Dictionary<string, ulong>(StringComparer.Ordinal);
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || !ulong.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong fingerprint))
            {
                problems.Add($"schemas/{LockFile} line {number}: expected \"<path under schemas/> <16 hex digits>\".");
                continue;
            }

            if (!locked.TryAdd(parts[0], fingerprint))
            {
                problems.Add($"schemas/{LockFile} line {number}: {parts[0]} is locked twice.");
            }
        }

        return locked;
    }

    private static string Hex(ulong fingerprint) => fingerprint.ToString("X16", CultureInfo.InvariantCulture);
}
