using Sieve.Testing.Cli;

namespace Sieve.Tests.Cli;

public sealed class DemoCommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_and_exits_0(string flag)
    {
        CliResult result = await CliRunner.RunAsync("demo", "--seconds", "5", flag);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage: sieve demo", result.Out, StringComparison.Ordinal);
        Assert.Contains("--summary-json FILE", result.Out, StringComparison.Ordinal);
        Assert.Equal("", result.Error);
    }

    [Theory]
    [InlineData("--bogus", "sieve demo: unknown option '--bogus'; run 'sieve demo --help' for the options")]
    [InlineData("--seconds x", "sieve demo: --seconds needs a whole number from 1 to 86400, e.g. --seconds 30")]
    [InlineData("--rate 0", "sieve demo: --rate needs a whole number of events per second from 1 to 1000000")]
    [InlineData("--summary-json", "sieve demo: --summary-json needs a file path")]
    [InlineData("--city -1", "sieve demo: --city needs a whole number of vehicles from 0 (no privacy measurement) to 100000, e.g. --city 2000")]
    [InlineData("--city", "sieve demo: --city needs a whole number of vehicles from 0 (no privacy measurement) to 100000, e.g. --city 2000")]
    public async Task A_wrong_option_is_one_line_on_standard_error_with_exit_code_2(string arguments, string expected)
    {
        CliResult result = await CliRunner.RunAsync(["demo", .. arguments.Split(' ')]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(expected, Assert.Single(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("", result.Out);
    }
}
