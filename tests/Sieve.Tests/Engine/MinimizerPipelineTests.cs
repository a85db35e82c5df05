using Microsoft.Extensions.Configuration;
using Sieve.Commands.Bench;
using Sieve.Commands.Demo;
using Sieve.Contracts.Pseudonymization;
using Sieve.Core.Consent;
using Sieve.Core.Engine;
using Sieve.Core.Policy;
using Sieve.Hosting.Minimizer;
using Sieve.Testing;
using Sieve.Testing.EndToEnd;
using Sieve.Testing.Logging;

namespace Sieve.Tests.Engine;

/// <summary>
/// Every minimizer (the service, <c>sieve demo</c>, <c>sieve bench</c>, <c>sieve privacy</c> and the tests' in-process minimizer) is built
/// by <see cref="MinimizerPipelineBuilder"/> with the production-owned settings; only the overrides named here differ.
/// </summary>
public sealed class MinimizerPipelineTests
{
    private static readonly CompiledPolicy Policy = PolicyLoader.LoadDefault();
    private static readonly PseudonymKeyFactory Keys = new(MasterKeyRing.CreateDemo());

    private static MinimizerSettings ServiceSettings(Dictionary<string, string?> values, bool shippedAppSettings = false)
    {
        var config = new ConfigurationBuilder();
        if (shippedAppSettings)
        {
            config.AddJsonFile(Path.Combine(RepoPaths.Root, "src", "Minimizer", "appsettings.json"), optional: false);
        }

        values["Keys:AllowDemoKey"] = "true";
        values.TryAdd("Recall:KeyPath", Sieve.Testing.Recall.TestRecallKey.Path);
        values.TryAdd("Kafka:BootstrapServers", "127.0.0.1:9092");
        values.TryAdd("Redis:Configuration", "127.0.0.1:6379");
        return MinimizerSettings.From(config.AddInMemoryCollection(values).Build());
    }

    private static MinimizerPipelineBuilder Service(MinimizerSettings settings) =>
        MinimizerServicePipeline.Builder(settings, new InMemoryConsentStore(), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance, metrics: null);

    private static MinimizerPipelineBuilder Demo() => DemoCommand.Pipeline("127.0.0.1:9092", Policy, new InMemoryConsentStore(), Keys);

    private static MinimizerPipelineBuilder Bench() => BenchCommand.Pipeline("127.0.0.1:9092", Topics(), Policy, Keys, new InMemoryConsentStore());

    private static BenchTopics Topics() => new("run", Policy);

    private static MinimizerPipelineBuilder InProcess(SharedDeployment? deployment = null) => InProcessMinimizer.PipelineBuilder(
        "127.0.0.1:9092", new TopicOptions(), Policy, new InMemoryConsentStore(), new LogRecorder(), "drift", "drift-1", deployment: deployment);

    /// <summary>The engine settings production owns, without the per-minimizer identity (servers, group, instance, topics).</summary>
    private static (int BatchMaxMessages, int BatchMaxWaitMs, BatchPolicy BatchPolicy, int SubjectCacheCapacity, int RetryBackoffMs, bool CommitOutside) Tuning(MinimizerOptions o) =>
        (o.BatchMaxMessages, o.BatchMaxWaitMs, o.BatchPolicy, o.SubjectCacheCapacity, o.RetryBackoffMs, o.CommitOffsetsOutsideTransaction);

    [Fact]
    public void The_service_on_its_shipped_appsettings_runs_the_production_options()
    {
        Assert.Equal(MinimizerPipelineOptions.Production, Service(ServiceSettings([], shippedAppSettings: true)).Options);
    }

    [Fact]
    public void The_service_with_no_minimizer_or_consent_settings_runs_the_production_options()
    {
        MinimizerPipelineBuilder service = Service(ServiceSettings([]));

        Assert.Equal(MinimizerPipelineOptions.Production, service.Options);
        Assert.Equal("sieve-minimizer", service.GroupId);
        Assert.Equal("sieve-consent-loader", service.LoaderGroupId);
        Assert.Equal(DeliveryMode.ExactlyOnce, service.Delivery);
    }

