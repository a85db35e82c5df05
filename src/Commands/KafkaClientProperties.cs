using System.Collections;
using Confluent.Kafka;

namespace Sieve.Commands;

/// <summary>
/// Extra librdkafka properties for a command's Kafka clients (TLS, SASL, tuning), the same ones the services take as
/// <c>Kafka:Properties:*</c>. Read, later ones winning: environment variables <c>Kafka__Properties__NAME</c> (as the
/// services read them), then <c>--properties FILE</c> (<c>name=value</c> lines, <c>#</c> comments), then each
/// <c>--property name=value</c>. Values are never printed; only names are, so a secret cannot leak into output.
/// </summary>
internal sealed class KafkaClientProperties
{
    /// <summary>The repeatable option: <c>--property name=value</c>.</summary>
    public const string PropertyOption = "--property";

    /// <summary>The file option: <c>--properties FILE</c>.</summary>
    public const string FileOption = "--properties";

    /// <summary>Prefix of the environment variables the services read as <c>Kafka:Properties:*</c>.</summary>
    public const string EnvironmentPrefix = "Kafka__Properties__";

    /// <summary>The usage lines of the <c>--property</c> and <c>--properties</c> options, indented like the other options.</summary>
    public const string UsageLines = """
          --property NAME=VALUE  a librdkafka client property (TLS, SASL), e.g. security.protocol=SASL_SSL;
                                 repeat for more. Also read: Kafka__Properties__NAME environment variables,
                                 as the services read them
          --properties FILE      librdkafka properties, one NAME=VALUE a line (# comments); --property wins
        """;

    private readonly SortedDictionary<string, string> _values;

    private KafkaClientProperties(SortedDictionary<string, string> values) => _values = values;

    /// <summary>No properties: plaintext to the bootstrap servers.</summary>
    public static KafkaClientProperties None { get; } = new(new SortedDictionary<string, string>(StringComparer.Ordinal));

    /// <summary>The property names in effect, sorted; never their values.</summary>
    public IReadOnlyCollection<string> Names => _values.Keys;

    /// <summary>Reads the environment, <c>--properties</c> and <c>--property</c> of <paramref name="settings"/>.</summary>
    /// <exception cref="CliException">A malformed property, an unreadable file, or <c>bootstrap.servers</c> (use <c>--bootstrap</c>).</exception>
    public static KafkaClientProperties From(IKafkaClientSettings settings) => From(settings, Environment.GetEnvironmentVariables());

    /// <summary>As <see cref="From(IKafkaClientSettings)"/> with the environment given (tests).</summary>
    public static KafkaClientProperties From(IKafkaClientSettings settings, IDictionary environment)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is string name && name.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
                && name.Length > EnvironmentPrefix.Length && entry.Value is string value)
            {
                values[name[EnvironmentPrefix.Length..]] = value;
            }
        }

        string? file = settings.PropertiesFile;
        if (file is not null)
        {
            ReadFile(file, values);
        }

        foreach (string pair in settings.Properties)
        {
            (string name, string value) = Split(pair, $"{PropertyOption} '{NameOf(pair)}'");
            values[name] = value;
        }

        Check(values);
        return new KafkaClientProperties(values);
    }

    /// <summary>True when <paramref name="settings"/> gave <c>--property</c> or <c>--properties</c> (the environment aside).</summary>
    public static bool Given(IKafkaClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Properties.Length > 0 || settings.PropertiesFile is not null;
    }

    /// <summary>Copies the properties into <paramref name="config"/>.</summary>
    public void ApplyTo(ClientConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (KeyValuePair<string, string> pair in _values)
        {
            config.Set(pair.Key, pair.Value);
        }
    }

    /// <summary>"security.protocol, sasl.mechanism" or "none": what the output may say about the properties.</summary>
    public string Describe() => _values.Count == 0 ? "none" : string.Join(", ", _values.Keys);

    // librdkafka checks names and values only when a client is made. One is made here without brokers and dropped: a
    // bad property is one usage error naming it, not a failure inside a command, and its value, which may be a secret
    // and which librdkafka's own message repeats, is never shown. Making a client with Kerberos (GSSAPI) runs kinit and
    // one with OIDC fetches a token at once; those are left to the command's own clients, which report what fails.
    // The client made is a producer-type one: a value only a consumer refuses is found by the command's consumer.
    private static void Check(SortedDictionary<string, string> values)
    {
        if (values.Count == 0 || ActsWhenMade(values) || Usable(values))
        {
            return;
        }

        foreach (KeyValuePair<string, string> pair in values)
        {
            if (!Usable([pair]))
            {
                ThrowHelper.Usage($"Kafka client property '{pair.Key}' is not a librdkafka property or its value is not usable; check its name and value");
            }
        }

        ThrowHelper.Usage($"the Kafka client properties ({string.Join(", ", values.Keys)}) are not usable together; check their values and that the files they name exist");
    }

    private static bool ActsWhenMade(SortedDictionary<string, string> values) =>
        (values.TryGetValue("sasl.mechanism", out string? mechanism) || values.TryGetValue("sasl.mechanisms", out mechanism))
            && mechanism.Trim().Equals("GSSAPI", StringComparison.OrdinalIgnoreCase)
        || values.TryGetValue("sasl.oauthbearer.method", out string? method) && method.Trim().Equals("oidc", StringComparison.OrdinalIgnoreCase);

    private static bool Usable(IEnumerable<KeyValuePair<string, string>> values)
    {
        var config = new ClientConfig();
        foreach (KeyValuePair<string, string> pair in values)
        {
            config.Set(pair.Key, pair.Value);
        }

        try
        {
            using IAdminClient client = new AdminClientBuilder(config).SetLogHandler(static (_, _) => { }).SetErrorHandler(static (_, _) => { }).Build();
            return true;
        }
        catch (Exception e) when (e is ArgumentException or KafkaException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void ReadFile(string file, SortedDictionary<string, string> values)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            ThrowHelper.Usage($"{FileOption} {file} cannot be read ({e.GetType().Name}); give a readable file of NAME=VALUE lines");
            return;
        }

        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or '!')
            {
                continue;
            }

            (string name, string value) = Split(line, $"{file}:{i + 1}");
            values[name] = value;
        }
    }

    private static (string Name, string Value) Split(string pair, string where)
    {
        int equals = pair.IndexOf('=', StringComparison.Ordinal);
        string name = equals > 0 ? pair[..equals].Trim() : "";
        if (name.Length == 0)
        {
            ThrowHelper.Usage($"{where}: expected NAME=VALUE, e.g. security.protocol=SASL_SSL");
        }

        if (string.Equals(name, "bootstrap.servers", StringComparison.Ordinal))
        {
            ThrowHelper.Usage($"{where}: give bootstrap.servers as --bootstrap HOST:PORT[,HOST:PORT]");
        }

        return (name, pair[(equals + 1)..].Trim());
    }

    // Only the part before '=' may be echoed: the value may be a secret.
    private static string NameOf(string pair)
    {
        int equals = pair.IndexOf('=', StringComparison.Ordinal);
        return equals >= 0 ? pair[..equals] : pair;
    }
}
