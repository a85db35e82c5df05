using System.Globalization;
using System.Text;

namespace Sieve.Commands.Policy;

/// <summary>Text forms of explain values and times, culture-invariant.</summary>
internal static class ExplainValues
{
    /// <summary>ISO 8601 UTC with milliseconds, e.g. <c>2026-11-25T08:37:21.450Z</c>.</summary>
    public static string Time(long unixMillis) => Time(DateTimeOffset.FromUnixTimeMilliseconds(unixMillis));

    /// <summary>ISO 8601 UTC with milliseconds.</summary>
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="time"/> as <see cref="Time(DateTimeOffset)"/>, or JSON null when there is none.</summary>
    public static void WriteTime(System.Text.Json.Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            json.WriteString(name, Time(t));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    /// <summary>A display value as text: <c>null</c>, numbers in shortest round-trip form, lists as <c>[a, b]</c>.</summary>
    public static string Format(object? value)
    {
        switch (value)
        {
            case null:
                return "null";
            case string s:
                return s;
            case bool b:
                return b ? "true" : "false";
            case DateTimeOffset time:
                return Time(time);
            case IFormattable number:
                return number.ToString(null, CultureInfo.InvariantCulture);
            case IReadOnlyList<object?> list:
                var text = new StringBuilder("[");
                for (int i = 0; i < list.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ").Append(Format(list[i]));
                }

                return text.Append(']').ToString();
            default:
                return value.ToString() ?? "";
        }
    }
}
