using Avro;
using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Avro.Framing;
using Sieve.Contracts.Schemas;
using Sieve.Core.Pipeline;

namespace Sieve.Core.Lake;

/// <summary>
/// Turns a purpose topic's message (an output record, single-object encoded or Confluent-framed) into a lake row with Apache.Avro's generic
/// reader. A message that is empty, not single-object encoded, written with another schema, or not decodable is
/// refused with a <see cref="QuarantineReason"/> naming the problem, never the content. Not thread-safe.
/// </summary>
public sealed class RowDecoder
{
    /// <summary>Reason code: the message has no value.</summary>
    public const string EmptyValueReason = "empty-value";

    /// <summary>Reason code: the message was written with a known schema other than the topic's.</summary>
    public const string WrongSchemaReason = "wrong-schema";

    /// <summary>Reason code: the Avro body could not be read with the topic's schema.</summary>
    public const string UndecodableReason = "avro-undecodable";

    /// <summary>Reason code: the subject is not a pseudonym (32 characters of a-z and 2-7).</summary>
    public const string InvalidSubjectReason = "invalid-subject";

    private readonly LakeTable _table;
    private readonly GenericDatumReader<GenericRecord> _reader;

    /// <summary>Creates a decoder for <paramref name="table"/>'s schema.</summary>
    public RowDecoder(LakeTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _reader = new GenericDatumReader<GenericRecord>(table.Schema.Schema, table.Schema.Schema);
    }

    /// <summary>Decodes <paramref name="message"/> read at <paramref name="partition"/>/<paramref name="offset"/> of the table's topic.</summary>
    /// <param name="message">The whole message value.</param>
    /// <param name="partition">The partition it was read from.</param>
    /// <param name="offset">Its offset.</param>
    /// <param name="ids">Schema Registry ids, when Confluent-framed messages are accepted (fetch an unknown id before calling); null accepts single-object only.</param>
    /// <param name="row">The row, on success.</param>
    /// <param name="reason">Why the message goes to quarantine, on failure.</param>
    /// <returns>True with the row; false with the reason it goes to quarantine.</returns>
    public bool TryDecode(byte[]? message, int partition, long offset, SchemaIds? ids, out DecodedRow row, out QuarantineReason reason)
    {
        row = default;
        if (message is null || message.Length == 0)
        {
            reason = new QuarantineReason(EmptyValueReason, _table.Topic + ": the message has no value");
            return false;
        }

        AvroStatus status = RecordHeader.TryRead(message, ids, out ulong fingerprint, out int bodyStart, out _);
        if (status != AvroStatus.Ok)
        {
            reason = new QuarantineReason(status.ToReasonCode(), _table.Topic + (status == AvroStatus.UnregisteredSchemaId
                ? ": the schema registry has no schema with the message's id"
                : ids is null ? ": the value is not single-object encoded Avro" : ": the value is neither single-object encoded nor Confluent-framed Avro"));
            return false;
        }

        if (fingerprint != _table.Schema.Fingerprint)
        {
            reason = SchemaCatalog.Default.TryGetByFingerprint(fingerprint, out SchemaInfo? other)
                ? new QuarantineReason(WrongSchemaReason, _table.Topic + ": written with " + other!.FullName + ", expected " + _table.Schema.FullName)
                : new QuarantineReason(AvroStatus.UnknownFingerprint.ToReasonCode(), _table.Topic + ": the writer-schema fingerprint is not one this reader knows");
            return false;
        }

        GenericRecord record;
        using (var stream = new MemoryStream(message, bodyStart, message.Length - bodyStart, writable: false))
        {
            try
            {
                record = _reader.Read(null!, new BinaryDecoder(stream));
            }
            catch (Exception e) when (e is AvroException or EndOfStreamException or IOException or ArgumentException or InvalidCastException or OverflowException)
            {
                // The library's messages may quote values; only the exception type is kept.
                reason = new QuarantineReason(UndecodableReason, _table.Schema.FullName + ": the body could not be read (" + e.GetType().Name + ")");
                return false;
            }

            if (stream.Position != stream.Length)
            {
                reason = new QuarantineReason(AvroStatus.TrailingBytes.ToReasonCode(), _table.Schema.FullName + ": bytes follow the record's last field");
                return false;
            }
        }

        var values = new Dictionary<string, object?>(_table.Columns.Count, StringComparer.Ordinal);
        DateTime time = default;
        string subject = string.Empty;
        foreach (LakeColumn column in _table.Columns)
        {
            if (column.Name is LakeTable.TopicColumn or LakeTable.PartitionColumn or LakeTable.OffsetColumn)
            {
                continue;
            }

            object? value = Convert(column, record.GetValue(record.Schema[column.Name].Pos));
            values[column.Name] = value;
            if (column.Name == _table.TimeColumn)
            {
                time = (DateTime)value!;
            }
            else if (column.Name == LakeTable.SubjectColumn)
            {
                subject = (string)value!;
            }
        }

        if (!IsPseudonym(subject))
        {
            reason = new QuarantineReason(InvalidSubjectReason, _table.Schema.FullName + ": subject is not a 32-character pseudonym");
            return false;
        }

        values[LakeTable.TopicColumn] = _table.Topic;
        values[LakeTable.PartitionColumn] = partition;
        values[LakeTable.OffsetColumn] = offset;
        row = new DecodedRow(values, subject, time);
        reason = default;
        return true;
    }

    /// <summary>True when <paramref name="text"/> is 32 characters of the pseudonym alphabet (a-z, 2-7).</summary>
    public static bool IsPseudonym(ReadOnlySpan<char> text)
    {
        if (text.Length != Sieve.Contracts.Pseudonymization.PseudonymKey.PseudonymLength)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '2' and <= '7')))
            {
                return false;
            }
        }

        return true;
    }

    private static object? Convert(LakeColumn column, object? value)
    {
        if (value is null)
        {
            return null;
        }

        return column.Kind switch
        {
            ColumnKind.Enum => ((GenericEnum)value).Value,
            ColumnKind.TimestampMillis => DateTime.SpecifyKind((DateTime)value, DateTimeKind.Utc),
            ColumnKind.StringList => ToStringList(value),
            _ => value,
        };
    }

    private static List<ReadOnlyMemory<char>> ToStringList(object value)
    {
        var items = (System.Collections.IList)value;
        var list = new List<ReadOnlyMemory<char>>(items.Count);
        foreach (object? item in items)
        {
            list.Add(((string)item!).AsMemory());
        }

        return list;
    }
}
