using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Sieve.Testing.Observability;

/// <summary>The repository's deployment files (docker-compose.yml, deploy/), read as the tools that use them would.</summary>
internal static partial class DeploymentFiles
{
    public static string ComposePath => Path.Combine(RepoPaths.Root, "docker-compose.yml");

    public static string DashboardPath => Path.Combine(RepoPaths.Root, "deploy", "grafana", "dashboards", "sieve-pipeline.json");

    /// <summary>The compose file's <c>services</c> mapping.</summary>
    public static YamlMappingNode ComposeServices()
    {
        YamlMappingNode root = LoadYaml(ComposePath);
        return (YamlMappingNode)root.Children[new YamlScalarNode("services")];
    }

    public static YamlMappingNode LoadYaml(string path)
    {
        Assert.True(File.Exists(path), path + " is missing.");
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    public static YamlNode? Child(YamlNode node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out YamlNode? child) ? child : null;

    public static string? Scalar(YamlNode node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    public static IEnumerable<string> Strings(YamlNode node, string key) =>
        Child(node, key) is YamlSequenceNode seq ? seq.Children.OfType<YamlScalarNode>().Select(s => s.Value!) : [];

    /// <summary>Every PromQL expression of the dashboard's panels.</summary>
    public static List<string> DashboardExpressions()
    {
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(DashboardPath));
        var expressions = new List<string>();
        foreach (JsonElement panel in dashboard.RootElement.GetProperty("panels").EnumerateArray())
        {
            foreach (JsonElement target in panel.GetProperty("targets").EnumerateArray())
            {
                expressions.Add(target.GetProperty("expr").GetString()!);
            }
        }

        return expressions;
    }

    /// <summary>The Sieve metric names the dashboard's queries use.</summary>
    public static SortedSet<string> DashboardMetricNames() =>
        new(DashboardExpressions().SelectMany(e => MetricName().Matches(e).Select(m => m.Value)), StringComparer.Ordinal);

    /// <summary>Fails naming every metric the dashboard queries that is not in <paramref name="exported"/>.</summary>
    public static void AssertDashboardQueriesOnly(IReadOnlySet<string> exported)
    {
        SortedSet<string> used = DashboardMetricNames();
        Assert.NotEmpty(used);
        string[] missing = [.. used.Where(n => !exported.Contains(n))];
        Assert.True(missing.Length == 0, "The dashboard queries metrics no service exports: " + string.Join(", ", missing)
            + "\nExported: " + string.Join(", ", exported.Where(n => n.StartsWith("sieve_", StringComparison.Ordinal)).Order(StringComparer.Ordinal)));
    }

    [GeneratedRegex(@"\bsieve_[a-z0-9_]+\b")]
    private static partial Regex MetricName();
}
