namespace Sieve.Hosting.Configuration;

/// <summary>The consent store's Redis (section <c>Redis</c>).</summary>
public sealed class RedisOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Redis";

    /// <summary>The key of <see cref="Configuration"/>.</summary>
    public const string ConfigurationKey = "Redis:Configuration";

    /// <summary><c>Redis:Configuration</c>: a StackExchange.Redis configuration string.</summary>
    public string? Configuration { get; set; }

    /// <summary>True when <see cref="Configuration"/> is set.</summary>
    public bool IsSet => !string.IsNullOrWhiteSpace(Configuration);

    /// <summary>The failure line for a missing <see cref="Configuration"/>.</summary>
    public static string RequiredFailure => SettingsProblems.Failure(ConfigurationKey, SettingsProblems.Required(ConfigurationKey));
}
