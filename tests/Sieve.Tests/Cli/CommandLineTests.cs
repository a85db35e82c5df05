using Sieve.Testing.Cli;

namespace Sieve.Tests.Cli;

public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_lists_every_command(string flag)
    {
        CliResult result = await CliRunner.RunAsync(flag);

        Assert.Equal(0, result.ExitCode);
        foreach (string command in new[] { "demo", "policy check", "policy explain", "consent grant", "consent withdraw", "consent show", "consent expiring", "keys generate", "keys rotate", "topics provision" })
        {
            Assert.Contains(command, result.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("policy", "check")]
    [InlineData("policy", "explain")]
    [InlineData("consent", "grant")]
    [InlineData("consent", "withdraw")]
    [InlineData("consent", "show")]
    [InlineData("consent", "expiring")]
    [InlineData("keys", "generate")]
    [InlineData("keys", "rotate")]
    [InlineData("topics", "provision")]
    public async Task Each_command_prints_its_usage(string group, string command)
    {
        CliResult result = await CliRunner.RunAsync(group, command, "--help");
        CliResult viaHelp = await CliRunner.RunAsync("help", group, command);

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith($"Usage: sieve {group} {command}", result.Out, StringComparison.Ordinal);
        Assert.Equal(result.Out, viaHelp.Out);
        Assert.Equal("", result.Error);
    }

    [Fact]
    public async Task Help_wins_over_other_arguments()
    {
        CliResult result = await CliRunner.RunAsync("consent", "grant", "--type", "nonsense", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("Usage: sieve consent grant", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_arguments_prints_usage_with_exit_code_2()
    {
        CliResult result = await CliRunner.RunAsync();

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Usage: sieve COMMAND", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Group_alone_lists_its_commands()
    {
        CliResult result = await CliRunner.RunAsync("keys", "--help");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("keys generate", result.Out, StringComparison.Ordinal);
        Assert.Contains("keys rotate", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("policy check", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("policy", "frobnicate")]
    public async Task Unknown_command_is_one_usage_error(params string[] args)
    {
        CliResult result = await CliRunner.RunAsync(args);

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Contains("unknown command", line, StringComparison.Ordinal);
        Assert.Contains("--help", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("keys", "generate", "--out")]
    [InlineData("keys", "generate", "--force=yes")]
    [InlineData("keys", "generate", "--force", "--force")]
    [InlineData("keys", "rotate", "--file", "x.json")]
    [InlineData("keys", "generate", "extra")]
    public async Task Malformed_options_are_one_usage_error(params string[] args)
    {
        CliResult result = await CliRunner.RunAsync(args);

        CliRunner.SingleErrorLine(result, 2);
    }
}
