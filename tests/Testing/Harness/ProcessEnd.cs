using System.Diagnostics;

namespace Sieve.Testing.Harness;

/// <summary>Ending a child process a test started, whatever state it is in.</summary>
internal static class ProcessEnd
{
    /// <summary>How long ending a process may take.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Kills <paramref name="process"/> and its children if it still runs, waits until it is reaped (and its redirected
    /// output drained, at most <see cref="Guard"/>: a grandchild holding the pipe must not hang the test), and disposes
    /// it. A process never started or already reaped is fine.
    /// </summary>
    public static void KillAndDispose(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(Guard);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        process.Dispose();
    }
}
