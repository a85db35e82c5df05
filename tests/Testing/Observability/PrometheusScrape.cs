using System.Globalization;

namespace Sieve.Testing.Observability;

/// <summary>One sample of a Prometheus text-format scrape: metric name, labels and value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(string label, string value) => Labels.TryGetValue(label, out string? v) && v == value;
}

/// <summary>A parsed <c>/metrics</c> answer (the Prometheus text exposition format, as far as the exporter writes it).</summary>
internal sealed class PrometheusScrape
{
    private PrometheusScrape(string text, List<PrometheusSample> samples, HashSet<string> families)
    {
        Text = text;
        Samples = samples;
        Families = families;
    }

    public string Text { get; }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Names of the metric families declared by <c># TYPE</c> lines.</summary>
    public IReadOnlySet<string> Families { get; }

    /// <summary>Every sample name (histograms give <c>_bucket</c>, <c>_sum</c> and <c>_count</c>) and every family name.</summary>
    public IReadOnlySet<string> Names => new HashSet<string>(Samples.Select(s => s.Name).Concat(Families), StringComparer.Ordinal);

    public static PrometheusScrape Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var families = new HashSet<string>(StringComparer.Ordinal);
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                families.Add(line.Split(' ')[2]);
                continue;
            }

            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            samples.Add(ParseSample(line));
        }

        return new PrometheusScrape(text, samples, families);
    }

    /// <summary>The samples of <paramref name="name"/> whose labels include every pair of <paramref name="labels"/>.</summary>
    public IEnumerable<PrometheusSample> Find(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Has(l.Label, l.Value)));

    /// <summary>The sum of the matching samples' values; 0 when none match.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) => Find(name, labels).Sum(s => s.Value);

    private static PrometheusSample ParseSample(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        int brace = line.IndexOf('{', StringComparison.Ordinal);
        int space;
        string name;
        if (brace >= 0 && brace < line.IndexOf(' ', StringComparison.Ordinal))
        {
            name = line[..brace];
            int i = brace + 1;
            while (line[i] != '}')
            {
                int eq = line.IndexOf('=', i);
                string key = line[i..eq];
                var value = new System.Text.StringBuilder();
                int j = eq + 2;
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] == 'n' ? '\n' : line[j]);
                    }
                    else
                    {
                        value.Append(line[j]);
                    }
                }

                labels[key] = value.ToString();
                i = j + 1;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            space = i + 1;
        }
        else
        {
            space = line.IndexOf(' ', StringComparison.Ordinal);
            name = line[..space];
        }

        string[] rest = line[(space + 1)..].Trim().Split(' ');
        double value2 = rest[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(rest[0], NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return new PrometheusSample(name, labels, value2);
    }
}
