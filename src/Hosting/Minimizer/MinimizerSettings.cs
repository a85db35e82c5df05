using Microsoft.Extensions.Configuration;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Policy;

namespace Sieve.Hosting.Minimizer;

/// <summary>A configuration value that is missing or wrong. The message names the key and the fix.</summary>
public sealed class SettingsException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Everything the Minimizer service reads from configuration (appsettings.json, environment variables with
/// <c>__</c> for <c>:</c>, command line), validated at start-up.
/// </summary>
public sealed class MinimizerSettings
{
    /// <summary>Engine settings (<c>Kafka:*</c>, <c>Minimizer:*</c>, <c>Topics:*</c>).</summary>
    public required MinimizerOptions Engine { get; init; }

    /// <summary><c>Redis:Configuration</c>: a StackExchange.Redis configuration string.</summary>
    public required string RedisConfiguration { get; init; }

    /// <summary>The compiled policy (<c>Policy:Path</c>, or the shipped default).</summary>
    public required CompiledPolicy Policy { get; init; }

    /// <summary>The master keys (<c>Keys:Path</c> or <c>SIEVE_MASTER_KEYS</c>).</summary>
    public required MasterKeyRing Keys { get; init; }

    /// <summary>
    /// The consent store (<c>Redis:Configuration</c>): a subject's record expires the policy's longest purpose
    /// retention after its last change, or <c>Consent:RetentionDays</c> when that is shorter; records of minors and
    /// erased subjects never expire.
    /// </summary>
    public required RedisConsentStoreOptions ConsentStore { get; init; }

    /// <summary>Near-cache settings (<c>Consent:CacheCapacity</c>, <c>Consent:MaxStalenessMs</c>, <c>Consent:MaxEntryAgeSeconds</c>).</summary>
    public required ConsentCacheOptions Cache { get; init; }

    /// <summary><c>Consent:LoaderEnabled</c>: run the consent loader in this process (default true).</summary>
    public bool LoaderEnabled { get; init; } = true;

    /// <summary><c>Consent:LoaderGroupId</c>.</summary>
    public string LoaderGroupId { get; init; } = "sieve-consent-loader";

    /// <summary>Reads and validates <paramref name="config"/>; throws <see cref="SettingsException"/> naming the key at fault.</summary>
    public static MinimizerSettings From(IConfiguration config)
    {
        var engine = new MinimizerOptions
        {
            BootstrapServers = Required(config, "Kafka:BootstrapServers"),
            GroupId = config["Minimizer:GroupId"] ?? "sieve-minimizer",
            InstanceId = config["Minimizer:InstanceId"] ?? Environment.MachineName,
            Delivery = Enum<DeliveryMode>(config, "Minimizer:Delivery", DeliveryMode.ExactlyOnce),
            CommitOffsetsOutsideTransaction = Bool(config, "Minimizer:CommitOffsetsOutsideTransaction", true),
            BatchMaxMessages = Int(config, "Minimizer:BatchMaxMessages", 5000, 1, 1_000_000),
            BatchMaxWaitMs = Int(config, "Minimizer:BatchMaxWaitMs", 50, 1, 60_000),
            SubjectCacheCapacity = Int(config, "Minimizer:SubjectCacheCapacity", 200_000, 16, 100_000_000),
            RetryBackoffMs = Int(config, "Minimizer:RetryBackoffMs", 100, 1, 60_000),
        };
        engine.Topics.TelematicsRaw = config["Topics:TelematicsRaw"] ?? engine.Topics.TelematicsRaw;
        engine.Topics.WifiRaw = config["Topics:WifiRaw"] ?? engine.Topics.WifiRaw;
        engine.Topics.ConsentChanges = config["Topics:ConsentChanges"] ?? engine.Topics.ConsentChanges;
        engine.Topics.Quarantine = config["Topics:Quarantine"] ?? engine.Topics.Quarantine;
        engine.Topics.Audit = config["Topics:Audit"] ?? engine.Topics.Audit;
        foreach (IConfigurationSection property in config.GetSection("Kafka:Properties").GetChildren())
        {
            engine.KafkaProperties[property.Key] = property.Value ?? "";
        }

        string? policyPath = config["Policy:Path"];
        CompiledPolicy policy = string.IsNullOrWhiteSpace(policyPath) ? PolicyLoader.LoadDefault() : PolicyLoader.LoadFile(policyPath);

        MasterKeyRing keys;
        string? keysPath = config["Keys:Path"];
        string? keysEnv = Environment.GetEnvironmentVariable(MasterKeyRing.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(keysPath) || !string.IsNullOrWhiteSpace(keysEnv))
        {
            keys = MasterKeyRing.Load(string.IsNullOrWhiteSpace(keysPath) ? null : keysPath, keysEnv);
        }
        else if (Bool(config, "Keys:AllowDemoKey", false))
        {
            keys = MasterKeyRing.CreateDemo();
        }
        else
        {
            throw new SettingsException("Keys:Path: no master keys. Set Keys:Path to a keys file (make one with `sieve keys generate`), "
                + "or set " + MasterKeyRing.EnvironmentVariable + ", or Keys:AllowDemoKey=true for a demo.");
        }

        string redis = Required(config, "Redis:Configuration");
        int longestDays = (int)policy.LongestRetention.TotalDays;
        int consentDays = Int(config, "Consent:RetentionDays", longestDays, 1, longestDays);
        return new MinimizerSettings
        {
            Engine = engine,
            RedisConfiguration = redis,
            ConsentStore = new RedisConsentStoreOptions { Configuration = redis, Retention = TimeSpan.FromDays(consentDays) },
            Policy = policy,
            Keys = keys,
            Cache = new ConsentCacheOptions
            {
                Capacity = Int(config, "Consent:CacheCapacity", 1_000_000, 2, 100_000_000),
                MaxStaleness = TimeSpan.FromMilliseconds(Int(config, "Consent:MaxStalenessMs", 1000, 10, 3_600_000)),
                MaxEntryAge = TimeSpan.FromSeconds(Int(config, "Consent:MaxEntryAgeSeconds", 300, 1, 86_400)),
            },
            LoaderEnabled = Bool(config, "Consent:LoaderEnabled", true),
            LoaderGroupId = config["Consent:LoaderGroupId"] ?? "sieve-consent-loader",
        };
    }

    private static string Required(IConfiguration config, string key)
    {
        string? value = config[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new SettingsException(key + ": required. Set it in appsettings.json, as environment variable " + key.Replace(":", "__", StringComparison.Ordinal) + ", or as --" + key + "=VALUE.");
        }

        return value;
    }

    private static int Int(IConfiguration config, string key, int fallback, int min, int max)
    {
        string? raw = config[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (!int.TryParse(raw, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new SettingsException(key + ": '" + raw + "' is not a whole number from " + min + " to " + max + ".");
        }

        return value;
    }

    private static bool Bool(IConfiguration config, string key, bool fallback)
    {
        string? raw = config[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        return bool.TryParse(raw, out bool value) ? value : throw new SettingsException(key + ": '" + raw + "' is not true or false.");
    }

    private static T Enum<T>(IConfiguration config, string key, T fallback)
        where T : struct, System.Enum
    {
        string? raw = config[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        return System.Enum.TryParse(raw, ignoreCase: true, out T value) && System.Enum.IsDefined(value)
            ? value
            : throw new SettingsException(key + ": '" + raw + "' is not one of " + string.Join(", ", System.Enum.GetNames<T>()) + ".");
    }
}
