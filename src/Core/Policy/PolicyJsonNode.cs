using System.Globalization;

namespace Sieve.Core.Policy;

/// <summary>The JSON value kinds of a policy document.</summary>
internal enum PolicyJsonKind : byte
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>
/// A JSON value of a policy document with the byte offset of its first token, so that validation, which runs after
/// parsing, can still say where each problem is.
/// </summary>
internal sealed class PolicyJsonNode
{
    public PolicyJsonNode(PolicyJsonKind kind, long offset)
    {
        Kind = kind;
        Offset = offset;
    }

    public PolicyJsonKind Kind { get; }

    /// <summary>Byte offset of the value's first token in the (BOM-less) document.</summary>
    public long Offset { get; }

    /// <summary>The value of a string.</summary>
    public string? String { get; init; }

    /// <summary>The value of a number (NaN when out of double range).</summary>
    public double Number { get; init; }

    /// <summary>The value of a number written as an integer that fits a long; otherwise null.</summary>
    public long? Integer { get; init; }

    /// <summary>An object's members in document order (duplicates already removed and reported).</summary>
    public List<PolicyJsonProperty> Properties { get; } = [];

    /// <summary>An array's items.</summary>
    public List<PolicyJsonNode> Items { get; } = [];

    /// <summary>The member named <paramref name="name"/> of an object, or null.</summary>
    public PolicyJsonProperty? Find(string name)
    {
        foreach (PolicyJsonProperty property in Properties)
        {
            if (string.Equals(property.Name, name, StringComparison.Ordinal))
            {
                return property;
            }
        }

        return null;
    }

    /// <summary>How the value's kind reads in an error message.</summary>
    public string Describe() => Kind switch
    {
        PolicyJsonKind.Object => "an object",
        PolicyJsonKind.Array => "an array",
        PolicyJsonKind.String => "a string",
        PolicyJsonKind.Number => "a number",
        PolicyJsonKind.True or PolicyJsonKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>How the value reads in an error message: a string or number as written, anything else by its kind.</summary>
    public string DescribeValue() => Kind switch
    {
        PolicyJsonKind.String => $"'{String}'",
        PolicyJsonKind.Number => Number.ToString(CultureInfo.InvariantCulture),
        _ => Describe(),
    };
}

/// <summary>An object member: its name, where the name starts, and its value.</summary>
internal sealed record PolicyJsonProperty(string Name, long NameOffset, PolicyJsonNode Value);
