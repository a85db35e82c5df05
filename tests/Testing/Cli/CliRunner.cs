using Sieve.Commands;
using Spectre.Console;

namespace Sieve.Testing.Cli;

/// <summary>What one in-process run of the <c>sieve</c> command printed and returned.</summary>
internal sealed record CliResult(int ExitCode, string Out, string Error)
{
    /// <summary>Standard output and standard error together.</summary>
    public string All => Out + Error;
}

/// <summary>Runs <see cref="SieveCli"/> in-process with standard output and error captured.</summary>
internal static class CliRunner
{
    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(terminal: false, CancellationToken.None, args);

    /// <summary>
    /// Runs <paramref name="args"/> on a captured console that is plain text (as when output is redirected), or with
    /// <paramref name="terminal"/> one that claims to be an interactive ANSI terminal, so live views draw as they would.
    /// </summary>
    public static async Task<CliResult> RunAsync(bool terminal, CancellationToken cancellationToken, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = terminal ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
        });

        // Wide enough that no table cell wraps, so values can be found whole.
        console.Profile.Width = 250;
        int exitCode = await SieveCli.RunAsync(args, console, stderr, cancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Asserts the run failed with <paramref name="exitCode"/> and exactly one error line (no stack trace), and returns it.</summary>
    public static string SingleErrorLine(CliResult result, int exitCode)
    {
        Assert.Equal(exitCode, result.ExitCode);
        string[] lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines);
        Assert.StartsWith("sieve", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.All, StringComparison.Ordinal);
        return line;
    }

    public static string Sample(string name) => Path.Combine(RepoPaths.Root, "samples", name);

    public static string DefaultPolicyFile => RepoPaths.DefaultPolicy;
}
