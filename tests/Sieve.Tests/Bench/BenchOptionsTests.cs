using Sieve.Commands;
using Sieve.Commands.Bench;
using Sieve.Testing.Cli;

namespace Sieve.Tests.Bench;

public sealed class BenchOptionsTests
{
    [Fact]
    public void No_options_give_the_defaults()
    {
        BenchOptions? options = SieveCli.Parse<BenchOptions>(BenchCommand.Name, [], out string? error);

        Assert.NotNull(options);
        Assert.Null(error);
        Assert.Equal(200_000, options.Events);
        Assert.Equal(32, options.Partitions);
        Assert.Null(options.Rate);
        Assert.Null(options.Bootstrap);
        Assert.Null(options.Json);
        Assert.Equal([10, 25, 50, 75], options.Levels);
        Assert.Equal(Sieve.Core.Engine.BatchPolicy.Adaptive, options.BatchPolicy);

        // Without --help the command runs instead of printing its usage.
        Assert.Null(SieveCli.Parse<BenchOptions>(BenchCommand.Name, ["--help"], out string? usage));
        Assert.StartsWith("Usage: sieve bench", usage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_option_is_read()
    {
        BenchOptions? options = SieveCli.Parse<BenchOptions>(BenchCommand.Name,
            ["--events", "5000", "--partitions", "8", "--rate", "2500", "--bootstrap", "broker-1:9092", "--json", "out/report.json", "--levels", "20, 50",
                "--batch-policy", "linger"], out string? error);

        Assert.NotNull(options);
        Assert.Null(error);
        Assert.Equal(5000, options.Events);
        Assert.Equal(8, options.Partitions);
        Assert.Equal(2500, options.Rate);
        Assert.Equal("broker-1:9092", options.Bootstrap);
        Assert.Equal("out/report.json", options.Json);
        Assert.Equal([20, 50], options.Levels);
        Assert.Equal(Sieve.Core.Engine.BatchPolicy.Linger, options.BatchPolicy);
    }

    [Theory]
    [InlineData("--events", "999", "--events needs a whole number from 1000")]
    [InlineData("--events", "lots", "--events needs a whole number from 1000")]
    [InlineData("--partitions", "0", "--partitions needs a whole number from 1 to 1000")]
    [InlineData("--rate", "-5", "--rate needs a whole number of inputs per second")]
    [InlineData("--bootstrap", "--json", "--bootstrap needs HOST:PORT")]
    [InlineData("--json", "", "--json needs a file path")]
    [InlineData("--levels", "10,0", "--levels needs up to 8 whole percents from 1 to 100")]
    [InlineData("--levels", "1,2,3,4,5,6,7,8,9", "--levels needs up to 8 whole percents")]
    [InlineData("--batch-policy", "eager", "--batch-policy needs adaptive or linger")]
    [InlineData("--batch-policy", "1", "--batch-policy needs adaptive or linger")]
    [InlineData("--seconds", "5", "unknown option '--seconds'")]
    public void A_wrong_option_is_refused_with_what_to_give(string option, string value, string expected)
    {
        BenchOptions? options = SieveCli.Parse<BenchOptions>(BenchCommand.Name, [option, value], out string? error);

        Assert.Null(options);
        Assert.NotNull(error);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_option_without_its_value_is_refused()
    {
        BenchOptions? options = SieveCli.Parse<BenchOptions>(BenchCommand.Name, ["--events"], out string? error);

        Assert.Null(options);
        Assert.StartsWith("--events needs", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_option_is_one_error_line_and_exit_code_2()
    {
        CliResult result = await CliRunner.RunAsync("bench", "--partitions", "none");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.Equal("sieve bench: --partitions needs a whole number from 1 to 1000", line);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task A_run_that_does_not_fit_the_mock_retention_is_refused_with_what_would_fit()
    {
        CliResult result = await CliRunner.RunAsync("bench", "--events", "100000", "--partitions", "1");

        string line = CliRunner.SingleErrorLine(result, 2);
        Assert.StartsWith("sieve bench: --events 100000 needs about ", line, StringComparison.Ordinal);
        Assert.Contains("the embedded Kafka keeps 5 MiB per partition", line, StringComparison.Ordinal);
        Assert.Matches(@"use --partitions \d+ or --events \d+$", line);
        Assert.DoesNotContain("Inputs:", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_prints_the_usage_and_the_command_is_listed()
    {
        CliResult help = await CliRunner.RunAsync("bench", "--help");
        CliResult overview = await CliRunner.RunAsync("--help");

        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("Usage: sieve bench [--events N]", help.Out, StringComparison.Ordinal);
        Assert.Contains("  bench ", overview.Out, StringComparison.Ordinal);
    }
}
