using System.Globalization;
using System.Text.Json;

namespace Sieve.Commands.Policy;

/// <summary>
/// Reads the properties of one JSON object of a sample event, checking names and types. Errors name the file and
/// the JSON path (<c>$.location.latitude</c>) and what was expected; they never quote a value, since sample files
/// hold identifiers.
/// </summary>
internal readonly struct JsonObjectReader
{
    private readonly JsonElement _element;
    private readonly string _source;
    private readonly string _path;

    private JsonObjectReader(JsonElement element, string source, string path)
    {
        _element = element;
        _source = source;
        _path = path;
    }

    /// <summary>A reader over <paramref name="element"/>, which must be an object whose property names are all in <paramref name="allowed"/>.</summary>
    /// <exception cref="CliException">Not an object, or an unknown property (usage error).</exception>
    public static JsonObjectReader Create(JsonElement element, string source, string path, string what, IReadOnlyList<string> allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            ThrowHelper.Usage($"{source}: {path} must be a JSON object ({what})");
        }

        foreach (JsonProperty property in element.EnumerateObject())
        {
            bool known = false;
            foreach (string name in allowed)
            {
                known |= string.Equals(name, property.Name, StringComparison.Ordinal);
            }

            if (!known)
            {
                ThrowHelper.Usage($"{source}: {Child(path, property.Name)} is not a field of {what}; expected: {string.Join(", ", allowed)}");
            }
        }

        return new JsonObjectReader(element, source, path);
    }

    public string RequiredString(string name) =>
        OptionalString(name) ?? ThrowHelper.Usage<string>($"{_source}: {Child(_path, name)} (a string) is required");

    public string? OptionalString(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : Wrong<string>(name, "a string");
    }

    public double RequiredDouble(string name) =>
        OptionalDouble(name) ?? ThrowHelper.Usage<double>($"{_source}: {Child(_path, name)} (a number) is required");

    public double? OptionalDouble(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double d) && double.IsFinite(d) ? d : Wrong<double>(name, "a number");
    }

    public float? OptionalFloat(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetSingle(out float f) && float.IsFinite(f) ? f : Wrong<float>(name, "a number in float range");
    }

    public int? OptionalInt(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int i) ? i : Wrong<int>(name, "a whole number in int range");
    }

    public bool? OptionalBool(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => Wrong<bool>(name, "true or false"),
        };
    }

    /// <summary>An array of strings; empty when absent or null.</summary>
    public IReadOnlyList<string> StringArray(string name, int maxItems)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            return Wrong<IReadOnlyList<string>>(name, "an array of strings");
        }

        int count = value.GetArrayLength();
        if (count > maxItems)
        {
            ThrowHelper.Usage($"{_source}: {Child(_path, name)} has {count} items; at most {maxItems} are allowed");
        }

        var items = new List<string>(count);
        int index = 0;
        foreach (JsonElement item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                ThrowHelper.Usage($"{_source}: {Child(_path, name)}[{index}] must be a string");
            }

            items.Add(item.GetString()!);
            index++;
        }

        return items;
    }

    /// <summary>A nested object's reader, or null when the property is absent or null.</summary>
    public JsonObjectReader? Object(string name, string what, IReadOnlyList<string> allowed) =>
        TryGet(name, out JsonElement value) ? Create(value, _source, Child(_path, name), what, allowed) : null;

    /// <summary>
    /// A time: an ISO 8601 string (a time without an offset is taken as UTC) or a whole number of Unix
    /// milliseconds. Returns Unix milliseconds.
    /// </summary>
    public long RequiredTime(string name)
    {
        if (!TryGet(name, out JsonElement value))
        {
            return ThrowHelper.Usage<long>($"{_source}: {Child(_path, name)} (an ISO 8601 time or Unix milliseconds) is required");
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long millis))
        {
            return millis;
        }

        if (value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset time))
        {
            return time.ToUnixTimeMilliseconds();
        }

        return Wrong<long>(name, "an ISO 8601 time such as 2026-11-25T08:37:21Z, or Unix milliseconds");
    }

    private bool TryGet(string name, out JsonElement value) =>
        _element.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private T Wrong<T>(string name, string expected) => ThrowHelper.Usage<T>($"{_source}: {Child(_path, name)} must be {expected}");

    private static string Child(string path, string name) => path + "." + name;
}
