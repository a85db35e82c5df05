using Avro;

namespace Sieve.Core.Policy;

/// <summary>Schema shape questions the policy compiler asks (start-up only).</summary>
internal static class AvroTypes
{
    /// <summary>The Avro type underneath any logical type (timestamp-millis is a long).</summary>
    public static Schema.Type BaseTag(Schema schema) => schema is LogicalSchema logical ? logical.BaseSchema.Tag : schema.Tag;

    /// <summary>True for int, long, float and double (not for logical types such as timestamps).</summary>
    public static bool IsNumber(Schema schema) => schema.Tag is Schema.Type.Int or Schema.Type.Long or Schema.Type.Float or Schema.Type.Double;

    /// <summary>True for int and long.</summary>
    public static bool IsInteger(Schema schema) => schema.Tag is Schema.Type.Int or Schema.Type.Long;

    /// <summary>True for a string.</summary>
    public static bool IsString(Schema schema) => schema.Tag == Schema.Type.String;

    /// <summary>True for <c>array&lt;string&gt;</c>.</summary>
    public static bool IsStringArray(Schema schema) => schema is ArraySchema { ItemSchema.Tag: Schema.Type.String };

    /// <summary>True when a value of <paramref name="input"/> can be written as <paramref name="output"/>: the same Avro type (logical types compare by their base type), arrays item for item.</summary>
    public static bool SameType(Schema input, Schema output)
    {
        if (input is ArraySchema inputArray)
        {
            return output is ArraySchema outputArray && SameType(inputArray.ItemSchema, outputArray.ItemSchema);
        }

        Schema.Type tag = BaseTag(input);
        return tag is not (Schema.Type.Record or Schema.Type.Enumeration or Schema.Type.Error or Schema.Type.Union or Schema.Type.Map or Schema.Type.Fixed)
            && output is not ArraySchema && tag == BaseTag(output);
    }

    /// <summary>How a type reads in an error message, e.g. <c>float</c>, <c>long (timestamp-millis)</c>, <c>array&lt;string&gt;</c>.</summary>
    public static string Describe(Schema schema) => schema switch
    {
        LogicalSchema logical => $"{Describe(logical.BaseSchema)} ({logical.LogicalTypeName})",
        ArraySchema array => $"array<{Describe(array.ItemSchema)}>",
        RecordSchema record => $"record {record.Name}",
        EnumSchema enumSchema => $"enum {enumSchema.Name}",
        UnionSchema => "union",
        _ => schema.Tag.ToString().ToLowerInvariant(),
    };
}
