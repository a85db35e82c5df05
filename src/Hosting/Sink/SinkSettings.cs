using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Erasure;
using Sieve.Core.Lake;
using Sieve.Core.Landing;
using Sieve.Core.Policy;
using Sieve.Core.Retention;
using Sieve.Core.Registry;
using Sieve.Hosting.Configuration;

namespace Sieve.Hosting.Sink;

/// <summary>The sink's settings as configured (section <c>Sink</c>).</summary>
public sealed class SinkServiceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Sink";

    /// <summary><c>Sink:GroupId</c>.</summary>
    public string GroupId { get; set; } = "sieve-sink";

    /// <summary><c>Sink:InstanceId</c> (default: the machine name).</summary>
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary><c>Sink:Root</c>: the lake's directory (default <c>./lake</c>).</summary>
    public string? Root { get; set; }

    /// <summary><c>Sink:RollRows</c>.</summary>
    [Range(1, 10_000_000)]
    public int RollRows { get; set; } = 50_000;

    /// <summary><c>Sink:RollBytes</c>.</summary>
    [Range(1024, int.MaxValue)]
    public int RollBytes { get; set; } = 128 * 1024 * 1024;

    /// <summary><c>Sink:RollSeconds</c>.</summary>
    [Range(1, 86_400)]
    public int RollSeconds { get; set; } = 60;

    /// <summary><c>Sink:RetryBackoffMs</c>.</summary>
    [Range(1, 60_000)]
    public int RetryBackoffMs { get; set; } = 200;

    /// <summary><c>Sink:RetentionSweepMinutes</c>.</summary>
    [Range(1, 10_080)]
    public int RetentionSweepMinutes { get; set; } = 60;

    /// <summary><c>Sink:Retention:&lt;purpose&gt;</c>: days, shortening the policy's retention for the lake.</summary>
    public Dictionary<string, string> Retention { get; } = new(StringComparer.Ordinal);

    /// <summary><c>Sink:Topics:&lt;purpose&gt;</c>: the topic a purpose's table is fed from.</summary>
    public Dictionary<string, string> Topics { get; } = new(StringComparer.Ordinal);

    /// <summary><c>Sink:ErasureEnabled</c>.</summary>
    public bool ErasureEnabled { get; set; } = true;

    /// <summary><c>Sink:ErasureGroupId</c>.</summary>
    public string ErasureGroupId { get; set; } = "sieve-sink-erasure";

    /// <summary><c>Sink:EraseMinors</c>.</summary>
    public bool EraseMinors { get; set; } = true;
}

