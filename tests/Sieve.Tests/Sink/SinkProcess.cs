using System.Collections.Concurrent;
using System.Diagnostics;

namespace Sieve.Tests.Sink;

/// <summary>The Sink service executable (<c>dotnet Sieve.Sink.dll</c>) as a child process, with its console output collected.</summary>
internal sealed class SinkProcess : IDisposable
{
    private readonly Process _process;

    private SinkProcess(Process process) => _process = process;

    public bool HasExited => _process.HasExited;

    /// <summary>The service's build output beside the test's: src/Sink/bin/&lt;configuration&gt;/&lt;framework&gt;/Sieve.Sink.dll.</summary>
    public static string DllPath()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string path = Path.Combine(RepoPaths.Root, "src", "Sink", "bin", testOutput.Parent!.Name, testOutput.Name, "Sieve.Sink.dll");
        Assert.True(File.Exists(path), "The Sink service is not built at " + path + "; the test project references it, so build the tests.");
        return path;
    }

    /// <summary>Starts <c>dotnet Sieve.Sink.dll</c> with <paramref name="arguments"/>; every output line goes to <paramref name="lines"/>.</summary>
    public static SinkProcess Start(IEnumerable<string> arguments, ConcurrentQueue<string> lines)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(DllPath());
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("SIEVE_MASTER_KEYS");
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Collect(lines, e.Data);
        process.ErrorDataReceived += (_, e) => Collect(lines, e.Data);
        Assert.True(process.Start(), "The Sink process did not start.");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new SinkProcess(process);
    }

    /// <summary>Kills the process at once (SIGKILL: nothing is flushed, closed or committed) and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    /// <summary>Fails the test, with the process's last output, if it has exited.</summary>
    public void ThrowIfExited(ConcurrentQueue<string> lines)
    {
        if (_process.HasExited)
        {
            Assert.Fail("The Sink process exited with code " + _process.ExitCode + "; its last output:" + Environment.NewLine
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

    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
