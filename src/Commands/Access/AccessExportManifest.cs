using System.Globalization;
using System.Text;
using System.Text.Json;
using Sieve.Commands.Policy;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Access;
using Spectre.Console;

namespace Sieve.Commands.Access;

/// <summary>
/// The manifest of <c>sieve access --export</c>: what exists of the subject, in which file, under which pseudonym and
/// key id, and what the purpose topics still hold. It names pseudonyms and key ids, never the identifier.
/// </summary>
internal static class AccessExportManifest
{
    public const string FileName = "manifest.json";

    /// <summary>Writes <see cref="FileName"/> into <paramref name="directory"/> (owner-only).</summary>
    public static void Write(string directory, SubjectType type, MasterKeyRing ring, string policySource, AccessReport report,
        IReadOnlyList<PurposeExport> exported, bool topicsChecked)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("subjectType", SubjectTypeNames.NameOf(type));
            json.WriteString("identifier", "not included: the rows are held under pseudonyms, listed per purpose with the key ids that make them");
            json.WriteString("exportedAt", ExplainValues.Time(DateTimeOffset.UtcNow));
            json.WriteString("policy", policySource);
            json.WriteString("activeMasterKeyId", ring.Active.Id);
            json.WriteBoolean("minor", report.Minor);
            json.WriteBoolean("erased", report.Erased);
            json.WriteStartArray("purposes");
            foreach (PurposeExport p in exported)
            {
                json.WriteStartObject();
                json.WriteString("purpose", p.Purpose);
                PurposeAccess? access = report.Purposes.FirstOrDefault(a => a.Purpose == p.Purpose);
                json.WriteString("consent", access is null ? "none" : Consent.ConsentShowCommand.StateName(access.Consent.State));
                json.WriteBoolean("anonymized", p.Anonymized);
                json.WriteNumber("lakeRows", p.Rows);
                json.WriteStartObject("files");
                json.WriteString("jsonLines", p.JsonLinesFile);
                json.WriteString("csv", p.CsvFile);
                json.WriteEndObject();
                json.WriteStartArray("pseudonyms");
                foreach (ExportedPseudonym pseudonym in p.Pseudonyms)
                {
                    json.WriteStartObject();
                    json.WriteString("pseudonym", pseudonym.Pseudonym);
                    json.WriteStartArray("keyIds");
                    foreach (string keyId in pseudonym.KeyIds)
                    {
                        json.WriteStringValue(keyId);
                    }

                    json.WriteEndArray();
                    json.WriteNumber("lakeRows", pseudonym.Rows);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteStartObject("topic");
                json.WriteString("name", p.Topic);
                if (p.TopicRecords is { } records)
                {
                    json.WriteNumber("records", records);
                }
                else
                {
                    json.WriteNull("records");
                }

                json.WriteString("note", p.Anonymized ? "anonymized: no record is attributable to the subject"
                    : topicsChecked ? "records keyed by the subject's pseudonyms, within the topic's retention"
                    : "not checked (give --bootstrap)");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        using StreamWriter file = SubjectExport.CreateOwnerOnlyFile(Path.Combine(directory, FileName));
        file.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        file.Write('\n');
    }

    /// <summary>The export's lines for the console: where it is, per purpose the rows and files and the topic's count.</summary>
    public static void WriteText(IAnsiConsole console, string directory, IReadOnlyList<PurposeExport> exported, bool topicsChecked)
    {
        PlainText.WriteLine(console, string.Create(CultureInfo.InvariantCulture,
            $"export: {exported.Sum(e => e.Rows)} lake rows written to {directory}; what exists, where and under which pseudonym and key id: {Path.Combine(directory, FileName)}"));
        foreach (PurposeExport p in exported)
        {
            var line = new StringBuilder("  ").Append(p.Purpose).Append(": ");
            if (p.Anonymized)
            {
                line.Append("anonymized, nothing attributable to the subject");
            }
            else
            {
                line.Append(p.Rows.ToString(CultureInfo.InvariantCulture)).Append(p.Rows == 1 ? " row" : " rows");
                if (p.JsonLinesFile is not null)
                {
                    line.Append(" in ").Append(p.JsonLinesFile).Append(" and ").Append(p.CsvFile);
                }

                line.Append("; ").Append(p.Topic).Append(": ").Append(p.TopicRecords is { } n
                    ? n.ToString(CultureInfo.InvariantCulture) + (n == 1 ? " record" : " records") + " under the subject's pseudonyms"
                    : topicsChecked ? "not read" : "not checked (give --bootstrap)");
            }

            PlainText.WriteLine(console, line.ToString());
        }
    }

}
