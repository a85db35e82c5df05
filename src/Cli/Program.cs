using System.Runtime.InteropServices;
using Sieve.Commands;
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

        // SIGTERM (a service manager's stop, 'kill', a container's stop) asks the command to stop as Ctrl+C does.
        using PosixSignalRegistration terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = !cancellation.IsCancellationRequested;
            cancellation.Cancel();
        });
        try
        {
            if (Console.IsOutputRedirected)
            {
                // Piped or written to a file: tables must not wrap at the 80 columns a redirected console reports.
                SieveCli.Unwrapped(AnsiConsole.Console);
            }

            return await SieveCli.RunAsync(args, AnsiConsole.Console, Console.Error, cancellation.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
