using System.Buffers.Binary;
using System.Collections;
using Avro;
using Avro.Generic;
using Avro.IO;
using Sieve.Contracts.Avro;
using Sieve.Contracts.Schemas;

namespace Sieve.Commands.Policy;

/// <summary>
/// Decodes a minimized record with Apache.Avro's generic reader against the schema in <see cref="SchemaCatalog"/>,
/// independently of the span codec that wrote it, and turns the values into plain ones for display.
/// </summary>
internal static class MinimizedRecordDecoder
{
    /// <summary>The record's fields in schema order, with display values (see <see cref="FieldExplanation.Value"/>).</summary>
    /// <exception cref="CliException">The message is not a record of <paramref name="schema"/> (failure).</exception>
    public static IReadOnlyList<KeyValuePair<string, object?>> Decode(SchemaInfo schema, byte[] message)
    {
        if (message.Length < SingleObjectEncoding.HeaderLength
            || message[0] != SingleObjectEncoding.Marker0
            || message[1] != SingleObjectEncoding.Marker1
            || BinaryPrimitives.ReadUInt64LittleEndian(message.AsSpan(2)) != schema.Fingerprint)
        {
            return ThrowHelper.Failure<IReadOnlyList<KeyValuePair<string, object?>>>($"a minimized record does not carry the {schema.Schema.Name} header");
        }

        GenericRecord record;
        try
        {
            using var stream = new MemoryStream(message, SingleObjectEncoding.HeaderLength, message.Length - SingleObjectEncoding.HeaderLength, writable: false);
            record = new GenericDatumReader<GenericRecord>(schema.Schema, schema.Schema).Read(null!, new BinaryDecoder(stream));
            if (stream.Position != stream.Length)
            {
                ThrowHelper.Failure($"a minimized {schema.Schema.Name} has bytes after its last field");
            }
        }
        catch (AvroException e)
        {
            return ThrowHelper.Failure<IReadOnlyList<KeyValuePair<string, object?>>>($"a minimized {schema.Schema.Name} does not decode ({e.GetType().Name})");
        }

        var fields = new List<KeyValuePair<string, object?>>(schema.Schema.Fields.Count);
        foreach (Field field in schema.Schema.Fields)
        {
            fields.Add(new KeyValuePair<string, object?>(field.Name, ToDisplay(record.GetValue(field.Pos))));
        }

        return fields;
    }

    private static object? ToDisplay(object? value) => value switch
    {
        null => null,
        string or int or long or float or double or bool => value,
        DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        GenericEnum symbol => symbol.Value,
        byte[] bytes => Convert.ToBase64String(bytes),
        IEnumerable items => ToList(items),
        _ => value.ToString(),
    };

    private static List<object?> ToList(IEnumerable items)
    {
        var list = new List<object?>();
        foreach (object? item in items)
        {
            list.Add(ToDisplay(item));
        }

        return list;
    }
}
