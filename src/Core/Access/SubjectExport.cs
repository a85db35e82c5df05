using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using Sieve.Contracts.Identifiers;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Policy;

namespace Sieve.Core.Access;

/// <summary>One pseudonym of the subject in an export: the key ids that make it and its lake rows.</summary>
/// <param name="Pseudonym">The pseudonym.</param>
/// <param name="KeyIds">e.g. <c>k1/positioning/stable</c>.</param>
/// <param name="Rows">Its lake rows.</param>
public sealed record ExportedPseudonym(string Pseudonym, IReadOnlyList<string> KeyIds, long Rows);

/// <summary>What an export wrote for one purpose.</summary>
/// <param name="Purpose">The purpose.</param>
/// <param name="Rows">The subject's lake rows, all of them in each file.</param>
/// <param name="JsonLinesFile">The file name (in the export directory) of the rows as JSON Lines; null when there are none.</param>
/// <param name="CsvFile">The file name of the rows as CSV with a header; null when there are none.</param>
/// <param name="Pseudonyms">Pseudonyms with rows, and for stable keys every one.</param>
/// <param name="Anonymized">True when the purpose's rows carry random segment pseudonyms, none of them the subject's.</param>
public sealed record PurposeExport(string Purpose, long Rows, string? JsonLinesFile, string? CsvFile, IReadOnlyList<ExportedPseudonym> Pseudonyms, bool Anonymized)
{
    /// <summary>The purpose topic.</summary>
    public string Topic { get; init; } = "";

    /// <summary>
    /// Records keyed by any of the subject's pseudonyms that the purpose topic still holds (within its retention);
    /// null when Kafka was not asked.
    /// </summary>
    public long? TopicRecords { get; init; }
}

