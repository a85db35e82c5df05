using Sieve.Commands;
using Sieve.Commands.Demo;
using Spectre.Console;

namespace Sieve.Cli;

/// <summary>Entry point of the <c>sieve</c> command.</summary>
public static class Program
{
    /// <summary>Runs the command named by <paramref name="args"/>; returns the process exit code.</summary>
    public static async Task<int> Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl+C asks the command to stop cleanly; a second one ends the process.
            e.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            // The demo parses its own options and draws its own screen.
            if (args.Length > 0 && args[0] == "demo")
            {
                return await DemoCommand.RunAsync(args[1..], cancellation.Token).ConfigureAwait(false);
            }

            return await SieveCli.RunAsync(args, AnsiConsole.Console, Console.Error, cancellation.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("sieve: interrupted").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync("sieve: " + SieveCli.DescribeUnexpected(e)).ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
