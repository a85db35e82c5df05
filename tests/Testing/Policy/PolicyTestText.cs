using System.Text;
using Avro;
using Sieve.Contracts.Schemas;
using Sieve.Core.Policy;

namespace Sieve.Testing.Policy;

/// <summary>Helpers for policy tests: load text, catch the errors, find where a snippet is.</summary>
internal static class PolicyTestText
{
    public const string Source = "test-policy.json";

    /// <summary>A minimal valid policy: positioning from telematics only.</summary>
    public const string Minimal = """
        {
          "policyVersion": "t1",
          "purposes": {
            "positioning": {
              "topic": "positioning.v1",
              "outputSchema": "PositioningRecord",
              "retention": "30d",
              "consentRequired": true,
              "consentMaxAge": "365d",
              "pseudonym": "stable",
              "telematics": {
                "vin": "pseudonymize",
                "eventTime": "pass",
                "location.latitude": "pass",
                "location.longitude": "pass"
              }
            }
          }
        }
        """;

    /// <summary>The errors loading <paramref name="json"/> gives (fails the test when it loads).</summary>
    public static IReadOnlyList<PolicyError> ErrorsOf(string json, IReadOnlyList<SchemaInfo>? outputSchemas = null)
    {
        var exception = Assert.Throws<PolicyValidationException>(() => PolicyCompiler.Compile(Encoding.UTF8.GetBytes(json), Source, outputSchemas));
        Assert.NotEmpty(exception.Errors);
        foreach (PolicyError error in exception.Errors)
        {
            Assert.Contains(error.ToString(), exception.Message, StringComparison.Ordinal);
        }

        return exception.Errors;
    }

    /// <summary>The one-based line of <paramref name="snippet"/>, which must occur exactly once.</summary>
    public static int LineOf(string json, string snippet)
    {
        int at = IndexOfOnly(json, snippet);
        int line = 1;
        for (int i = 0; i < at; i++)
        {
            if (json[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    /// <summary>The one-based column (in characters) of <paramref name="snippet"/> on its line.</summary>
    public static int ColumnOf(string json, string snippet)
    {
        int at = IndexOfOnly(json, snippet);
        return at - (at == 0 ? -1 : json.LastIndexOf('\n', at - 1));
    }

    /// <summary>
    /// Asserts <paramref name="json"/> fails with exactly one error, on the line of <paramref name="snippet"/>,
    /// whose problem contains <paramref name="problem"/>; returns it.
    /// </summary>
    public static PolicyError ExpectSingle(string json, string snippet, string problem, IReadOnlyList<SchemaInfo>? outputSchemas = null)
    {
        IReadOnlyList<PolicyError> errors = ErrorsOf(json, outputSchemas);
        PolicyError error = Assert.Single(errors);
        Assert.Equal(Source, error.Source);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.Equal(LineOf(json, snippet), error.Line);
        Assert.StartsWith($"{Source}:{error.Line}:{error.Column}: ", error.ToString(), StringComparison.Ordinal);
        return error;
    }

    /// <summary>Replaces the one occurrence of <paramref name="from"/>.</summary>
    public static string Edit(this string json, string from, string to)
    {
        _ = IndexOfOnly(json, from);
        return json.Replace(from, to, StringComparison.Ordinal);
    }

    /// <summary>The embedded schemas plus an output schema that exists only in a test.</summary>
    public static IReadOnlyList<SchemaInfo> CatalogWith(string recordJson) =>
        new List<SchemaInfo>(SchemaCatalog.Default.All)
        {
            new("test-record.avsc", recordJson, (RecordSchema)Schema.Parse(recordJson)),
        };

    private static int IndexOfOnly(string json, string snippet)
    {
        int at = json.IndexOf(snippet, StringComparison.Ordinal);
        Assert.True(at >= 0, $"snippet {snippet} is not in the test policy");
        Assert.Equal(at, json.LastIndexOf(snippet, StringComparison.Ordinal));
        return at;
    }
}
