using System.Diagnostics;
using System.Globalization;

namespace Sieve.Commands.Soak;

/// <summary>
/// One Sieve service (<c>dotnet Sieve.&lt;name&gt;.dll</c>) run as a child process with fixed arguments, so that it can
/// be killed with SIGKILL and started again on the same ports. Every incarnation's console output goes to its own
/// log file; the metrics listener is scraped over HTTP.
/// </summary>
internal sealed class SoakService : IDisposable
{
    private readonly string _dll;
    private readonly IReadOnlyList<string> _arguments;
    private readonly string _logDirectory;
    private readonly Uri _metrics;
    private Process? _process;
    private StreamWriter? _log;
    private DateTime _startedAt;
    private bool _killedByUs;
    private bool _disposed;

    // Start, kill and dispose come from the kill loop and from the process-exit handler (SIGTERM): one at a time,
    // and nothing starts after dispose.
    private readonly Lock _lock = new();

    /// <summary>A service run as <c>dotnet <paramref name="dll"/> <paramref name="arguments"/></c>, its metrics listener on loopback <paramref name="metricsPort"/>.</summary>
    public SoakService(string name, string dll, IReadOnlyList<string> arguments, string logDirectory, int metricsPort)
    {
        Name = name;
        _dll = dll;
        string metrics = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{metricsPort}");
        _arguments = [.. arguments, "--Metrics:Urls=" + metrics];
        _logDirectory = logDirectory;
        _metrics = new Uri(metrics + "/metrics");
    }

    /// <summary>Ingest, Minimizer or Sink.</summary>
    public string Name { get; }

    /// <summary>How many times the service was started.</summary>
    public int Starts { get; private set; }

    /// <summary>Exits nobody asked for (the process ended while it should have been running), with their exit codes.</summary>
    public List<int> UnexpectedExits { get; } = [];

    /// <summary>The log files written so far, one per incarnation.</summary>
    public List<string> LogFiles { get; } = [];

    /// <summary>The current incarnation's process id; null when none runs.</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>True while the current incarnation runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>How long the current incarnation has run.</summary>
    public TimeSpan Uptime => DateTime.UtcNow - _startedAt;

    /// <summary>Starts a new incarnation (nothing once disposed).</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                StartLocked();
            }
        }
    }

    private void StartLocked()
    {
        Starts++;
        string log = Path.Combine(_logDirectory, string.Create(CultureInfo.InvariantCulture, $"{Name.ToLowerInvariant()}-{Starts:D3}.log"));
        LogFiles.Add(log);
        _log = new StreamWriter(log, append: false) { AutoFlush = true };
        var start = new ProcessStartInfo(Sieve.Embedded.DotnetHost.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _logDirectory,
        };
        start.ArgumentList.Add(_dll);
        foreach (string argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The keys come from the keys file named in the arguments, never from a variable of the caller's.
        start.Environment.Remove("SIEVE_MASTER_KEYS");
        var process = new Process { StartInfo = start };
        StreamWriter writer = _log;
        process.OutputDataReceived += (_, e) => Write(writer, e.Data);
        process.ErrorDataReceived += (_, e) => Write(writer, e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException("The " + Name + " process did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _killedByUs = false;
        _startedAt = DateTime.UtcNow;
    }

    /// <summary>SIGKILL: no shutdown of any kind, nothing flushed, closed or committed. Waits until the process is gone.</summary>
    public void Kill()
    {
        lock (_lock)
        {
            KillLocked();
        }
    }

    private void KillLocked()
    {
        if (_process is null)
        {
            return;
        }

        _killedByUs = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
        Release();
    }

    /// <summary>SIGTERM, then SIGKILL if the service has not stopped within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        Process? process = _process;
        if (process is null)
        {
            return;
        }

        _killedByUs = true;
        if (!process.HasExited && OperatingSystem.IsLinux())
        {
            Terminate(process.Id);
            try
            {
                await process.WaitForExitAsync().WaitAsync(grace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Kill below.
            }
        }

        Kill();
    }

    /// <summary>Restarts the service if its process ended by itself (recording the exit); true when it did.</summary>
    public bool RestartIfExited()
    {
        lock (_lock)
        {
            if (_disposed || _process is not { HasExited: true } || _killedByUs)
            {
                return false;
            }

            UnexpectedExits.Add(_process.ExitCode);
            Release();
            StartLocked();
            return true;
        }
    }

    /// <summary>The service's metrics page, or null when it does not answer within 5 s.</summary>
    public async Task<string?> ScrapeAsync(HttpClient http)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            return await http.GetStringAsync(_metrics, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            KillLocked();
            Release();
        }
    }

    private void Release()
    {
        if (_process is not null)
        {
            // Waits for the output handlers to drain before the log closes.
            _process.WaitForExit();
            _process.Dispose();
            _process = null;
        }

        _log?.Dispose();
        _log = null;
    }

    private static void Write(StreamWriter writer, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (writer)
        {
            try
            {
                writer.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
                // A line that arrives after the incarnation's log closed.
            }
        }
    }

    // SIGTERM through kill(1): the host's graceful stop, without unsafe interop in this assembly.
    private static void Terminate(int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
        kill?.WaitForExit();
    }
}
