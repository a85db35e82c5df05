using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Sieve.Hosting;

namespace Sieve.Testing.Harness;

/// <summary>A Sieve service executable (<c>dotnet Sieve.&lt;service&gt;.dll</c>) as a child process, with its console output collected.</summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly string _service;
    private readonly Process _process;
    private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(string service, Process process)
    {
        _service = service;
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>
    /// The service's build output beside the test's:
    /// src/&lt;service&gt;/bin/&lt;configuration&gt;/&lt;framework&gt;/Sieve.&lt;service&gt;.dll.
    /// </summary>
    public static string DllPath(string service)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string framework = testOutput.Name;
        string configuration = testOutput.Parent!.Name;
        string path = Path.Combine(RepoPaths.Root, "src", service, "bin", configuration, framework, "Sieve." + service + ".dll");
        Assert.True(File.Exists(path), "The " + service + " service is not built at " + path + "; the test project references it, so build the tests.");
        return path;
    }

    /// <summary>
    /// Starts <c>dotnet Sieve.&lt;service&gt;.dll</c> with <paramref name="arguments"/>; every output line goes to
    /// <paramref name="lines"/>. With <paramref name="openFiles"/>, the process starts with those limits of open
    /// files (lowered by the shell that starts it, as <c>ulimit -n</c> would).
    /// </summary>
    public static ServiceProcess Start(string service, IEnumerable<string> arguments, ConcurrentQueue<string> lines, OpenFileLimits? openFiles = null)
    {
        ProcessStartInfo start;
        if (openFiles is { } limits)
        {
            // The soft limit first: a hard limit below the soft one in force would be refused.
            start = new ProcessStartInfo("bash");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("ulimit -S -n \"$1\" && ulimit -H -n \"$2\" && shift 2 && exec \"$@\"");
            start.ArgumentList.Add("bash");
            start.ArgumentList.Add(limits.Soft.ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.ArgumentList.Add(limits.Hard.ToString(System.Globalization.CultureInfo.InvariantCulture));
            start.ArgumentList.Add(Sieve.Embedded.DotnetHost.Path);
        }
        else
        {
            start = new ProcessStartInfo(Sieve.Embedded.DotnetHost.Path);
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.WorkingDirectory = Path.GetTempPath();
        start.ArgumentList.Add(DllPath(service));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The keys come from the arguments, never from a keys variable the test runner may have.
        start.Environment.Remove("SIEVE_MASTER_KEYS");
        var process = new Process { StartInfo = start };
        var started = new ServiceProcess(service, process);
        process.OutputDataReceived += (_, e) => started.Collect(lines, e.Data);
        process.ErrorDataReceived += (_, e) => started.Collect(lines, e.Data);
        Assert.True(process.Start(), "The " + service + " process did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>
    /// Waits until the process has written a line <paramref name="match"/> accepts and returns it; fails the test,
    /// with the last output, when the process exits first or after <paramref name="guard"/>.
    /// </summary>
    public async Task<string> WaitForLineAsync(ConcurrentQueue<string> lines, Func<string, bool> match, TimeSpan guard)
    {
        using var timeout = new CancellationTokenSource(guard);
        Task exited = _process.WaitForExitAsync(timeout.Token);
        while (true)
        {
            // Noted before the lines are looked at, so a line written meanwhile still wakes the wait.
            Task written = Volatile.Read(ref _written).Task;
            foreach (string line in lines)
            {
                if (match(line))
                {
                    return line;
                }
            }

            if (exited.IsCompleted)
            {
                ThrowIfExited(lines);
                Assert.Fail("The " + _service + " process wrote no such line within " + guard.TotalSeconds + " s; its last output:" + Environment.NewLine
                    + string.Join(Environment.NewLine, lines.TakeLast(30)));
            }

            await Task.WhenAny(written, exited);
        }
    }

    /// <summary>
    /// Kills the process at once (SIGKILL: no shutdown of any kind, nothing is flushed, closed or committed) and waits
    /// until it is gone.
    /// </summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    /// <summary>Asks the process to stop as a supervisor or Ctrl+C does (SIGTERM): the host's stop runs.</summary>
    public void Terminate()
    {
        const int Sigterm = 15;
        if (!_process.HasExited && SendSignal(_process.Id, Sigterm) != 0)
        {
            Assert.Fail("SIGTERM to the " + _service + " process failed: errno " + Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>The exit code once the process has exited within <paramref name="timeout"/>; null if it is still running.</summary>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return _process.ExitCode;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>Fails the test, with the process's last output, if it has exited.</summary>
    public void ThrowIfExited(ConcurrentQueue<string> lines)
    {
        if (_process.HasExited)
        {
            Assert.Fail("The " + _service + " process exited with code " + _process.ExitCode + "; its last output:" + Environment.NewLine
                + string.Join(Environment.NewLine, lines.TakeLast(30)));
        }
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    // DllImport rather than LibraryImport: the generated stubs need unsafe code, which only Sieve.Embedded allows.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void Collect(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
            Interlocked.Exchange(ref _written, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }
}
