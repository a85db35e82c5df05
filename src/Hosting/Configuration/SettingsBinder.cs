using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Sieve.Hosting.Configuration;

/// <summary>
/// Binds a configuration section onto an options object the way the framework's binder does (a property per key,
/// a nested object per sub-section, a dictionary entry per child), with two differences the services rely on: a
/// value that does not convert is reported as <c>Key: problem</c> without repeating the value, and a blank number,
/// flag or choice leaves the property's default.
/// </summary>
internal static class SettingsBinder
{
    /// <summary>Binds <paramref name="section"/> (at <paramref name="path"/>) onto <paramref name="target"/>; adds a failure per value that does not convert.</summary>
    public static void Bind(IConfiguration section, string path, object target, List<string> failures)
    {
        foreach (PropertyInfo property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            string key = path + ":" + property.Name;
            Type type = property.PropertyType;
            if (IsScalar(type))
            {
                if (property.SetMethod is { IsPublic: true } && section[property.Name] is { } raw
                    && TryConvert(raw, type, property, key, failures, out object? value))
                {
                    property.SetValue(target, value);
                }

                continue;
            }

            object? current = property.GetValue(target);
            if (current is null)
            {
                if (property.SetMethod is not { IsPublic: true })
                {
                    continue;
                }

                current = Activator.CreateInstance(type)!;
                property.SetValue(target, current);
            }

            if (current is Dictionary<string, string> strings)
            {
                foreach (IConfigurationSection child in section.GetSection(property.Name).GetChildren())
                {
                    strings[child.Key] = child.Value ?? "";
                }
            }
            else if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                BindDictionary(section.GetSection(property.Name), key, current, type.GetGenericArguments()[1], failures);
            }
            else
            {
                Bind(section.GetSection(property.Name), key, current, failures);
            }
        }
    }

    private static void BindDictionary(IConfigurationSection section, string path, object dictionary, Type valueType, List<string> failures)
    {
        MethodInfo setter = dictionary.GetType().GetProperty("Item")!.SetMethod!;
        foreach (IConfigurationSection child in section.GetChildren())
        {
            object value = Activator.CreateInstance(valueType)!;
            Bind(child, path + ":" + child.Key, value, failures);
            setter.Invoke(dictionary, [child.Key, value]);
        }
    }

    private static bool IsScalar(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t == typeof(int) || t == typeof(long) || t == typeof(bool) || t.IsEnum;
    }

    private static bool TryConvert(string raw, Type type, PropertyInfo property, string key, List<string> failures, out object? value)
    {
        value = null;
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(string))
        {
            value = raw;
            return true;
        }

        if (string.IsNullOrWhiteSpace(raw))
        {
            // Blank: the default stands, as if the key were not set.
            return false;
        }

        if (t == typeof(int) || t == typeof(long))
        {
            if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out long number)
                && (t == typeof(long) || number is >= int.MinValue and <= int.MaxValue))
            {
                value = t == typeof(int) ? (object)(int)number : number;
                return true;
            }

            failures.Add(SettingsProblems.Failure(key, property.GetCustomAttribute<RangeAttribute>() is { } range
                ? SettingsProblems.WholeNumber(Convert.ToInt64(range.Minimum, CultureInfo.InvariantCulture), Convert.ToInt64(range.Maximum, CultureInfo.InvariantCulture))
                : SettingsProblems.AnyWholeNumber));
            return false;
        }

        if (t == typeof(bool))
        {
            if (bool.TryParse(raw, out bool flag))
            {
                value = flag;
                return true;
            }

            failures.Add(SettingsProblems.Failure(key, SettingsProblems.TrueOrFalse));
            return false;
        }

        if (Enum.TryParse(t, raw, ignoreCase: true, out object? choice) && Enum.IsDefined(t, choice))
        {
            value = choice;
            return true;
        }

        failures.Add(SettingsProblems.Failure(key, SettingsProblems.OneOf(t)));
        return false;
    }
}
