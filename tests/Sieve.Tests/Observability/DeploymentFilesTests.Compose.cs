using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sieve.Commands;
using Sieve.Commands.Policy;
using Sieve.Commands.TopicProvisioning;
using Sieve.Core.Policy;
using Sieve.Hosting.Configuration;
using Sieve.Hosting.Ingest;
using Sieve.Hosting.Minimizer;
using Sieve.Hosting.Sink;
using Sieve.Testing;
using Sieve.Testing.Observability;
using StackExchange.Redis;
using YamlDotNet.RepresentationModel;

namespace Sieve.Tests.Observability;

/// <summary>
/// The compose stack, checked without a Docker engine: each service's environment is read by that service's own
/// settings classes (an unknown key fails), the provisioning command is parsed by the real CLI, Kafka's listeners
/// agree with each other and with what the services and the host use, Redis needs a password, and every topic a
/// service reads or writes is one <c>sieve topics provision</c> plans.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    private const string ProvisioningService = "topics";

    private const string KafkaService = "kafka";

    private const string RedisService = "redis";

    private static readonly string[] SieveServiceNames = ["ingest", "minimizer", "sink"];

    /// <summary>The Sieve services of the compose file.</summary>
    public static TheoryData<string> SieveServices => [.. SieveServiceNames];

    [Theory]
    [MemberData(nameof(SieveServices))]
    public async Task Every_configuration_key_of_a_service_is_one_of_its_settings_and_the_service_builds_with_them(string name)
    {
        Dictionary<string, string?> config = ComposeConfiguration(name);
        (WebApplication app, IServiceCollection services) = BuildHost(name, config);
        await using (app)
        {
            List<(string Section, Type Options)> sections = SettingsSections(services);
            Assert.NotEmpty(sections);
            foreach (string key in config.Keys)
            {
                Assert.True(sections.Any(s => IsSetting(s.Section, s.Options, key)),
                    name + ": " + key + " is not a setting of the service; its sections are " + string.Join(", ", sections.Select(s => s.Section).Distinct()));
            }
        }
    }

    [Fact]
    public async Task A_misspelt_or_invented_key_is_not_a_setting()
    {
        (WebApplication app, IServiceCollection services) = BuildHost("ingest", ComposeConfiguration("ingest"));
        await using (app)
        {
            List<(string Section, Type Options)> sections = SettingsSections(services);
            bool Known(string key) => sections.Any(s => IsSetting(s.Section, s.Options, key));

            Assert.True(Known("Ingest:Teltonika:BindAddress"));
            Assert.True(Known("ingest:portal:gateways:gw-any:token"));
            Assert.True(Known("Kafka:Properties:security.protocol"));
            Assert.False(Known("Ingest:Teltonika:BindAdress"));
            Assert.False(Known("Ingest:Portal:Gateways:gw-any:Secret"));
            Assert.False(Known("Ingest:Teltonika"));
            Assert.False(Known("Sink:Root"));
            Assert.False(Known("Minimizer:InstanceId"));
        }
    }

    [Fact]
    public void A_one_shot_service_provisions_the_topics_with_one_replica_before_the_services_start()
    {
        YamlMappingNode services = DeploymentFiles.ComposeServices();
        YamlNode topics = services.Children[new YamlScalarNode(ProvisioningService)];

        // Built from the repository with the sieve command as its entry point.
        YamlNode build = DeploymentFiles.Child(topics, "build")!;
        Assert.Equal(".", DeploymentFiles.Scalar(build, "context"));
        string dockerfile = DeploymentFiles.Scalar(build, "dockerfile")!;
        string dockerfileText = File.ReadAllText(Path.Combine(RepoPaths.Root, dockerfile));
        Assert.Equal("src/Cli/Sieve.Cli.csproj", PublishedProject().Match(dockerfileText).Groups[1].Value);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"sieve.dll\"]", dockerfileText, StringComparison.Ordinal);
        Assert.Equal("no", DeploymentFiles.Scalar(topics, "restart"));
        string[] ignored = [.. File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#')];
        foreach (string path in ProjectClosure(Path.Combine(RepoPaths.Root, "src/Cli/Sieve.Cli.csproj")))
        {
            Assert.DoesNotContain(ignored, pattern => IsIgnored(path, pattern));
        }

        // The arguments are valid for `sieve topics provision`, as its own parser reads them.
        string[] command = [.. DeploymentFiles.Strings(topics, "command")];
        Assert.Equal(TopicsProvisionCommand.Name, command[0] + " " + command[1]);
        TopicsProvisionSettings? settings = ProvisioningSettings(out string? problem);
        Assert.Null(problem);
        Assert.NotNull(settings);
        Assert.False(settings.DryRun);

        // As many replicas as brokers: the stack has one.
        Assert.Single(services.Children.Values, s => DeploymentFiles.Scalar(s, "image")?.StartsWith("apache/kafka", StringComparison.Ordinal) == true);
        Assert.Equal(1, settings.Replicas);

        // It waits for a healthy broker, and every Sieve service waits for it to complete successfully.
        Assert.Equal("service_healthy", DependencyCondition(topics, KafkaService));
        foreach (string name in SieveServiceNames)
        {
            Assert.Equal("service_completed_successfully", DependencyCondition(services.Children[new YamlScalarNode(name)], ProvisioningService));
        }
    }

    [Fact]
    public void Ingest_has_the_gateways_of_the_gateways_readme_and_a_device_registry_from_the_repository()
    {
        Dictionary<string, string?> environment = Environment(DeploymentFiles.ComposeServices().Children[new YamlScalarNode("ingest")]);

        // The README's configuration example, line by line, is the compose Ingest's: its curl examples are accepted.
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "Core", "Gateways", "README.md"));
        MatchCollection settings = GatewaySetting().Matches(readme);
        Assert.True(settings.Count >= 5, "the Gateways README's configuration example is missing.");
        foreach (Match setting in settings)
        {
            Assert.Equal(setting.Groups[2].Value, environment.GetValueOrDefault(setting.Groups[1].Value));
        }

        // Teltonika units must be in a registry; the file is the repository's, and it parses.
        Dictionary<string, string?> config = ComposeConfiguration("ingest");
        string devices = config["Devices:Path"]!;
        Assert.StartsWith(Path.Combine(RepoPaths.Root, "deploy"), devices, StringComparison.Ordinal);
        Assert.IsType<Sieve.Core.Devices.FileDeviceRegistry>(DeviceRegistryConfiguration.Create(new ConfigurationBuilder().AddInMemoryCollection(config).Build()));
    }

    [Fact]
    public void Kafka_listeners_advertised_listeners_and_published_port_agree()
    {
        YamlMappingNode services = DeploymentFiles.ComposeServices();
        YamlNode kafka = services.Children[new YamlScalarNode(KafkaService)];
        Dictionary<string, string?> env = Environment(kafka);

        Dictionary<string, (string Host, int Port)> listeners = Listeners(env["KAFKA_LISTENERS"]!);
        Dictionary<string, (string Host, int Port)> advertised = Listeners(env["KAFKA_ADVERTISED_LISTENERS"]!);
        Dictionary<string, string> protocols = env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"]!.Split(',')
            .Select(p => p.Split(':')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        string controller = env["KAFKA_CONTROLLER_LISTENER_NAMES"]!;
        string interBroker = env["KAFKA_INTER_BROKER_LISTENER_NAME"]!;

        // Every listener has a protocol; every advertised one listens on the port it advertises; the controller's
        // is not advertised, and brokers talk to each other on an advertised one.
        Assert.Equal(listeners.Keys.Order(StringComparer.Ordinal), protocols.Keys.Order(StringComparer.Ordinal));
        Assert.Contains(controller, listeners.Keys);
        Assert.DoesNotContain(controller, advertised.Keys);
        Assert.Equal(listeners.Keys.Where(k => k != controller).Order(StringComparer.Ordinal), advertised.Keys.Order(StringComparer.Ordinal));
        foreach ((string name, (string _, int port)) in advertised)
        {
            Assert.Equal(listeners[name].Port, port);
        }

        Assert.Contains(interBroker, advertised.Keys);
        Assert.EndsWith("1@" + KafkaService + ":" + listeners[controller].Port, env["KAFKA_CONTROLLER_QUORUM_VOTERS"], StringComparison.Ordinal);

        // Two advertised listeners: the internal one by the service's name, the external one on the host's loopback.
        Assert.Equal(2, advertised.Count);
        (string internalName, (string _, int internalPort)) = Assert.Single(advertised, a => a.Value.Host == KafkaService);
        (string _, (string _, int externalPort)) = Assert.Single(advertised, a => a.Value.Host == "127.0.0.1");
        Assert.Equal(interBroker, internalName);

        // The host reaches the external listener on the same port; the internal one is not published.
        Assert.Equal(["127.0.0.1:" + externalPort + ":" + externalPort], DeploymentFiles.Strings(kafka, "ports"));

        // Everything inside the network uses the internal listener.
        string internalBootstrap = KafkaService + ":" + internalPort;
        foreach (string name in SieveServiceNames)
        {
            Assert.Equal(internalBootstrap, ComposeConfiguration(name)["Kafka:BootstrapServers"]);
        }

        Assert.Equal(internalBootstrap, ProvisioningSettings(out _)!.Bootstrap);
        Assert.Contains("--bootstrap-server " + internalBootstrap, string.Join(' ', DeploymentFiles.Strings(DeploymentFiles.Child(kafka, "healthcheck")!, "test")), StringComparison.Ordinal);

        // The README's host commands use the external one.
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        Assert.Contains("consent grant --type vin --id LSVAU218XN2183294 --purpose positioning --bootstrap 127.0.0.1:" + externalPort, readme, StringComparison.Ordinal);
        Assert.Contains("topics provision --bootstrap 127.0.0.1:" + externalPort, readme, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_published_port_listens_on_the_host_loopback_only()
    {
        int published = 0;
        foreach ((YamlNode name, YamlNode service) in DeploymentFiles.ComposeServices().Children)
        {
            foreach (string port in DeploymentFiles.Strings(service, "ports"))
            {
                Assert.True(port.StartsWith("127.0.0.1:", StringComparison.Ordinal), name + " publishes " + port + " beyond the host's loopback.");
                published++;
            }
        }

        Assert.True(published > 0);
    }

    [Fact]
    public void Redis_requires_a_password_and_every_service_that_uses_it_gives_it()
    {
        YamlMappingNode services = DeploymentFiles.ComposeServices();
        YamlNode redis = services.Children[new YamlScalarNode(RedisService)];
        string[] command = [.. DeploymentFiles.Strings(redis, "command").Select(ResolveVariables)];
        int index = Array.IndexOf(command, "--requirepass");
        Assert.True(index > 0 && index + 1 < command.Length, "redis-server runs without --requirepass.");
        string password = command[index + 1];
        Assert.False(string.IsNullOrWhiteSpace(password));

        // Its health check authenticates (redis-cli reads REDISCLI_AUTH).
        Assert.Equal(password, Environment(redis)["REDISCLI_AUTH"]);

        int users = 0;
        foreach (string name in SieveServiceNames)
        {
            Dictionary<string, string?> config = ComposeConfiguration(name);
            foreach (string key in new[] { "Redis:Configuration", "Devices:Redis" })
            {
                if (config.TryGetValue(key, out string? value))
                {
                    ConfigurationOptions options = ConfigurationOptions.Parse(value!);
                    Assert.Equal(password, options.Password);
                    Assert.Equal("Unspecified/" + RedisService + ":6379", Assert.Single(options.EndPoints).ToString());
                    users++;
                }
            }
        }

        Assert.Equal(2, users);
    }

    [Fact]
    public async Task Every_topic_a_service_reads_or_writes_is_provisioned()
    {
        TopicsProvisionSettings settings = ProvisioningSettings(out _)!;
        CompiledPolicy policy = PolicyFiles.Load(settings.Policy);
        IReadOnlyList<TopicPlan> plans = TopicPlanner.Plan(policy, TopicsProvisionCommand.ParseRetention(policy, settings.Retention),
            settings.PartitionCount, settings.Replicas);
        var provisioned = plans.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);

        var used = new List<(string Service, string Topic)>();
        (WebApplication ingest, _) = BuildHost("ingest", ComposeConfiguration("ingest"));
        await using (ingest)
        {
            TopicsOptions topics = ingest.Services.GetRequiredService<IOptions<TopicsOptions>>().Value;
            used.Add(("ingest", topics.TelematicsRaw));
            used.Add(("ingest", topics.WifiRaw));
        }

        (WebApplication minimizerHost, _) = BuildHost("minimizer", ComposeConfiguration("minimizer"));
        await using (minimizerHost)
        {
            MinimizerSettings minimizer = minimizerHost.Services.GetRequiredService<MinimizerSettings>();
            Assert.Equal(policy.PolicyVersion, minimizer.Policy.PolicyVersion);
            used.AddRange(new[]
            {
                minimizer.Engine.Topics.TelematicsRaw, minimizer.Engine.Topics.WifiRaw, minimizer.Engine.Topics.ConsentChanges,
                minimizer.Engine.Topics.Quarantine, minimizer.Engine.Topics.Audit,
            }.Select(t => ("minimizer", t)));
            foreach (PurposePlan purpose in minimizer.Policy.Purposes)
            {
                used.Add(("minimizer", purpose.Topic));
                used.Add(("minimizer", purpose.ForwardTopic));
                if (purpose.EscrowTopic is { } escrow)
                {
                    used.Add(("minimizer", escrow));
                }
            }
        }

        (WebApplication sinkHost, _) = BuildHost("sink", ComposeConfiguration("sink"));
        await using (sinkHost)
        {
            SinkSettings sink = sinkHost.Services.GetRequiredService<SinkSettings>();
            Assert.Equal(policy.PolicyVersion, sink.Policy.PolicyVersion);
            used.AddRange(sink.Tables.Select(t => ("sink", t.Topic)));
            used.AddRange(new[]
            {
                sink.Erasure.RequestsTopic, sink.Erasure.NoticesTopic, sink.Erasure.ReceiptsTopic, sink.Erasure.ConsentChangesTopic,
                sink.Engine.QuarantineTopic,
            }.Select(t => ("sink", t)));
        }

        Assert.Empty(used.Where(u => !provisioned.Contains(u.Topic)).Select(u => u.Service + " uses " + u.Topic));
        Assert.Contains(("sink", Sieve.Contracts.Topics.ErasureNotices), used);
    }

    /// <summary>A service's compose environment as configuration keys (<c>A__B</c> is <c>A:B</c>), with <c>${NAME:-default}</c> at its default and container paths mapped to the mounted repository paths.</summary>
    private static Dictionary<string, string?> ComposeConfiguration(string name)
    {
        YamlNode service = DeploymentFiles.ComposeServices().Children[new YamlScalarNode(name)];
        var mounts = new List<(string Target, string Source)>();
        foreach (string volume in DeploymentFiles.Strings(service, "volumes"))
        {
            string[] parts = volume.Split(':');
            string source = parts[0] == "./lake"
                ? Directory.CreateTempSubdirectory("sieve-compose-lake-").FullName
                : Path.Combine(RepoPaths.Root, parts[0][2..]);
            mounts.Add((parts[1], source));
        }

        var config = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((string key, string? value) in Environment(service))
        {
            string? mapped = value;
            foreach ((string target, string source) in mounts)
            {
                if (value == target || value?.StartsWith(target + "/", StringComparison.Ordinal) == true)
                {
                    mapped = source + value[target.Length..];
                }
            }

            config[key.Replace("__", ":", StringComparison.Ordinal)] = mapped;
        }

        return config;
    }

    private static Dictionary<string, string?> Environment(YamlNode service)
    {
        var env = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (DeploymentFiles.Child(service, "environment") is YamlMappingNode map)
        {
            foreach ((YamlNode key, YamlNode value) in map.Children)
            {
                env[((YamlScalarNode)key).Value!] = ResolveVariables(((YamlScalarNode)value).Value ?? "");
            }
        }

        return env;
    }

    /// <summary>Compose's <c>${NAME:-default}</c>, as it reads with NAME unset.</summary>
    private static string ResolveVariables(string value) => ComposeVariable().Replace(value, m => m.Groups[2].Value);

    private static TopicsProvisionSettings? ProvisioningSettings(out string? problem)
    {
        YamlNode topics = DeploymentFiles.ComposeServices().Children[new YamlScalarNode(ProvisioningService)];
        string[] command = [.. DeploymentFiles.Strings(topics, "command")];
        return SieveCli.Parse<TopicsProvisionSettings>(TopicsProvisionCommand.Name, command[2..], out problem);
    }

    private static string? DependencyCondition(YamlNode service, string dependency) =>
        DeploymentFiles.Child(service, "depends_on") is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(dependency), out YamlNode? entry)
            ? DeploymentFiles.Scalar(entry, "condition")
            : null;

    /// <summary>Kafka's <c>NAME://host:port,...</c>, by name.</summary>
    private static Dictionary<string, (string Host, int Port)> Listeners(string list)
    {
        var listeners = new Dictionary<string, (string Host, int Port)>(StringComparer.Ordinal);
        foreach (string listener in list.Split(','))
        {
            Match match = ListenerPattern().Match(listener.Trim());
            Assert.True(match.Success, listener + " is not NAME://host:port.");
            listeners.Add(match.Groups[1].Value, (match.Groups[2].Value, int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture)));
        }

        return listeners;
    }

    /// <summary>Builds (does not start) the service with <paramref name="config"/>, as its entry point does; returns the registrations too.</summary>
    private static (WebApplication App, IServiceCollection Services) BuildHost(string name, Dictionary<string, string?> config)
    {
        string folder = Directory.CreateTempSubdirectory("sieve-compose-test-").FullName;
        IServiceCollection? services = null;
        void Configure(WebApplicationBuilder b)
        {
            services = b.Services;
            b.Configuration.AddInMemoryCollection(config);
        }

        WebApplication app = name switch
        {
            "ingest" => IngestHost.Build(new IngestHostOptions { ContentRootPath = folder, Modules = IngestHost.Modules(), ConfigureBuilder = Configure }),
            "minimizer" => MinimizerHost.Build(new MinimizerHostOptions { ContentRootPath = folder, ConfigureBuilder = Configure }),
            "sink" => SinkHost.Build(new SinkHostOptions { ContentRootPath = folder, ConfigureBuilder = Configure }),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a Sieve service"),
        };
        return (app, services!);
    }

    /// <summary>Every options class the service binds and the section it binds it from.</summary>
    private static List<(string Section, Type Options)> SettingsSections(IServiceCollection services) =>
        [.. services
            .Select(d => d.IsKeyedService ? null : d.ImplementationInstance)
            .Where(i => i is not null && i.GetType().IsGenericType && i.GetType().GetGenericTypeDefinition() == typeof(AnnotatedSettingsValidator<>))
            .Select(i => ((string)i!.GetType().GetProperty(nameof(AnnotatedSettingsValidator<object>.Section))!.GetValue(i)!, i.GetType().GetGenericArguments()[0]))];

    /// <summary>
    /// Whether <paramref name="key"/> binds to a value of <paramref name="options"/> bound at <paramref name="section"/>,
    /// walked as <see cref="SettingsBinder"/> binds: a property per key (any case), any key of a dictionary.
    /// </summary>
    private static bool IsSetting(string section, Type options, string key)
    {
        if (!key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Type type = options;
        foreach (string segment in key[(section.Length + 1)..].Split(':'))
        {
            if (IsScalar(type))
            {
                return false;
            }

            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            {
                type = type.GetGenericArguments()[1];
                continue;
            }

            System.Reflection.PropertyInfo? property = type.GetProperties().FirstOrDefault(p => p.GetIndexParameters().Length == 0
                && string.Equals(p.Name, segment, StringComparison.OrdinalIgnoreCase));
            if (property is null || (IsScalar(property.PropertyType) && property.SetMethod is not { IsPublic: true }))
            {
                return false;
            }

            type = property.PropertyType;
        }

        return IsScalar(type);
    }

    private static bool IsScalar(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t == typeof(int) || t == typeof(long) || t == typeof(bool) || t.IsEnum;
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*):-([^}]*)\}")]
    private static partial Regex ComposeVariable();

    [GeneratedRegex(@"(?m)^\s*(Ingest__(?:Meraki|Portal)__\S+)=(\S+) \\$")]
    private static partial Regex GatewaySetting();

    [GeneratedRegex(@"^([A-Z_]+)://([^:]*):(\d+)$")]
    private static partial Regex ListenerPattern();
}
