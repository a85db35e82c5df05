using Sieve.Cli.Demo;

namespace Sieve.Cli;

/// <summary>Entry point of the <c>sieve</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command named by <paramref name="args"/>.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        if (args.Length > 0 && args[0] == "demo")
        {
            return await DemoCommand.RunAsync(args[1..], cancel.Token).ConfigureAwait(false);
        }

        Console.Error.WriteLine("usage: sieve demo [options]");
        return 2;
    }
}
