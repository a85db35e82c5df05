using System.Diagnostics;
using System.Text;

namespace Sieve.Testing.Interop;

/// <summary>What a finished child process printed, and how it ended.</summary>
internal sealed record ChildProcessResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for failure messages.</summary>
    public string Describe() => "exit code " + ExitCode + "\n--- stdout ---\n" + StandardOutput + "\n--- stderr ---\n" + StandardError;
}

/// <summary>
/// A child process whose standard output and error are collected as they arrive. Disposing kills it (with its
/// children) and waits until both streams are read to the end.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    private ChildProcess(Process process)
    {
        _process = process;
    }

    /// <summary>Standard output so far.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Standard error so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _exited.Task;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The exit code; only meaningful once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <paramref name="fileName"/>. Throws <see cref="System.ComponentModel.Win32Exception"/> when there is
    /// no such program.
    /// </summary>
    /// <param name="environmentRemoved">Variables the child must not inherit.</param>
    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string workingDirectory, IEnumerable<string>? environmentRemoved = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string name in environmentRemoved ?? [])
        {
            info.Environment.Remove(name);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process);
        process.OutputDataReceived += (_, e) => Append(child._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(child._stderr, e.Data);
        process.Exited += (_, _) => child._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (process.HasExited)
        {
            child._exited.TrySetResult();
        }

        return child;
    }

    /// <summary>
    /// Runs a program to its end. When it runs longer than <paramref name="timeout"/> it is killed and the result
    /// says so in its standard error.
    /// </summary>
    public static async Task<ChildProcessResult> RunAsync(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        using ChildProcess child = Start(fileName, arguments, workingDirectory);
        Task finished = await Task.WhenAny(child.Exited, Task.Delay(timeout));
        if (finished != child.Exited)
        {
            child.Dispose();
            return new ChildProcessResult(-1, child.StandardOutput, child.StandardError + "\n(killed after " + timeout.TotalSeconds + " s)");
        }

        // The no-argument wait also waits for the redirected streams to reach their end.
        child._process.WaitForExit();
        return new ChildProcessResult(child.ExitCode, child.StandardOutput, child.StandardError);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Harness.ProcessEnd.KillAndDispose(_process);
    }

    private static void Append(StringBuilder builder, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (builder)
        {
            builder.Append(line).Append('\n');
        }
    }
}