    [Fact]
    public void The_services_consent_and_minimizer_settings_reach_the_pipeline_it_builds()
    {
        MinimizerSettings settings = ServiceSettings(new Dictionary<string, string?>
        {
            ["Consent:CacheCapacity"] = "1000",
            ["Consent:MaxStalenessMs"] = "250",
            ["Consent:MaxEntryAgeSeconds"] = "60",
            ["Consent:LoaderGroupId"] = "loaders",
            ["Minimizer:BatchMaxMessages"] = "77",
            ["Minimizer:BatchMaxWaitMs"] = "9",
            ["Minimizer:BatchPolicy"] = "Linger",
            ["Minimizer:SubjectCacheCapacity"] = "5000",
            ["Minimizer:RetryBackoffMs"] = "33",
            ["Minimizer:CommitOffsetsOutsideTransaction"] = "false",
            ["Minimizer:GroupId"] = "group",
            ["Minimizer:InstanceId"] = "instance",
            ["Minimizer:Delivery"] = "AtLeastOnce",
            ["Kafka:Properties:security.protocol"] = "plaintext",
            ["Topics:ConsentChanges"] = "consent.topic",
        });
        MinimizerPipelineBuilder builder = Service(settings);

        Assert.Equal(MinimizerPipelineOptions.Production with
        {
            ConsentCacheCapacity = 1000,
            ConsentMaxStaleness = TimeSpan.FromMilliseconds(250),
            ConsentMaxEntryAge = TimeSpan.FromSeconds(60),
            BatchMaxMessages = 77,
            BatchMaxWaitMs = 9,
            BatchPolicy = BatchPolicy.Linger,
            SubjectCacheCapacity = 5000,
            RetryBackoffMs = 33,
            CommitOffsetsOutsideTransaction = false,
        }, builder.Options);

        using MinimizerPipeline pipeline = builder.Build();
        MinimizerOptions engine = pipeline.EngineOptions;
        Assert.Equal((77, 9, BatchPolicy.Linger, 5000, 33, false), Tuning(engine));
        Assert.Equal(("group", "instance", DeliveryMode.AtLeastOnce), (engine.GroupId, engine.InstanceId, engine.Delivery));
        Assert.Equal("plaintext", engine.KafkaProperties["security.protocol"]);
        Assert.NotNull(pipeline.Loader);
        ConsentLoaderOptions loader = builder.LoaderOptions("loaders");
        Assert.Equal(("consent.topic", "plaintext"), (loader.Topic, loader.ConsumerSettings["security.protocol"]));
    }

    [Fact]
    public void Without_the_loader_setting_the_service_builds_no_loader()
    {
        MinimizerPipelineBuilder builder = Service(ServiceSettings(new Dictionary<string, string?> { ["Consent:LoaderEnabled"] = "false" }));

        using MinimizerPipeline pipeline = builder.Build();
        Assert.Null(pipeline.Loader);
    }

    [Fact]
    public void The_demo_runs_the_production_options_but_for_a_shorter_batch_wait()
    {
        MinimizerPipelineBuilder demo = Demo();

        Assert.Equal(MinimizerPipelineOptions.Production with { BatchMaxWaitMs = 20 }, demo.Options);
        Assert.Equal("sieve-demo-consent", demo.LoaderGroupId);
        using MinimizerPipeline pipeline = demo.Build();
        Assert.NotNull(pipeline.Loader);
    }

    [Fact]
    public void Sieve_privacy_runs_the_production_options_but_for_the_demos_batch_wait_without_a_consent_loader()
    {
        MinimizerPipelineBuilder privacy = Sieve.Commands.Privacy.CityRun.Pipeline("127.0.0.1:9092", Policy, new TopicOptions(), "drift");

        Assert.Equal(MinimizerPipelineOptions.Production with { BatchMaxWaitMs = 20 }, privacy.Options);
        Assert.Equal(DeliveryMode.ExactlyOnce, privacy.Delivery);
        Assert.Null(privacy.LoaderGroupId);
        using MinimizerPipeline pipeline = privacy.Build();
        Assert.Null(pipeline.Loader);
    }

