using Sieve.Testing.Cli;

namespace Sieve.Tests.Cli;

public sealed class PolicyCheckCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sieve-cli-policy-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Shipped_policy_is_ok_with_its_purposes_named()
    {
        CliResult result = await CliRunner.RunAsync("policy", "check", CliRunner.DefaultPolicyFile);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("OK: 5 purposes (positioning, personalization, analytics, quality, marketing)", result.Out.Trim());
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Every_error_is_listed_with_file_line_and_column()
    {
        const string policy = """
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
                    "deviceId": "pass",
                    "eventTime": "pass",
                    "location.latitude": "pass",
                    "location.longitude": "pass"
                  }
                },
                "billing": {
                  "topic": "billing.v1",
                  "outputSchema": "AnalyticsRecord",
                  "retention": "30d",
                  "consentRequired": true,
                  "consentMaxAge": "365d",
                  "pseudonym": "daily",
                  "telematics": { "vin": "pseudonymize", "eventTime": { "transform": "bucketTime", "minutes": 15 } }
                }
              }
            }
            """;
        string path = Path.Combine(_directory, "bad-policy.json");
        File.WriteAllText(path, policy);

        CliResult result = await CliRunner.RunAsync("policy", "check", path);

        Assert.Equal(1, result.ExitCode);
        string[] lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 2, result.Out);
        Assert.All(lines, line => Assert.Matches(@"^.+:\d+:\d+: .+$", line));
        Assert.Contains(lines, line => line.StartsWith($"{path}:{LineOf(policy, "\"deviceId\": \"pass\"")}:", StringComparison.Ordinal)
                                       && line.Contains("deviceId", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith($"{path}:{LineOf(policy, "\"billing\": {")}:", StringComparison.Ordinal)
                                       && line.Contains("billing", StringComparison.Ordinal));
        Assert.DoesNotContain("OK:", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_fails_with_one_line_naming_it()
    {
        string path = Path.Combine(_directory, "absent.json");

        CliResult result = await CliRunner.RunAsync("policy", "check", path);

        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(path + ": cannot read the policy file", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_file_argument_is_a_usage_error()
    {
        CliResult result = await CliRunner.RunAsync("policy", "check");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("FILE", line, StringComparison.Ordinal);
        Assert.Contains("--help", line, StringComparison.Ordinal);
    }

    private static int LineOf(string text, string snippet)
    {
        int at = text.IndexOf(snippet, StringComparison.Ordinal);
        Assert.True(at >= 0, snippet);
        Assert.Equal(at, text.LastIndexOf(snippet, StringComparison.Ordinal));
        return text[..at].Count(c => c == '\n') + 1;
    }
}
