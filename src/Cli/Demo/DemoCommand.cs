namespace Sieve.Cli.Demo;

/// <summary>The <c>sieve demo</c> command.</summary>
public static class DemoCommand
{
    /// <summary>Runs the demo with the arguments that follow <c>demo</c>; returns the process exit code.</summary>
    public static Task<int> RunAsync(string[] args, CancellationToken ct) => Task.FromResult(0);
}
