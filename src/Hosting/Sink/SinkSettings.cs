using System.Globalization;
using Microsoft.Extensions.Configuration;
using Sieve.Contracts;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Policy;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Landing;
using Sieve.Core.Retention;

namespace Sieve.Hosting.Sink;

/// <summary>
/// Everything the Sink service reads from configuration (appsettings.json, environment variables with <c>__</c>
/// for <c>:</c>, command line), validated at start-up.
/// </summary>
public sealed class SinkSettings
{
    /// <summary>Engine settings (<c>Kafka:*</c>, <c>Sink:*</c>, <c>Topics:Quarantine</c>).</summary>
    public required SinkOptions Engine { get; init; }

    /// <summary>The lake tables: one per policy purpose, fed by the policy's topics (<c>Sink:Topics:&lt;purpose&gt;</c> overrides one).</summary>
    public required IReadOnlyList<LakeTable> Tables { get; init; }

    /// <summary>The compiled policy (<c>Policy:Path</c>, or the shipped default).</summary>
    public required CompiledPolicy Policy { get; init; }

    /// <summary>Retention per purpose: the policy's, shortened for the lake by <c>Sink:Retention:&lt;purpose&gt;</c>.</summary>
    public required RetentionPolicy Retention { get; init; }

    /// <summary><c>Sink:RetentionSweepMinutes</c>: how often partitions past retention are deleted (default 60).</summary>
    public TimeSpan RetentionSweepInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary><c>Sink:ErasureEnabled</c>: run the erasure worker in this process (default true). Needs keys and Redis.</summary>
    public bool ErasureEnabled { get; init; } = true;

    /// <summary>Erasure worker settings (<c>Sink:ErasureGroupId</c>, <c>Topics:Erasure*</c>, <c>Topics:ConsentChanges</c>).</summary>
    public required ErasureOptions Erasure { get; init; }

    /// <summary><c>Redis:Configuration</c>.</summary>
    public required string RedisConfiguration { get; init; }

    /// <summary>The master keys (<c>Keys:Path</c> or <c>SIEVE_MASTER_KEYS</c>, or the demo key when <c>Keys:AllowDemoKey</c>); null when erasure is off and none are configured.</summary>
    public MasterKeyRing? Keys { get; init; }

    /// <summary>Reads and validates <paramref name="config"/>; throws <see cref="SinkSettingsException"/> naming the key at fault.</summary>
    public static SinkSettings From(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var engine = new SinkOptions
        {
            BootstrapServers = Required(config, "Kafka:BootstrapServers"),
            GroupId = config["Sink:GroupId"] ?? "sieve-sink",
            InstanceId = config["Sink:InstanceId"] ?? Environment.MachineName,
            Root = string.IsNullOrWhiteSpace(config["Sink:Root"]) ? "./lake" : config["Sink:Root"]!,
            RollRows = Int(config, "Sink:RollRows", 50_000, 1, 10_000_000),
            RollBytes = Int(config, "Sink:RollBytes", 128 * 1024 * 1024, 1024, int.MaxValue),
            RollInterval = TimeSpan.FromSeconds(Int(config, "Sink:RollSeconds", 60, 1, 86_400)),
            RetryBackoff = TimeSpan.FromMilliseconds(Int(config, "Sink:RetryBackoffMs", 200, 1, 60_000)),
            QuarantineTopic = config["Topics:Quarantine"] ?? Topics.Quarantine,
        };
        foreach (IConfigurationSection property in config.GetSection("Kafka:Properties").GetChildren())
        {
            engine.KafkaProperties[property.Key] = property.Value ?? "";
        }

        CompiledPolicy policy;
        try
        {
            string? policyPath = config["Policy:Path"];
            policy = string.IsNullOrWhiteSpace(policyPath) ? PolicyLoader.LoadDefault() : PolicyLoader.LoadFile(policyPath);
        }
        catch (PolicyValidationException e)
        {
            throw new SinkSettingsException("Policy:Path: " + e.Message);
        }

        // The policy declares each purpose's retention; Sink:Retention:<purpose> may only shorten it for the lake.
        var retentionDays = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (IConfigurationSection purpose in config.GetSection("Sink:Retention").GetChildren())
        {
            if (string.IsNullOrWhiteSpace(purpose.Value))
            {
                continue;
            }

            string key = "Sink:Retention:" + purpose.Key;
            int days = Int(config, key, 1, 1, PolicyRetention.MaxDays);
            if (RetentionPolicy.Check(policy, purpose.Key, days) is { } problem)
            {
                throw new SinkSettingsException(key + ": '" + purpose.Value + "' " + problem + ".");
            }

            retentionDays[purpose.Key] = days;
        }

        var retention = new RetentionPolicy(policy, retentionDays);
        var topics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (IConfigurationSection topic in config.GetSection("Sink:Topics").GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(topic.Value))
            {
                topics[topic.Key] = topic.Value;
            }
        }