/// <summary>
/// Checks what the sink's settings need of the others: retention overrides only shorten the policy's, and erasure
/// has Redis and the master keys.
/// </summary>
internal sealed class SinkOptionsValidator(PolicyProvider policy, IOptions<RedisOptions> redis, IOptions<KeysOptions> keys) : IValidateOptions<SinkServiceOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, SinkServiceOptions options)
    {
        var failures = new List<string>();
        foreach (KeyValuePair<string, string> purpose in SinkSettings.SetRetentions(options))
        {
            string key = "Sink:Retention:" + purpose.Key;
            if (!int.TryParse(purpose.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int days) || days < 1 || days > PolicyRetention.MaxDays)
            {
                failures.Add(SettingsProblems.Failure(key, SettingsProblems.WholeNumber(1, PolicyRetention.MaxDays)));
            }
            else if (RetentionPolicy.Check(policy.Policy, purpose.Key, days) is { } problem)
            {
                failures.Add(SettingsProblems.Failure(key, problem + "."));
            }
        }

        if (options.ErasureEnabled && !KeyRingProvider.HasKeys(keys.Value))
        {
            failures.Add(KeyRingProvider.MissingFailure("erasure needs the master keys to derive pseudonyms", "Sink:ErasureEnabled=false"));
        }

        if (options.ErasureEnabled && !redis.Value.IsSet)
        {
            failures.Add(RedisOptions.RequiredFailure);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Everything the Sink service runs on, made from its validated settings (appsettings.json, environment variables
/// with <c>__</c> for <c>:</c>, command line).
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

    /// <summary><c>SchemaRegistry:*</c>: with a URL, outputs are written in Confluent framing and Confluent-framed inputs are read.</summary>
    public SchemaRegistryOptions SchemaRegistry { get; init; } = new();

    /// <summary>Registers the service's settings (validated on start) and the <see cref="SinkSettings"/> made of them.</summary>
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<KafkaOptions>(configuration, KafkaOptions.Section);
        services.AddSettings<SchemaRegistryOptions>(configuration, SchemaRegistryOptions.Section)
            .Validate(SchemaRegistrySettings.IsValid, SchemaRegistrySettings.UrlFailure);
        services.AddSettings<TopicsOptions>(configuration, TopicsOptions.Section);
        services.AddSettings<SinkServiceOptions>(configuration, SinkServiceOptions.Section);
        services.AddSettingsValidator<SinkServiceOptions, SinkOptionsValidator>();
        services.AddSettings<RedisOptions>(configuration, RedisOptions.Section);
        services.AddSettings<PolicyOptions>(configuration, PolicyOptions.Section);
        services.AddSettings<KeysOptions>(configuration, KeysOptions.Section);
        services.AddSingleton<PolicyProvider>();
        services.AddSingleton<KeyRingProvider>();
        services.AddSingleton(Create);
    }

    /// <summary>Reads and validates <paramref name="config"/> as the service does.</summary>
    /// <exception cref="SettingsException">A setting is missing or wrong; the message names the key, never the value.</exception>
    /// <exception cref="PolicyValidationException">The policy is invalid.</exception>
    /// <exception cref="KeyRingException">The master keys cannot be read.</exception>
    public static SinkSettings From(IConfiguration config) => SettingsValidation.Resolve<SinkSettings>(config, Register);

    /// <summary>The retention overrides that are set (blank ones count as unset).</summary>
    internal static IEnumerable<KeyValuePair<string, string>> SetRetentions(SinkServiceOptions options) =>
        options.Retention.Where(p => !string.IsNullOrWhiteSpace(p.Value));

    private static SinkSettings Create(IServiceProvider services)
    {
        KafkaOptions kafka = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        TopicsOptions topics = services.GetRequiredService<IOptions<TopicsOptions>>().Value;
        SinkServiceOptions sink = services.GetRequiredService<IOptions<SinkServiceOptions>>().Value;
        RedisOptions redis = services.GetRequiredService<IOptions<RedisOptions>>().Value;
        CompiledPolicy policy = services.GetRequiredService<PolicyProvider>().Policy;
        KeyRingProvider keys = services.GetRequiredService<KeyRingProvider>();

        var engine = new SinkOptions
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = sink.GroupId,
            InstanceId = sink.InstanceId,
            Root = string.IsNullOrWhiteSpace(sink.Root) ? "./lake" : sink.Root,
            RollRows = sink.RollRows,
            RollBytes = sink.RollBytes,
            RollInterval = TimeSpan.FromSeconds(sink.RollSeconds),
            RetryBackoff = TimeSpan.FromMilliseconds(sink.RetryBackoffMs),
            QuarantineTopic = topics.Quarantine,
        };
        foreach (KeyValuePair<string, string> property in kafka.Properties)
        {
            engine.KafkaProperties[property.Key] = property.Value;
        }

        var retentionDays = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> purpose in SetRetentions(sink))
        {
            retentionDays[purpose.Key] = int.Parse(purpose.Value, NumberStyles.Integer, CultureInfo.InvariantCulture);
        }

        var retention = new RetentionPolicy(policy, retentionDays);
        var tableTopics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> topic in sink.Topics)
        {
            if (!string.IsNullOrWhiteSpace(topic.Value))
            {
                tableTopics[topic.Key] = topic.Value;
            }
        }

        var erasure = new ErasureOptions
        {
            BootstrapServers = engine.BootstrapServers,
            GroupId = sink.ErasureGroupId,
            InstanceId = engine.InstanceId,
            RequestsTopic = topics.ErasureRequests,
            NoticesTopic = topics.ErasureNotices,
            ReceiptsTopic = topics.ErasureReceipts,
            ConsentChangesTopic = topics.ConsentChanges,
            QuarantineTopic = engine.QuarantineTopic,
            WatchMinors = sink.EraseMinors,
        };
        foreach (KeyValuePair<string, string> pair in engine.KafkaProperties)
        {
            erasure.KafkaProperties[pair.Key] = pair.Value;
        }

        return new SinkSettings
        {
            SchemaRegistry = services.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value,
            Engine = engine,
            Tables = LakeTable.FromPolicy(policy, retention, tableTopics),
            Policy = policy,
            Retention = retention,
            RetentionSweepInterval = TimeSpan.FromMinutes(sink.RetentionSweepMinutes),
            ErasureEnabled = sink.ErasureEnabled,
            Erasure = erasure,
            RedisConfiguration = redis.Configuration ?? "",
            Keys = sink.ErasureEnabled ? keys.Get("erasure needs the master keys to derive pseudonyms") : keys.TryGet(),
        };
    }
}
