using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Policy;
using Sieve.Core.Registry;
using Sieve.Hosting.Configuration;

namespace Sieve.Hosting.Minimizer;

/// <summary>The engine's settings as configured (section <c>Minimizer</c>).</summary>
public sealed class MinimizerServiceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Minimizer";

    /// <summary><c>Minimizer:GroupId</c>.</summary>
    public string GroupId { get; set; } = "sieve-minimizer";

    /// <summary><c>Minimizer:InstanceId</c> (default: the machine name).</summary>
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary><c>Minimizer:Delivery</c>.</summary>
    public DeliveryMode Delivery { get; set; } = DeliveryMode.ExactlyOnce;

    /// <summary><c>Minimizer:CommitOffsetsOutsideTransaction</c>.</summary>
    public bool CommitOffsetsOutsideTransaction { get; set; } = true;

    /// <summary><c>Minimizer:BatchMaxMessages</c>.</summary>
    [Range(1, 1_000_000)]
    public int BatchMaxMessages { get; set; } = 5000;

    /// <summary><c>Minimizer:BatchMaxWaitMs</c>.</summary>
    [Range(1, 60_000)]
    public int BatchMaxWaitMs { get; set; } = 50;

    /// <summary><c>Minimizer:BatchPolicy</c>: <c>Adaptive</c> (default) or <c>Linger</c>.</summary>
    [EnumDataType(typeof(BatchPolicy))]
    public BatchPolicy BatchPolicy { get; set; } = BatchPolicy.Adaptive;

    /// <summary><c>Minimizer:SubjectCacheCapacity</c>.</summary>
    [Range(16, 100_000_000)]
    public int SubjectCacheCapacity { get; set; } = 200_000;

    /// <summary><c>Minimizer:RetryBackoffMs</c>.</summary>
    [Range(1, 60_000)]
    public int RetryBackoffMs { get; set; } = 100;

    /// <summary>
    /// <c>Minimizer:KafkaStallLimitSeconds</c>: how long a transactional Kafka call may block before the service stops
    /// to be restarted (<see cref="StallWatchdog"/>); more than the calls' own 30-second timeout.
    /// </summary>
    [Range(35, 3600)]
    public int KafkaStallLimitSeconds { get; set; } = 120;

    /// <summary>
    /// <c>Minimizer:WriterSchemasPath</c>: a folder of raw-event writer schemas (<c>.avsc</c>) of producers newer than
    /// this release, read besides the shipped history; with a schema registry, writers are fetched by id instead.
    /// </summary>
    public string? WriterSchemasPath { get; set; }
}

/// <summary>Consent store, near-cache and loader settings as configured (section <c>Consent</c>).</summary>
public sealed class ConsentOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Consent";

    /// <summary><c>Consent:RetentionDays</c>: from 1 to the policy's longest purpose retention (the default).</summary>
    public int? RetentionDays { get; set; }

    /// <summary><c>Consent:CacheCapacity</c>.</summary>
    [Range(2, 100_000_000)]
    public int CacheCapacity { get; set; } = 1_000_000;

    /// <summary><c>Consent:MaxStalenessMs</c>.</summary>
    [Range(10, 3_600_000)]
    public int MaxStalenessMs { get; set; } = 1000;

    /// <summary><c>Consent:MaxEntryAgeSeconds</c>.</summary>
    [Range(1, 86_400)]
    public int MaxEntryAgeSeconds { get; set; } = 300;

    /// <summary><c>Consent:LoaderEnabled</c>.</summary>
    public bool LoaderEnabled { get; set; } = true;

    /// <summary><c>Consent:LoaderGroupId</c>.</summary>
    public string LoaderGroupId { get; set; } = "sieve-consent-loader";
}

/// <summary><c>Consent:RetentionDays</c> may only shorten the policy's longest retention.</summary>
internal sealed class ConsentOptionsValidator(PolicyProvider policy) : IValidateOptions<ConsentOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ConsentOptions options)
    {
        int longest = (int)policy.Policy.LongestRetention.TotalDays;
        return options.RetentionDays is { } days && (days < 1 || days > longest)
            ? ValidateOptionsResult.Fail(SettingsProblems.Failure("Consent:RetentionDays", SettingsProblems.WholeNumber(1, longest)))
            : ValidateOptionsResult.Success;
    }
}