        bool erasureEnabled = Bool(config, "Sink:ErasureEnabled", true);
        MasterKeyRing? keys = LoadKeys(config, required: erasureEnabled);
        var erasure = new ErasureOptions
        {
            BootstrapServers = engine.BootstrapServers,
            GroupId = config["Sink:ErasureGroupId"] ?? "sieve-sink-erasure",
            InstanceId = engine.InstanceId,
            RequestsTopic = config["Topics:ErasureRequests"] ?? Topics.ErasureRequests,
            NoticesTopic = config["Topics:ErasureNotices"] ?? Topics.ErasureNotices,
            ReceiptsTopic = config["Topics:ErasureReceipts"] ?? Topics.ErasureReceipts,
            ConsentChangesTopic = config["Topics:ConsentChanges"] ?? Topics.ConsentChanges,
            QuarantineTopic = engine.QuarantineTopic,
            WatchMinors = Bool(config, "Sink:EraseMinors", true),
        };
        foreach (KeyValuePair<string, string> pair in engine.KafkaProperties)
        {
            erasure.KafkaProperties[pair.Key] = pair.Value;
        }

        return new SinkSettings
        {
            Engine = engine,
            Tables = LakeTable.FromPolicy(policy, retention, topics),
            Policy = policy,
            Retention = retention,
            RetentionSweepInterval = TimeSpan.FromMinutes(Int(config, "Sink:RetentionSweepMinutes", 60, 1, 10_080)),
            ErasureEnabled = erasureEnabled,
            Erasure = erasure,
            RedisConfiguration = erasureEnabled ? Required(config, "Redis:Configuration") : config["Redis:Configuration"] ?? "",
            Keys = keys,
        };
    }

    private static MasterKeyRing? LoadKeys(IConfiguration config, bool required)
    {
        string? keysPath = config["Keys:Path"];
        string? keysEnv = Environment.GetEnvironmentVariable(MasterKeyRing.EnvironmentVariable);
        try
        {
            if (!string.IsNullOrWhiteSpace(keysPath) || !string.IsNullOrWhiteSpace(keysEnv))
            {
                return MasterKeyRing.Load(string.IsNullOrWhiteSpace(keysPath) ? null : keysPath, keysEnv);
            }
        }
        catch (KeyRingException e)
        {
            throw new SinkSettingsException("Keys:Path: " + e.Message);
        }

        if (Bool(config, "Keys:AllowDemoKey", false))
        {
            return MasterKeyRing.CreateDemo();
        }

        if (required)
        {
            throw new SinkSettingsException("Keys:Path: erasure needs the master keys to derive pseudonyms. Set Keys:Path to a keys file, or set "
                + MasterKeyRing.EnvironmentVariable + ", or Keys:AllowDemoKey=true for a demo, or Sink:ErasureEnabled=false.");
        }

        return null;
    }

    private static string Required(IConfiguration config, string key)
    {
        string? value = config[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new SinkSettingsException(key + ": required. Set it in appsettings.json, as environment variable "
                + key.Replace(":", "__", StringComparison.Ordinal) + ", or as --" + key + "=VALUE.");
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

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
        {
            throw new SinkSettingsException(key + ": '" + raw + "' is not a whole number from " + min + " to " + max + ".");
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

        return bool.TryParse(raw, out bool value) ? value : throw new SinkSettingsException(key + ": '" + raw + "' is not true or false.");
    }
}