    [Fact]
    public void The_bench_runs_the_production_options_in_its_minimizer_its_pass_through_and_its_paced_engine()
    {
        MinimizerPipelineBuilder bench = Bench();
        BenchTopics topics = Topics();

        Assert.Equal(MinimizerPipelineOptions.Production, bench.Options);
        Assert.Null(bench.LoaderGroupId);
        using MinimizerPipeline pipeline = bench.Build();
        MinimizerOptions passThrough = BenchCommand.PassThroughOptions(bench, topics);
        Assert.Equal(Tuning(pipeline.EngineOptions), Tuning(passThrough));
        Assert.Equal(pipeline.EngineOptions.Delivery, passThrough.Delivery);
        Assert.NotEqual(pipeline.EngineOptions.GroupId, passThrough.GroupId);
        using MinimizerEngine paced = BenchCommand.PacedEngine(pipeline, topics);
        Assert.NotSame(pipeline.Engine, paced);
    }

    [Fact]
    public void The_tests_in_process_minimizer_runs_the_production_options()
    {
        var deployment = new SharedDeployment("drift");
        deployment.KafkaProperties["socket.timeout.ms"] = "1000";

        Assert.Equal(MinimizerPipelineOptions.Production, InProcess().Options);
        MinimizerPipelineBuilder scaled = InProcess(deployment);
        Assert.Equal(MinimizerPipelineOptions.Production, scaled.Options);
        Assert.Equal("1000", scaled.EngineOptions().KafkaProperties["socket.timeout.ms"]);
        Assert.Equal("1000", scaled.LoaderOptions("loader").ConsumerSettings["socket.timeout.ms"]);
    }

    [Fact]
    public void Every_minimizer_builds_the_same_engine_tuning_as_the_service_but_for_the_demos_batch_wait()
    {
        var service = Tuning(Service(ServiceSettings([], shippedAppSettings: true)).EngineOptions());

        Assert.Equal(service, Tuning(Bench().EngineOptions()));
        Assert.Equal(service, Tuning(InProcess().EngineOptions()));
        Assert.Equal(service with { BatchMaxWaitMs = 20 }, Tuning(Demo().EngineOptions()));
    }

    [Fact]
    public void The_builder_hands_its_options_to_the_engine_the_near_cache_and_the_loaders()
    {
        var options = new MinimizerPipelineOptions
        {
            ConsentCacheCapacity = 10,
            ConsentMaxStaleness = TimeSpan.FromMilliseconds(20),
            ConsentMaxEntryAge = TimeSpan.FromSeconds(30),
            SubjectCacheCapacity = 40,
            BatchMaxMessages = 50,
            BatchMaxWaitMs = 60,
            BatchPolicy = BatchPolicy.Linger,
            RetryBackoffMs = 70,
            CommitOffsetsOutsideTransaction = false,
            LoaderFetchWaitMaxMs = 80,
            LoaderMaxBatchSize = 90,
            LoaderRetryInitialDelay = TimeSpan.FromMilliseconds(11),
            LoaderRetryMaxDelay = TimeSpan.FromSeconds(12),
        };
        var builder = new MinimizerPipelineBuilder(new InMemoryConsentStore(), Policy, Keys)
        {
            BootstrapServers = "127.0.0.1:9092",
            LoaderGroupId = "loader",
            Options = options,
        };

        using MinimizerPipeline pipeline = builder.Build();
        Assert.Same(options, pipeline.Options);
        Assert.Equal((50, 60, BatchPolicy.Linger, 40, 70, false), Tuning(pipeline.EngineOptions));
        ConsentCacheOptions cache = options.ConsentCacheOptions();
        Assert.Equal((10, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(30)), (cache.Capacity, cache.MaxStaleness, cache.MaxEntryAge));
        ConsentLoaderOptions loader = builder.LoaderOptions("loader");
        Assert.Equal((80, 90, TimeSpan.FromMilliseconds(11), TimeSpan.FromSeconds(12)),
            (loader.FetchWaitMaxMs, loader.MaxBatchSize, loader.RetryInitialDelay, loader.RetryMaxDelay));
        using MinimizerEngine second = pipeline.CreateEngine("other", "other-1", new TopicOptions());
        Assert.NotSame(pipeline.Engine, second);
        Assert.Throws<InvalidOperationException>(() => new MinimizerPipelineBuilder(new InMemoryConsentStore(), Policy, Keys).Build());
    }

