using System.Diagnostics;

namespace Sieve.Testing.Consent;

/// <summary>
/// A private redis-server for the consent tests: free port, temporary directory, no persistence. Used as an xunit
/// class fixture, or started per test with <see cref="StartAsync"/> when a test stops it.
/// </summary>
public sealed class ConsentRedisServer : IAsyncLifetime, IAsyncDisposable
{
    private const string InstallHint = "redis-server not found; install it with: sudo apt-get install -y redis-server";
    private static readonly TimeSpan StartupGuard = TimeSpan.FromSeconds(30);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sieve-consent-redis-" + Guid.NewGuid().ToString("N"));
    private Process? _process;

    /// <summary>The port the server listens on (kept across <see cref="RestartAsync"/>).</summary>
    public int Port { get; private set; }

    /// <summary>StackExchange.Redis configuration string for this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<ConsentRedisServer> StartAsync()
    {
        var server = new ConsentRedisServer();
        await server.InitializeAsync();
        return server;
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        for (int attempt = 1; ; attempt++)
        {
            Port = Sieve.Embedded.LoopbackPorts.Free();
            try
            {
                await LaunchAsync();
                return;
            }
            catch (IOException) when (attempt < 5)
            {
                // Another process took the port between probing and binding; try another one.
            }
        }
    }

    /// <summary>Kills the server (an outage as clients see it) and waits until it is gone.</summary>
    public void Stop()
    {
        Process? process = Interlocked.Exchange(ref _process, null);
        if (process is null)
        {
            return;
        }

        Harness.ProcessEnd.KillAndDispose(process);
    }

    /// <summary>Starts a fresh server on the same port after <see cref="Stop"/>.</summary>
    public Task RestartAsync() => LaunchAsync();

    public Task DisposeAsync()
    {
        Stop();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private static string FindExecutable()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/local/bin"))
        {
            string candidate = Path.Combine(dir, "redis-server");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException(InstallHint);
    }

    private async Task LaunchAsync()
    {
        var info = new ProcessStartInfo(FindExecutable())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1",
                     "--save", "", "--appendonly", "no", "--dir", _directory, "--daemonize", "no", "--protected-mode", "no",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.Exited += (_, _) => ready.TrySetException(new IOException("redis-server exited during startup (port in use?)"));
        if (!process.Start())
        {
            throw new InvalidOperationException(InstallHint);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(StartupGuard);
        }
        catch
        {
            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
            }

            process.Dispose();
            throw;
        }

        _process = process;
    }
}