/// <summary>
/// Everything the Minimizer service runs on, made from its validated settings (appsettings.json, environment
/// variables with <c>__</c> for <c>:</c>, command line).
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

    /// <summary>Raw-event writer schemas from <c>Minimizer:WriterSchemasPath</c>, read besides the shipped history.</summary>
    public IReadOnlyList<Sieve.Contracts.Schemas.SchemaInfo> WriterSchemas { get; init; } = [];

    /// <summary><c>Recall:KeyPath</c>: the recall key that seals VINs to the policy's escrow; null when the policy keeps none.</summary>
    public Core.Recall.RecallKey? RecallKey { get; init; }

    /// <summary><c>SchemaRegistry:*</c>: with a URL, outputs are written in Confluent framing and Confluent-framed inputs are read.</summary>
    public SchemaRegistryOptions SchemaRegistry { get; init; } = new();

    /// <summary>Registers the service's settings (validated on start) and the <see cref="MinimizerSettings"/> made of them.</summary>
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<KafkaOptions>(configuration, KafkaOptions.Section);
        services.AddSettings<SchemaRegistryOptions>(configuration, SchemaRegistryOptions.Section)
            .Validate(SchemaRegistrySettings.IsValid, SchemaRegistrySettings.UrlFailure);
        services.AddSettings<TopicsOptions>(configuration, TopicsOptions.Section);
        services.AddSettings<MinimizerServiceOptions>(configuration, MinimizerServiceOptions.Section);
        services.AddSettings<ConsentOptions>(configuration, ConsentOptions.Section);
        services.AddSettingsValidator<ConsentOptions, ConsentOptionsValidator>();
        services.AddSettings<RedisOptions>(configuration, RedisOptions.Section).Validate(o => o.IsSet, RedisOptions.RequiredFailure);
        services.AddSettings<PolicyOptions>(configuration, PolicyOptions.Section);
        services.AddSettings<RecallOptions>(configuration, RecallOptions.Section);
        services.AddSettings<KeysOptions>(configuration, KeysOptions.Section).Validate(KeyRingProvider.HasKeys, KeyRingProvider.MissingFailure("no master keys"));
        services.AddSingleton<PolicyProvider>();
        services.AddSingleton<KeyRingProvider>();
        services.AddSingleton(Create);
    }

    /// <summary>Reads and validates <paramref name="config"/> as the service does.</summary>
    /// <exception cref="SettingsException">A setting is missing or wrong; the message names the key, never the value.</exception>
    /// <exception cref="PolicyValidationException">The policy is invalid.</exception>
    /// <exception cref="KeyRingException">The master keys cannot be read.</exception>
    public static MinimizerSettings From(IConfiguration config) => SettingsValidation.Resolve<MinimizerSettings>(config, Register);

    private static MinimizerSettings Create(IServiceProvider services)
    {
        KafkaOptions kafka = services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        TopicsOptions topics = services.GetRequiredService<IOptions<TopicsOptions>>().Value;
        MinimizerServiceOptions minimizer = services.GetRequiredService<IOptions<MinimizerServiceOptions>>().Value;
        ConsentOptions consent = services.GetRequiredService<IOptions<ConsentOptions>>().Value;
        string redis = services.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration!;
        CompiledPolicy policy = services.GetRequiredService<PolicyProvider>().Policy;
        MasterKeyRing keys = services.GetRequiredService<KeyRingProvider>().Get("no master keys");

        var engine = new MinimizerOptions
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = minimizer.GroupId,
            InstanceId = minimizer.InstanceId,
            Delivery = minimizer.Delivery,
            CommitOffsetsOutsideTransaction = minimizer.CommitOffsetsOutsideTransaction,
            BatchMaxMessages = minimizer.BatchMaxMessages,
            BatchMaxWaitMs = minimizer.BatchMaxWaitMs,
            BatchPolicy = minimizer.BatchPolicy,
            SubjectCacheCapacity = minimizer.SubjectCacheCapacity,
            RetryBackoffMs = minimizer.RetryBackoffMs,
            KafkaStallLimitSeconds = minimizer.KafkaStallLimitSeconds,
        };
        engine.Topics.TelematicsRaw = topics.TelematicsRaw;
        engine.Topics.WifiRaw = topics.WifiRaw;
        engine.Topics.ConsentChanges = topics.ConsentChanges;
        engine.Topics.Quarantine = topics.Quarantine;
        engine.Topics.Audit = topics.Audit;
        foreach (KeyValuePair<string, string> property in kafka.Properties)
        {
            engine.KafkaProperties[property.Key] = property.Value;
        }

        int consentDays = consent.RetentionDays ?? (int)policy.LongestRetention.TotalDays;
        string? escrowPurpose = null;
        foreach (PurposePlan plan in policy.Purposes)
        {
            escrowPurpose ??= plan.EscrowTopic is null ? null : plan.Name;
        }

        return new MinimizerSettings
        {
            RecallKey = services.GetRequiredService<IOptions<RecallOptions>>().Value.Load(escrowPurpose),
            SchemaRegistry = services.GetRequiredService<IOptions<SchemaRegistryOptions>>().Value,
            WriterSchemas = WriterSchemaFolder.Load(minimizer.WriterSchemasPath),
            Engine = engine,
            RedisConfiguration = redis,
            ConsentStore = new RedisConsentStoreOptions { Configuration = redis, Retention = TimeSpan.FromDays(consentDays), ConsentTopic = topics.ConsentChanges },
            Policy = policy,
            Keys = keys,
            Cache = new ConsentCacheOptions
            {
                Capacity = consent.CacheCapacity,
                MaxStaleness = TimeSpan.FromMilliseconds(consent.MaxStalenessMs),
                MaxEntryAge = TimeSpan.FromSeconds(consent.MaxEntryAgeSeconds),
            },
            LoaderEnabled = consent.LoaderEnabled,
            LoaderGroupId = consent.LoaderGroupId,
        };
    }
}
