using DuckDB.NET.Data;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Contracts.Purposes;
using Sieve.Core.Consent;
using Sieve.Core.Policy;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;

namespace Sieve.Core.Access;

/// <summary>
/// Answers a data subject's access request from the lake and the consent store: the identifier is normalized and
/// turned into the subject's pseudonyms (every purpose, master key and key epoch within retention), DuckDB counts
/// their rows and finds the first and last event times per purpose, and the consent store gives their current
/// decisions. The identifier itself goes nowhere.
/// </summary>
public sealed class SubjectAccess(string root, IReadOnlyList<LakeTable> tables, PseudonymKeyFactory keys, IConsentStore consent, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Reports what is held about the subject known as <paramref name="rawIdentifier"/>.</summary>
    /// <exception cref="ArgumentException">The identifier is not valid for <paramref name="type"/>; the message gives the reason code only.</exception>
    /// <exception cref="ConsentUnavailableException">The consent store cannot answer.</exception>
    public async Task<AccessReport> ReportAsync(SubjectType type, string rawIdentifier, CancellationToken cancellationToken = default)
    {
        if (!SubjectPseudonyms.TryDerive(keys, tables, type, rawIdentifier, _time.GetUtcNow(), out SubjectPseudonyms.Derived? derived, out NormalizeStatus status))
        {
            throw new ArgumentException("The identifier is not valid: " + IdentifierNormalizer.ToReasonCode(type, status) + ".", nameof(rawIdentifier));
        }

        ConsentRecord record = await consent.GetAsync(derived!.ConsentKey, cancellationToken).ConfigureAwait(false);
        var purposes = new List<PurposeAccess>(tables.Count);
        foreach (LakeTable table in tables)
        {
            IReadOnlyList<PurposePseudonym> all = derived.ByPurpose[table.Purpose];
            var held = Query(table, all);
            var reported = new List<string>();
            long rows = 0;
            long? first = null;
            long? last = null;
            foreach (PurposePseudonym p in all)
            {
                if (held.TryGetValue(p.Pseudonym, out (long Rows, long First, long Last) h))
                {
                    rows += h.Rows;
                    first = first is null ? h.First : Math.Min(first.Value, h.First);
                    last = last is null ? h.Last : Math.Max(last.Value, h.Last);
                    reported.Add(p.Pseudonym);
                }
                else if (table.Rotation == PseudonymRotation.Stable)
                {
                    reported.Add(p.Pseudonym);
                }
            }

            int purposeId = KnownPurposes.IndexOf(table.Purpose);
            purposes.Add(new PurposeAccess(table.Purpose, reported, rows,
                first is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(first.Value),
                last is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(last.Value),
                purposeId >= 0 ? record.GetPurpose(purposeId) : default) { Anonymized = table.Rotation == PseudonymRotation.Segment });
        }

        return new AccessReport(record.Minor, record.Erased, purposes) { Consent = record };
    }

    private Dictionary<string, (long Rows, long First, long Last)> Query(LakeTable table, IReadOnlyList<PurposePseudonym> pseudonyms)
    {
        var result = new Dictionary<string, (long, long, long)>(StringComparer.Ordinal);
        if (pseudonyms.Count == 0 || !LakeLayout.DataFiles(root, table.Purpose).Any())
        {
            return result;
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using DuckDBCommand command = connection.CreateCommand();

        // The time column name comes from the schema (an Avro name: letters, digits, underscores), never from input.
        command.CommandText = "SELECT subject, count(*), epoch_ms(min(" + table.TimeColumn + ")), epoch_ms(max(" + table.TimeColumn + ")) FROM "
            + LakeEraser.ReadPurpose(root, table.Purpose) + " WHERE subject IN (" + LakeEraser.InList(pseudonyms.Select(p => p.Pseudonym)) + ") GROUP BY subject";
        using DuckDBDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            result[reader.GetString(0)] = (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }

        return result;
    }
}
