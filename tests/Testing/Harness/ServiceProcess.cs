using System.Collections.Concurrent;
using System.Diagnostics;

namespace Sieve.Testing.Harness;

/// <summary>A Sieve service executable (<c>dotnet Sieve.&lt;service&gt;.dll</c>) as a child process, with its console output collected.</summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly string _service;
    private readonly Process _process;

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
    /// <paramref name="lines"/>.
    /// </summary>
    public static ServiceProcess Start(string service, IEnumerable<string> arguments, ConcurrentQueue<string> lines)
    {
        var start = new ProcessStartInfo(Sieve.Embedded.DotnetHost.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(DllPath(service));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The keys come from the arguments, never from a keys variable the test runner may have.
        start.Environment.Remove("SIEVE_MASTER_KEYS");
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(lines, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(lines, e.Data);
        Assert.True(process.Start(), "The " + service + " process did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(service, process);
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

    private static void Collect(ConcurrentQueue<string> lines, string? line)
    {
        if (line is not null)
        {
            lines.Enqueue(line);
        }
    }
}
