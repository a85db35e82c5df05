using System.Diagnostics;

namespace Sieve.Testing.Harness;

/// <summary>Ending a child process a test started, whatever state it is in.</summary>
internal static class ProcessEnd
{
    /// <summary>
    /// Kills <paramref name="process"/> and its children if it still runs, waits until it is reaped (which also drains
    /// redirected output), and disposes it. A process never started or already reaped is fine.
    /// </summary>
    public static void KillAndDispose(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        process.Dispose();
    }
}
