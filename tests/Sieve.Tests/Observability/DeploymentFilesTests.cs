using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Sieve.Testing.Observability;
using Sieve.Testing;
using YamlDotNet.RepresentationModel;

namespace Sieve.Tests.Observability;

/// <summary>
/// What can be checked of docker-compose.yml and deploy/ without a Docker engine: paths, ports, scrape targets and
/// the dashboard's shape. That the dashboard's metric names are really exported is checked against live scrapes in
/// <see cref="ServiceMetricsTests"/>.
/// </summary>
public sealed partial class DeploymentFilesTests
{
    /// <summary>Each Sieve service in the compose file, its Dockerfile, and the metrics port its host defaults to.</summary>
    public static TheoryData<string, string, int> Services => new()
    {
        { "ingest", "src/Ingest/Dockerfile", Sieve.Hosting.Ingest.IngestHost.DefaultMetricsPort },
        { "minimizer", "src/Minimizer/Dockerfile", Sieve.Hosting.Minimizer.MinimizerHost.DefaultMetricsPort },
        { "sink", "src/Sink/Dockerfile", Sieve.Hosting.Sink.SinkHost.DefaultMetricsPort },
    };

    [Theory]
    [MemberData(nameof(Services))]
    public void Each_service_builds_from_the_repository_and_publishes_its_metrics_port(string name, string dockerfile, int metricsPort)
    {
        YamlNode service = DeploymentFiles.ComposeServices().Children[new YamlScalarNode(name)];
        YamlNode build = DeploymentFiles.Child(service, "build")!;
        string context = Path.GetFullPath(Path.Combine(RepoPaths.Root, DeploymentFiles.Scalar(build, "context")!));
        Assert.Equal(Path.GetFullPath(RepoPaths.Root), context);
        Assert.Equal(dockerfile, DeploymentFiles.Scalar(build, "dockerfile"));
        string dockerfileText = File.ReadAllText(Path.Combine(context, dockerfile));

        // The port: the host's default, set explicitly, published, and exposed by the image.
        string port = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("http://0.0.0.0:" + port, DeploymentFiles.Scalar(DeploymentFiles.Child(service, "environment")!, "Metrics__Urls"));
        Assert.Contains("127.0.0.1:" + port + ":" + port, DeploymentFiles.Strings(service, "ports"));
        Assert.Matches(@"(?m)^EXPOSE .*\b" + port + @"\b", dockerfileText);
        Assert.Equal("json", DeploymentFiles.Scalar(DeploymentFiles.Child(service, "environment")!, "Logging__Format"));

        // The image serves HTTP, so it runs on the ASP.NET runtime.
        Assert.Contains("FROM mcr.microsoft.com/dotnet/aspnet:10.0", dockerfileText, StringComparison.Ordinal);

        // What the build needs is in the context: the whole repository is copied, and .dockerignore keeps every
        // project the published one references (and the shared build files and schemas).
        Assert.Contains("COPY . .", dockerfileText, StringComparison.Ordinal);
        Match publish = PublishedProject().Match(dockerfileText);
        Assert.True(publish.Success, dockerfile + " publishes no project.");
        string[] ignored = [.. File.ReadAllLines(Path.Combine(RepoPaths.Root, ".dockerignore")).Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#')];
        var needed = new List<string> { "Directory.Build.props", "Directory.Packages.props", "global.json", "schemas/telematics-event.avsc" };
        needed.AddRange(ProjectClosure(Path.Combine(RepoPaths.Root, publish.Groups[1].Value)));
        foreach (string path in needed)
        {
            Assert.True(File.Exists(Path.Combine(RepoPaths.Root, path)), dockerfile + " needs " + path + ", which is missing.");
            Assert.DoesNotContain(ignored, pattern => IsIgnored(path, pattern));
        }
    }

    [Fact]
    public void Every_host_path_the_compose_file_mounts_exists()
    {
        int mounts = 0;
        foreach ((YamlNode key, YamlNode service) in DeploymentFiles.ComposeServices().Children)
        {
            foreach (string volume in DeploymentFiles.Strings(service, "volumes"))
            {
                string source = volume.Split(':')[0];
                // ./lake is the Sink's lake, which the stack writes (and git ignores).
                if (source.StartsWith("./", StringComparison.Ordinal) && source != "./lake")
                {
                    string path = Path.Combine(RepoPaths.Root, source[2..]);
                    Assert.True(File.Exists(path) || Directory.Exists(path), key + " mounts " + source + ", which does not exist.");
                    mounts++;
                }
            }
        }

        Assert.True(mounts >= 4, "Prometheus' configuration, Grafana's provisioning and dashboards and the device registry are mounted from the repository.");
    }

    [Fact]
    public void Prometheus_scrapes_each_service_on_its_metrics_port()
    {
        YamlNode prometheus = DeploymentFiles.ComposeServices().Children[new YamlScalarNode("prometheus")];
        Assert.StartsWith("prom/prometheus", DeploymentFiles.Scalar(prometheus, "image"), StringComparison.Ordinal);
        string mount = Assert.Single(DeploymentFiles.Strings(prometheus, "volumes"), v => v.Contains("prometheus.yml", StringComparison.Ordinal));
        YamlMappingNode config = DeploymentFiles.LoadYaml(Path.Combine(RepoPaths.Root, mount.Split(':')[0][2..]));
        Assert.Contains("--config.file=" + mount.Split(':')[1], DeploymentFiles.Strings(prometheus, "command"));

        var targets = new List<string>();
        foreach (YamlNode job in (YamlSequenceNode)DeploymentFiles.Child(config, "scrape_configs")!)
        {
            Assert.Equal("/metrics", DeploymentFiles.Scalar(job, "metrics_path") ?? "/metrics");
            foreach (YamlNode staticConfig in (YamlSequenceNode)DeploymentFiles.Child(job, "static_configs")!)
            {
                targets.AddRange(DeploymentFiles.Strings(staticConfig, "targets"));
            }
        }

        Assert.Equal(
            Services.Select(row => (string)row[0] + ":" + (int)row[2]).Order(StringComparer.Ordinal),
            targets.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Grafana_is_provisioned_with_the_prometheus_datasource_and_the_dashboard_from_the_repository()
    {
        YamlNode grafana = DeploymentFiles.ComposeServices().Children[new YamlScalarNode("grafana")];
        Assert.StartsWith("grafana/grafana", DeploymentFiles.Scalar(grafana, "image"), StringComparison.Ordinal);
        Dictionary<string, string> mounts = DeploymentFiles.Strings(grafana, "volumes").ToDictionary(v => v.Split(':')[1], v => v.Split(':')[0][2..]);
        string provisioning = Path.Combine(RepoPaths.Root, mounts["/etc/grafana/provisioning"]);

        YamlNode datasource = Assert.Single((YamlSequenceNode)DeploymentFiles.Child(
            DeploymentFiles.LoadYaml(Path.Combine(provisioning, "datasources", "prometheus.yml")), "datasources")!);
        Assert.Equal("prometheus", DeploymentFiles.Scalar(datasource, "type"));
        Assert.Equal("http://prometheus:9090", DeploymentFiles.Scalar(datasource, "url"));
        Assert.Contains("127.0.0.1:9090:9090", DeploymentFiles.Strings(DeploymentFiles.ComposeServices().Children[new YamlScalarNode("prometheus")], "ports"));

        YamlNode provider = Assert.Single((YamlSequenceNode)DeploymentFiles.Child(
            DeploymentFiles.LoadYaml(Path.Combine(provisioning, "dashboards", "sieve.yml")), "providers")!);
        string dashboardsInContainer = DeploymentFiles.Scalar(DeploymentFiles.Child(provider, "options")!, "path")!;
        Assert.Equal(Path.GetFullPath(Path.GetDirectoryName(DeploymentFiles.DashboardPath)!),
            Path.GetFullPath(Path.Combine(RepoPaths.Root, mounts[dashboardsInContainer])));

        // The dashboard parses, every panel queries the provisioned datasource, and it shows what operators watch.
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(DeploymentFiles.DashboardPath));
        string uid = DeploymentFiles.Scalar(datasource, "uid")!;
        foreach (JsonElement panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            Assert.Equal(uid, panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.NotEqual(0, panel.GetProperty("targets").GetArrayLength());
        }

        SortedSet<string> names = DeploymentFiles.DashboardMetricNames();
        Assert.Contains("sieve_minimizer_inputs_total", names);
        Assert.Contains("sieve_minimizer_decisions_total", names);
        Assert.Contains("sieve_minimizer_consumer_lag", names);
        Assert.Contains("sieve_minimizer_latency_milliseconds_bucket", names);
        Assert.Contains(DeploymentFiles.DashboardExpressions(), e => e.Contains("by (purpose, outcome)", StringComparison.Ordinal));
    }

    /// <summary>The project file and every project it references, transitively, relative to the repository root.</summary>
    private static IEnumerable<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(project)]);
        while (pending.TryPop(out string? path))
        {
            if (!seen.Add(path))
            {
                continue;
            }

            Assert.True(File.Exists(path), path + " is missing.");
            foreach (XElement reference in XDocument.Load(path).Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, reference.Attribute("Include")!.Value)));
            }
        }

        return seen.Select(p => Path.GetRelativePath(RepoPaths.Root, p).Replace('\\', '/'));
    }

    private static bool IsIgnored(string path, string pattern)
    {
        string folder = pattern.TrimEnd('/');
        if (folder.StartsWith("**/", StringComparison.Ordinal))
        {
            folder = folder[3..];
            return ("/" + path + "/").Contains("/" + folder + "/", StringComparison.Ordinal);
        }

        return path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"dotnet publish (\S+\.csproj)")]
    private static partial Regex PublishedProject();
}