/// <summary>
/// The subject's copy of their data (the right to a copy): per purpose, every lake row under any of their pseudonyms
/// (every master key and key epoch within retention), written as JSON Lines and as CSV to a directory that only its
/// owner can read. The rows hold pseudonyms and minimized values; the identifier is written nowhere.
/// </summary>
public sealed class SubjectExport(string root, IReadOnlyList<LakeTable> tables, PseudonymKeyFactory keys, TimeProvider? time = null)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Writes the subject's rows under <paramref name="directory"/> (created, owner-only) and says what was written.</summary>
    /// <exception cref="ArgumentException">The identifier is not valid for <paramref name="type"/>; the message gives the reason code only.</exception>
    /// <exception cref="DuckDBException">The lake could not be read.</exception>
    /// <exception cref="IOException">A file could not be written.</exception>
    /// <param name="type">The identifier's type.</param>
    /// <param name="rawIdentifier">The identifier as given.</param>
    /// <param name="directory">Where the files go; created.</param>
    /// <param name="kafka">When given, each purpose topic is read to its end and the records under the subject's
    /// pseudonyms counted (<see cref="PurposeExport.TopicRecords"/>).</param>
    /// <param name="timeout">How long reading each topic may take.</param>
    /// <param name="cancellationToken">Cancels the topic reads.</param>
    /// <exception cref="Confluent.Kafka.KafkaException">A purpose topic could not be read.</exception>
    /// <exception cref="TimeoutException">A purpose topic's end was not reached in time.</exception>
    public IReadOnlyList<PurposeExport> Export(SubjectType type, string rawIdentifier, string directory, Confluent.Kafka.ConsumerConfig? kafka = null,
        TimeSpan timeout = default, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!SubjectPseudonyms.TryDerive(keys, tables, type, rawIdentifier, _time.GetUtcNow(), out SubjectPseudonyms.Derived? derived, out NormalizeStatus status))
        {
            throw new ArgumentException("The identifier is not valid: " + IdentifierNormalizer.ToReasonCode(type, status) + ".", nameof(rawIdentifier));
        }

        CreateOwnerOnlyDirectory(directory);
        var exports = new List<PurposeExport>(tables.Count);
        foreach (LakeTable table in tables)
        {
            IReadOnlyList<PurposePseudonym> all = derived!.ByPurpose[table.Purpose];
            bool anonymized = table.Rotation == PseudonymRotation.Segment;
            long? topicRecords = kafka is null || anonymized ? null : CountInTopic(kafka, table.Topic, all, timeout, cancellationToken);
            if (anonymized || all.Count == 0 || !LakeLayout.DataFiles(root, table.Purpose).Any())
            {
                exports.Add(new PurposeExport(table.Purpose, 0, null, null, Listed(table, all, new Dictionary<string, long>()), anonymized)
                    { Topic = table.Topic, TopicRecords = topicRecords });
                continue;
            }

            string jsonLines = table.Purpose + ".jsonl";
            string csv = table.Purpose + ".csv";
            Dictionary<string, long> rowsBySubject = WriteRows(table, all, Path.Combine(directory, jsonLines), Path.Combine(directory, csv));
            long rows = rowsBySubject.Values.Sum();
            if (rows == 0)
            {
                File.Delete(Path.Combine(directory, jsonLines));
                File.Delete(Path.Combine(directory, csv));
            }

            exports.Add(new PurposeExport(table.Purpose, rows, rows == 0 ? null : jsonLines, rows == 0 ? null : csv, Listed(table, all, rowsBySubject), false)
                { Topic = table.Topic, TopicRecords = topicRecords });
        }

        return exports;
    }

    /// <summary>
    /// Creates <paramref name="directory"/> (its parents as the umask makes them) and makes it readable by its owner
    /// only where the platform has modes, also when it already existed.
    /// </summary>
    public static void CreateOwnerOnlyDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    /// <summary>Opens <paramref name="path"/> for writing, created readable by its owner only where the platform has modes.</summary>
    public static StreamWriter CreateOwnerOnlyFile(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new StreamWriter(path, Utf8, options);
    }

    private static long CountInTopic(Confluent.Kafka.ConsumerConfig kafka, string topic, IReadOnlyList<PurposePseudonym> pseudonyms, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var wanted = new HashSet<string>(pseudonyms.Select(p => p.Pseudonym), StringComparer.Ordinal);
        long count = 0;
        Recall.TopicSnapshot.Read(kafka, topic, result =>
        {
            if (result.Message.Key is { Length: PseudonymKey.PseudonymLength } key && result.Message.Value is not null && wanted.Contains(Encoding.ASCII.GetString(key)))
            {
                count++;
            }
        }, timeout <= TimeSpan.Zero ? Recall.EscrowReader.DefaultTimeout : timeout, cancellationToken);
        return count;
    }

    private static List<ExportedPseudonym> Listed(LakeTable table, IReadOnlyList<PurposePseudonym> all, Dictionary<string, long> rows)
    {
        var listed = new List<ExportedPseudonym>();
        foreach (PurposePseudonym p in all)
        {
            long n = rows.GetValueOrDefault(p.Pseudonym);
            if (n > 0 || table.Rotation == PseudonymRotation.Stable)
            {
                listed.Add(new ExportedPseudonym(p.Pseudonym, p.KeyIds, n));
            }
        }

        return listed;
    }

    private Dictionary<string, long> WriteRows(LakeTable table, IReadOnlyList<PurposePseudonym> pseudonyms, string jsonLinesPath, string csvPath)
    {
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using DuckDBCommand command = connection.CreateCommand();

        // Column names come from the schema (Avro names), pseudonyms from the derivation: nothing from input.
        command.CommandText = "SELECT * FROM " + LakeEraser.ReadPurpose(root, table.Purpose) + " WHERE " + LakeTable.SubjectColumn + " IN ("
            + LakeEraser.InList(pseudonyms.Select(p => p.Pseudonym)) + ") ORDER BY " + table.TimeColumn + ", " + LakeTable.OffsetColumn;
        using DuckDBDataReader reader = command.ExecuteReader();
        using StreamWriter jsonLines = CreateOwnerOnlyFile(jsonLinesPath);
        using StreamWriter csv = CreateOwnerOnlyFile(csvPath);
        int subject = reader.GetOrdinal(LakeTable.SubjectColumn);
        var header = new StringBuilder();
        for (int i = 0; i < reader.FieldCount; i++)
        {
            header.Append(i == 0 ? "" : ",").Append(CsvField(reader.GetName(i)));
        }

        csv.Write(header.Append("\r\n"));
        using var buffer = new MemoryStream();
        var line = new StringBuilder();
        while (reader.Read())
        {
            string pseudonym = reader.GetString(subject);
            rows[pseudonym] = rows.GetValueOrDefault(pseudonym) + 1;
            buffer.SetLength(0);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                for (int i = 0; i < reader.FieldCount; i++)
                {
                    json.WritePropertyName(reader.GetName(i));
                    WriteJsonValue(json, reader.IsDBNull(i) ? null : reader.GetValue(i));
                }

                json.WriteEndObject();
            }

            jsonLines.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            jsonLines.Write('\n');
            line.Clear();
            for (int i = 0; i < reader.FieldCount; i++)
            {
                line.Append(i == 0 ? "" : ",").Append(CsvField(reader.IsDBNull(i) ? "" : Text(reader.GetValue(i))));
            }

            csv.Write(line.Append("\r\n"));
        }

        return rows;
    }

    private static void WriteJsonValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNullValue();
                break;
            case string s:
                json.WriteStringValue(s);
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case int or long or short or sbyte or byte or ushort or uint:
                json.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                json.WriteNumberValue(u);
                break;
            case float f when float.IsFinite(f):
                json.WriteNumberValue(f);
                break;
            case double d when double.IsFinite(d):
                json.WriteNumberValue(d);
                break;
            case decimal m:
                json.WriteNumberValue(m);
                break;
            case IEnumerable items and not byte[]:
                json.WriteStartArray();
                foreach (object? item in items)
                {
                    WriteJsonValue(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(Text(value));
                break;
        }
    }

    /// <summary>A value as text: times in ISO 8601 UTC, numbers invariant, lists as JSON arrays, bytes in base64.</summary>
    private static string Text(object value) => value switch
    {
        string s => s,
        DateTime t => DateTime.SpecifyKind(t, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        byte[] bytes => Convert.ToBase64String(bytes),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable => JsonArray(value),
        _ => value.ToString() ?? "",
    };

    private static string JsonArray(object value)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteJsonValue(json, value);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string CsvField(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
