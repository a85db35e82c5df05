using Sieve.Simulation;
using Sieve.Commands.Demo;

namespace Sieve.Tests.Cli;

public sealed class DemoCommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public async Task Help_prints_the_usage_and_exits_0(string flag)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = await DemoCommand.RunAsync(["--seconds", "5", flag], output, error, CancellationToken.None);

        Assert.Equal(0, exitCode);
        Assert.StartsWith("Usage: sieve demo", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("--summary-json FILE", output.ToString(), StringComparison.Ordinal);
        Assert.Equal("", error.ToString());
    }

    [Theory]
    [InlineData("--bogus", "sieve demo: unknown option '--bogus'; run 'sieve demo --help' for the options")]
    [InlineData("--seconds x", "sieve demo: --seconds needs a whole number from 1 to 86400, e.g. --seconds 30")]
    [InlineData("--rate 0", "sieve demo: --rate needs a whole number of events per second from 1 to 1000000")]
    [InlineData("--summary-json", "sieve demo: --summary-json needs a file path")]
    public async Task A_wrong_option_is_one_line_on_standard_error_with_exit_code_2(string arguments, string expected)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exitCode = await DemoCommand.RunAsync(arguments.Split(' '), output, error, CancellationToken.None);

        Assert.Equal(2, exitCode);
        Assert.Equal(expected, Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("", output.ToString());
    }
}
