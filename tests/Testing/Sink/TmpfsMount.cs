using System.Diagnostics;

namespace Sieve.Testing.Sink;

/// <summary>
/// A small tmpfs mounted over a test's lake folder, to make its disk full or read-only for real. Mounting needs
/// root; without it the test fails and says so rather than being skipped.
/// </summary>
internal sealed class TmpfsMount : IDisposable
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(30);

    private TmpfsMount(string folder) => Folder = folder;

    public string Folder { get; }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> (e.g. <c>4k</c>) over <paramref name="folder"/>.</summary>
    public static TmpfsMount Mount(string folder, string size)
    {
        Assert.True(Environment.UserName == "root" || Run("id", "-u").Trim() == "0",
            "Mounting a tmpfs under the lake needs root: run the tests as root, e.g. sudo dotnet test Sieve.slnx");
        Run("mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0755", "tmpfs", folder);
        return new TmpfsMount(folder);
    }

    /// <summary>Remounts with <paramref name="options"/> (e.g. <c>size=64m</c>, <c>ro</c>, <c>rw</c>); retries while the file system is busy.</summary>
    public void Remount(string options)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Run("mount", "-o", "remount," + options, Folder);
                return;
            }
            catch (InvalidOperationException) when (attempt < 50)
            {
                // A read-only remount is refused while a file is open for writing; the sink closes its files between flushes.
                Thread.Sleep(100);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            Run("umount", "-l", Folder);
        }
        catch (InvalidOperationException)
        {
            // Already gone; nothing to clean up.
        }
    }

    private static string Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(CommandLimit) || process.ExitCode != 0)
        {
            throw new InvalidOperationException(command + " " + string.Join(' ', arguments) + " failed: " + error.Trim());
        }

        return output;
    }
}