    [Fact]
    public void The_production_options_are_the_defaults_of_the_options_they_make()
    {
        // The classes' own defaults are what a caller gets without the builder; they must not tell another story.
        MinimizerPipelineOptions production = MinimizerPipelineOptions.Production;
        var cache = new ConsentCacheOptions();
        var engine = new MinimizerOptions();
        var loader = new ConsentLoaderOptions();

        Assert.Equal((cache.Capacity, cache.MaxStaleness, cache.MaxEntryAge), (production.ConsentCacheCapacity, production.ConsentMaxStaleness, production.ConsentMaxEntryAge));
        Assert.Equal(Tuning(engine), (production.BatchMaxMessages, production.BatchMaxWaitMs, production.BatchPolicy, production.SubjectCacheCapacity, production.RetryBackoffMs,
            production.CommitOffsetsOutsideTransaction));
        Assert.Equal((loader.FetchWaitMaxMs, loader.MaxBatchSize, loader.RetryInitialDelay, loader.RetryMaxDelay),
            (production.LoaderFetchWaitMaxMs, production.LoaderMaxBatchSize, production.LoaderRetryInitialDelay, production.LoaderRetryMaxDelay));
    }

    [Fact]
    public void Nothing_in_src_but_the_builder_makes_a_near_cache_core_engine_or_consent_loader()
    {
        string src = Path.Combine(RepoPaths.Root, "src");
        var offenders = new List<string>();
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(RepoPaths.Root, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal))
            {
                continue;
            }

            offenders.AddRange(PipelineConstructions.Find(relative, File.ReadAllText(file)));
        }

        Assert.True(offenders.Count == 0, "Build these through MinimizerPipelineBuilder instead: " + string.Join("; ", offenders));
    }

    [Fact]
    public void The_source_scan_finds_a_hand_made_pipeline()
    {
        Assert.Equal(
            ["src/Commands/X.cs:2: new ConsentCache(", "src/Commands/X.cs:3: new MinimizerEngine("],
            PipelineConstructions.Find("src/Commands/X.cs", "class X {\n  var c = new ConsentCache(store);\n  var e = new  MinimizerEngine (o, core, c, l);\n}"));
        Assert.Equal(["src/Hosting/Y.cs:1: new ConsentLoader("], PipelineConstructions.Find("src/Hosting/Y.cs", "var l = new Sieve.Core.Consent.ConsentLoader(o, s, k);"));
        Assert.Equal(["src/Core/Z.cs:1: new MinimizerCore("], PipelineConstructions.Find("src/Core/Z.cs", "using var core = new MinimizerCore(policy, keys, cache);"));
        Assert.Equal(["src/Core/Z.cs:1: new ConsentCache("], PipelineConstructions.Find("src/Core/Z.cs", "using ConsentCache cache = new(store);"));
        Assert.Empty(PipelineConstructions.Find(PipelineConstructions.BuilderFile, "var c = new ConsentCache(store);"));
        Assert.Empty(PipelineConstructions.Find("src/Core/Z.cs", "new ConsentCacheOptions(); new MinimizerCoreTests(); // ConsentCache"));
    }
}

/// <summary>Finds hand-made pipeline parts (near-cache, core, engine, consent loader) in source text.</summary>
internal static class PipelineConstructions
{
    /// <summary>The one file allowed to construct them.</summary>
    public const string BuilderFile = "src/Core/Engine/MinimizerPipelineBuilder.cs";

    private static readonly System.Text.RegularExpressions.Regex Construction = new(
        @"\bnew\s+(?:[A-Za-z_][A-Za-z0-9_]*\s*\.\s*)*(ConsentCache|MinimizerCore|MinimizerEngine|ConsentLoader)\s*\("
        + @"|\b(ConsentCache|MinimizerCore|MinimizerEngine|ConsentLoader)\s+[A-Za-z_][A-Za-z0-9_]*\s*=\s*new\s*\(",
        System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>"path:line: new Type(" for each construction in <paramref name="text"/> of <paramref name="path"/> (a repository-relative path).</summary>
    public static List<string> Find(string path, string text)
    {
        var found = new List<string>();
        if (path == BuilderFile)
        {
            return found;
        }

        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            foreach (System.Text.RegularExpressions.Match match in Construction.Matches(lines[i]))
            {
                string type = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[2].Value;
                found.Add(path + ":" + (i + 1) + ": new " + type + "(");
            }
        }

        return found;
    }
}
