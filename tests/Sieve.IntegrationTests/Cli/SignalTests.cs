using System.Collections.Concurrent;
using System.Diagnostics;
using Sieve.Testing;
using Sieve.Testing.Harness;

namespace Sieve.IntegrationTests.Cli;

/// <summary>The <c>sieve</c> executable stops cleanly on SIGTERM, as on Ctrl+C: a service manager's or container's stop.</summary>
public sealed class SignalTests
{
    [Fact]
    public async Task Sigterm_stops_sieve_kafka_cleanly_with_its_stop_line_and_exit_code_0()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string sieve = Path.Combine(RepoPaths.Root, "src", "Cli", "bin", testOutput.Parent!.Name, testOutput.Name, "sieve.dll");
        Assert.True(File.Exists(sieve), "sieve is not built at " + sieve + "; the test project references it, so build the tests.");
        var start = new ProcessStartInfo(Sieve.Embedded.DotnetHost.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { sieve, "kafka", "--listen", "127.0.0.1:0" })
        {
            start.ArgumentList.Add(argument);
        }

        var lines = new ConcurrentQueue<string>();
        var bootstrap = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using Process process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
                if (line.StartsWith("bootstrap: ", StringComparison.Ordinal))
                {
                    bootstrap.TrySetResult();
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lines.Enqueue(line);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await bootstrap.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
                Assert.Equal(0, kill.ExitCode);
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (!process.HasExited)
            {
                ProcessEnd.KillAndDispose(process);
            }
        }

        Assert.True(process.ExitCode == 0, "exit code " + process.ExitCode + ":\n" + string.Join('\n', lines));
        Assert.Contains("stopped; its topics and records are gone", lines);
    }
}
