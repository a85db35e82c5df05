using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Sieve.Core.Configuration;

/// <summary>
/// Reads typed values from configuration and throws <see cref="SettingsException"/> naming the key when one is
/// missing or malformed. Messages never repeat the value: some keys hold secrets and tokens.
/// </summary>
internal static class ConfigValues
{
    /// <summary>The value of <paramref name="key"/>; throws when it is missing or blank.</summary>
    public static string Required(IConfiguration config, string key)
    {
        string? value = config[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            ThrowHelper.ThrowSettings(key + ": required. Set it in appsettings.json, as environment variable "
                + key.Replace(":", "__", StringComparison.Ordinal) + ", or as --" + key + "=VALUE.");
        }

        return value;
    }

    /// <summary>The value of <paramref name="key"/>, or null when it is missing or blank.</summary>
    public static string? Optional(IConfiguration config, string key)
    {
        string? value = config[key];
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; <paramref name="fallback"/> when missing.</summary>
    public static int Int(IConfiguration config, string key, int fallback, int min, int max)
    {
        string? raw = config[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            ThrowHelper.ThrowSettings(key + ": must be a whole number from "
                + min.ToString(CultureInfo.InvariantCulture) + " to " + max.ToString(CultureInfo.InvariantCulture) + ".");
        }

        return value;
    }

    /// <summary>Throws a <see cref="SettingsException"/> for <paramref name="key"/> with <paramref name="problem"/>.</summary>
    [DoesNotReturn]
    public static void Fail(string key, string problem) => ThrowHelper.ThrowSettings(key + ": " + problem);
}
