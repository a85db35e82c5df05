using System.Globalization;

namespace Sieve.Hosting.Configuration;

/// <summary>The wording of setting problems, shared by the binder and the validators. None repeats a value.</summary>
internal static class SettingsProblems
{
    /// <summary>A <c>Key: problem</c> failure line.</summary>
    public static string Failure(string key, string problem) => key + ": " + problem;

    /// <summary>A required setting is missing or blank.</summary>
    public static string Required(string key) =>
        "required. Set it in appsettings.json, as environment variable " + key.Replace(":", "__", StringComparison.Ordinal)
        + ", or as --" + key + "=VALUE.";

    /// <summary>A whole number was expected.</summary>
    public static string WholeNumber(long min, long max) =>
        "must be a whole number from " + min.ToString(CultureInfo.InvariantCulture) + " to " + max.ToString(CultureInfo.InvariantCulture) + ".";

    /// <summary>A whole number without declared bounds was expected.</summary>
    public const string AnyWholeNumber = "must be a whole number.";

    /// <summary>A flag was expected.</summary>
    public const string TrueOrFalse = "must be true or false.";

    /// <summary>One of the names of <paramref name="type"/> was expected.</summary>
    public static string OneOf(Type type) => "must be one of " + string.Join(", ", Enum.GetNames(type)) + ".";
}
