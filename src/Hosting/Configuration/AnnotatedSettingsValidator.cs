using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Sieve.Hosting.Configuration;

/// <summary>
/// Checks the data annotations of a bound options object and of the objects it holds: <see cref="RangeAttribute"/>
/// on whole numbers and <see cref="RequiredAttribute"/> on strings (not blank). Failures read <c>Key: problem</c>.
/// </summary>
/// <param name="path">The configuration section the options are bound from.</param>
internal sealed class AnnotatedSettingsValidator<TOptions>(string path) : IValidateOptions<TOptions>
    where TOptions : class
{
    /// <summary>The configuration section the options are bound from (e.g. <c>Ingest:Teltonika</c>).</summary>
    public string Section => path;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<string>();
        Check(options, path, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(object target, string path, List<string> failures)
    {
        foreach (PropertyInfo property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0 || property.GetMethod is null)
            {
                continue;
            }

            string key = path + ":" + property.Name;
            object? value = property.GetValue(target);
            bool required = property.GetCustomAttribute<RequiredAttribute>() is not null;
            if (required && (value is null || value is string text && string.IsNullOrWhiteSpace(text)))
            {
                failures.Add(SettingsProblems.Failure(key, SettingsProblems.Required(key)));
            }
            else if (property.GetCustomAttribute<RangeAttribute>() is { } range && value is int or long)
            {
                long number = Convert.ToInt64(value, CultureInfo.InvariantCulture);
                long min = Convert.ToInt64(range.Minimum, CultureInfo.InvariantCulture);
                long max = Convert.ToInt64(range.Maximum, CultureInfo.InvariantCulture);
                if (number < min || number > max)
                {
                    failures.Add(SettingsProblems.Failure(key, SettingsProblems.WholeNumber(min, max)));
                }
            }
            else if (value is System.Collections.IDictionary dictionary && property.PropertyType.IsGenericType
                && property.PropertyType.GetGenericArguments()[1] != typeof(string))
            {
                foreach (System.Collections.DictionaryEntry entry in dictionary)
                {
                    if (entry.Value is not null)
                    {
                        Check(entry.Value, key + ":" + entry.Key, failures);
                    }
                }
            }
            else if (value is not null and not string and not System.Collections.IEnumerable && !property.PropertyType.IsValueType)
            {
                Check(value, key, failures);
            }
        }
    }
}
