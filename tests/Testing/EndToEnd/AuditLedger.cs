namespace Sieve.Testing.EndToEnd;

/// <summary>Sums and checks over audit records.</summary>
internal static class AuditLedger
{
    public static long Inputs(IEnumerable<AuditEntry> entries) => entries.Where(e => !e.IsRelease).Sum(e => e.Inputs);

    /// <summary>Records the release stages decided (their pending topics' inputs).</summary>
    public static long ReleaseInputs(IEnumerable<AuditEntry> entries) => entries.Where(e => e.IsRelease).Sum(e => e.Inputs);

    /// <summary>Outcome totals per purpose.</summary>
    public static Dictionary<string, PurposeCounts> Totals(IEnumerable<AuditEntry> entries) => Sum(entries.Where(e => !e.IsRelease));

    /// <summary>Per purpose, what its release stage decided.</summary>
    public static Dictionary<string, PurposeCounts> ReleaseTotals(IEnumerable<AuditEntry> entries) => Sum(entries.Where(e => e.IsRelease));

    private static Dictionary<string, PurposeCounts> Sum(IEnumerable<AuditEntry> entries)
    {
        var totals = new Dictionary<string, PurposeCounts>(StringComparer.Ordinal);
        foreach (AuditEntry entry in entries)
        {
            foreach (KeyValuePair<string, PurposeCounts> pair in entry.Purposes)
            {
                totals[pair.Key] = totals.GetValueOrDefault(pair.Key) + pair.Value;
            }
        }

        return totals;
    }

    /// <summary>Quarantine totals per reason code.</summary>
    public static Dictionary<string, long> Quarantined(IEnumerable<AuditEntry> entries)
    {
        var totals = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (AuditEntry entry in entries)
        {
            foreach (KeyValuePair<string, long> pair in entry.Quarantined)
            {
                totals[pair.Key] = totals.GetValueOrDefault(pair.Key) + pair.Value;
            }
        }

        return totals;
    }

    /// <summary>
    /// Every record accounts for its inputs: for each of <paramref name="purposes"/> (all present, in order),
    /// forwarded + withheld* + quarantined == inputs; and the inputs are exactly the offsets first..last (the raw
    /// producers are not transactional, so a partition's offsets have no gaps).
    /// </summary>
    public static void AssertBalanced(IEnumerable<AuditEntry> entries, IReadOnlyList<string> purposes)
    {
        foreach (AuditEntry e in entries)
        {
            string where = e.SourceTopic + " [" + e.Partition + "] " + e.FirstOffset + ".." + e.LastOffset + " (batch " + e.BatchId + ")";
            Assert.True(e.Inputs > 0, where + ": an audit record without inputs");
            // A pending topic is written in transactions, whose commit markers take offsets of their own.
            Assert.True(e.IsRelease ? e.LastOffset - e.FirstOffset + 1 >= e.Inputs : e.LastOffset - e.FirstOffset + 1 == e.Inputs,
                where + ": " + e.Inputs + " inputs for that offset range");
            Assert.True(e.IsRelease ? e.Purposes.Count == 1 && purposes.Contains(e.Purposes.Keys.Single()) : purposes.SequenceEqual(e.Purposes.Keys),
                where + ": purposes " + string.Join(",", e.Purposes.Keys));
            foreach (KeyValuePair<string, PurposeCounts> pair in e.Purposes)
            {
                Assert.True(pair.Value.Total + e.QuarantinedTotal == e.Inputs,
                    where + ": purpose " + pair.Key + " accounts for " + pair.Value.Total + " + " + e.QuarantinedTotal + " quarantined of " + e.Inputs + " inputs");
            }
        }
    }

    /// <summary>How many audit records cover each offset of each input partition (offsets below <paramref name="ends"/>' values).</summary>
    public static Dictionary<(string Topic, int Partition), int[]> Coverage(IEnumerable<AuditEntry> entries, IReadOnlyDictionary<(string Topic, int Partition), long> ends)
    {
        var coverage = ends.ToDictionary(e => e.Key, e => new int[e.Value]);
        foreach (AuditEntry entry in entries.Where(e => !e.IsRelease))
        {
            Assert.True(coverage.TryGetValue((entry.SourceTopic, entry.Partition), out int[]? counts),
                "An audit record for an unexpected input " + entry.SourceTopic + " [" + entry.Partition + "]");
            Assert.True(entry.LastOffset < counts.Length, "An audit record covers offset " + entry.LastOffset + " of " + entry.SourceTopic + " [" + entry.Partition + "], beyond its end " + counts.Length);
            for (long offset = entry.FirstOffset; offset <= entry.LastOffset; offset++)
            {
                counts[offset]++;
            }
        }

        return coverage;
    }

    /// <summary>True once every offset below each end is covered at least once.</summary>
    public static bool CoversAll(IEnumerable<AuditEntry> entries, IReadOnlyDictionary<(string Topic, int Partition), long> ends)
    {
        var coverage = ends.ToDictionary(e => e.Key, e => new bool[e.Value]);
        foreach (AuditEntry entry in entries)
        {
            if (!coverage.TryGetValue((entry.SourceTopic, entry.Partition), out bool[]? seen))
            {
                continue;
            }

            for (long offset = entry.FirstOffset; offset <= entry.LastOffset && offset < seen.Length; offset++)
            {
                seen[offset] = true;
            }
        }

        return coverage.Values.All(seen => Array.TrueForAll(seen, s => s));
    }
}
