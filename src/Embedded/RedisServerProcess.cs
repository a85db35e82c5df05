using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Sieve.Embedded;

/// <summary>
/// A <c>redis-server</c> child process on a loopback port, without persistence, working in its own temporary
/// folder. It can be stopped and started again on the same port to simulate an outage; data does not survive a
/// restart.
/// </summary>
public sealed class RedisServerProcess : IDisposable
{
    /// <summary>The message of the exception thrown when no redis-server binary is found.</summary>
    public const string NotFoundMessage = "redis-server not found; install it with: sudo apt-get install -y redis-server";

    private const int OutputLinesKept = 20;

    private static readonly TimeSpan DefaultReadyTimeout = TimeSpan.FromSeconds(10);
    private static readonly byte[] PingCommand = "PING\r\n"u8.ToArray();

    private readonly Lock _gate = new();
    private readonly string _binary;
    private readonly Queue<string> _output = new();
    private Process? _process;
    private bool _disposed;

    private RedisServerProcess(string binary, int port, string workingDirectory)
    {
        _binary = binary;
        Port = port;
        WorkingDirectory = workingDirectory;
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>The loopback port the server listens on; the same across <see cref="Stop"/> and <see cref="StartAsync"/>.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string, <c>127.0.0.1:port</c>.</summary>
    public string Configuration => "127.0.0.1:" + Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The temporary folder the server runs in; deleted by <see cref="Dispose"/>.</summary>
    public string WorkingDirectory { get; }

    /// <summary>Whether the server process is running.</summary>
    public bool IsRunning
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: false };
            }
        }
    }

    /// <summary>Looks for <c>redis-server</c> on PATH, then in /usr/bin, /usr/sbin and /usr/local/bin.</summary>
    /// <returns>The full path, or null when there is none.</returns>
    public static string? FindBinary()
    {
        string fileName = OperatingSystem.IsWindows() ? "redis-server.exe" : "redis-server";
        var folders = new List<string>();
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (!string.IsNullOrEmpty(path))
        {
            folders.AddRange(path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        }

        folders.Add("/usr/bin");
        folders.Add("/usr/sbin");
        folders.Add("/usr/local/bin");
        foreach (string folder in folders)
        {
            string candidate = Path.Combine(folder, fileName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// Starts a server on a free loopback port and completes when it answers PING.
    /// </summary>
    /// <param name="readyTimeout">How long to wait for the first PONG; 10 s when null.</param>
    /// <param name="cancellationToken">Cancels the wait; the process is then killed.</param>
    /// <exception cref="FileNotFoundException">No redis-server binary; the message says how to install it.</exception>
    /// <exception cref="TimeoutException">The server did not answer in time.</exception>
    /// <exception cref="InvalidOperationException">The server exited while starting; the message has its last output lines.</exception>
    public static async Task<RedisServerProcess> StartNewAsync(TimeSpan? readyTimeout = null, CancellationToken cancellationToken = default)
    {
        string binary = FindBinary() ?? ThrowHelper.ThrowNotFound();
        string directory = Directory.CreateTempSubdirectory("sieve-redis-").FullName;
        var server = new RedisServerProcess(binary, LoopbackPorts.Free(), directory);
        try
        {
            await server.StartAsync(readyTimeout, cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts the server again on the same port (after <see cref="Stop"/>) and completes when it answers PING.
    /// Does nothing if it is running.
    /// </summary>
    /// <param name="readyTimeout">How long to wait for PONG; 10 s when null.</param>
    /// <param name="cancellationToken">Cancels the wait; the process is then killed.</param>
    /// <exception cref="TimeoutException">The server did not answer in time.</exception>
    /// <exception cref="InvalidOperationException">The server exited while starting (e.g. the port was taken meanwhile).</exception>
    public async Task StartAsync(TimeSpan? readyTimeout = null, CancellationToken cancellationToken = default)
    {
        Process process;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_process is { HasExited: false })
            {
                return;
            }

            _process?.Dispose();
            _output.Clear();
            process = Launch();
            _process = process;
        }

        try
        {
            await WaitUntilReadyAsync(process, readyTimeout ?? DefaultReadyTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Stop();
            throw;
        }
    }

    /// <summary>Blocking form of <see cref="StartAsync"/>, for callers without an async context.</summary>
    public void Start() => StartAsync().GetAwaiter().GetResult();

    /// <summary>Kills the server and waits until it has exited; its port then refuses connections.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            Process? process = _process;
            if (process is null || process.HasExited)
            {
                return;
            }

            try
            {
                process.Kill();
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }

            process.WaitForExit();
        }
    }

    /// <summary>Kills the server and deletes its working folder.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Stop();
        lock (_gate)
        {
            _process?.Dispose();
            _process = null;
        }

        try
        {
            Directory.Delete(WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Stop();

    private Process Launch()
    {
        var start = new ProcessStartInfo(_binary)
        {
            WorkingDirectory = WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", string.Empty,
            "--appendonly", "no",
            "--dir", WorkingDirectory,
            "--daemonize", "no",
            "--loglevel", "warning",
        ];
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += OnOutput;
        process.ErrorDataReceived += OnOutput;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void OnOutput(object sender, DataReceivedEventArgs e)
    {
        if (e.Data is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Count == OutputLinesKept)
            {
                _output.Dequeue();
            }

            _output.Enqueue(e.Data);
        }
    }

    private string LastOutput()
    {
        lock (_output)
        {
            return string.Join(" | ", _output);
        }
    }

    private async Task WaitUntilReadyAsync(Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        Task exited = process.WaitForExitAsync(CancellationToken.None);
        while (true)
        {
            if (exited.IsCompleted)
            {
                ThrowHelper.ThrowExited(process.ExitCode, LastOutput());
            }

            if (await AnswersPingAsync(deadline.Token).ConfigureAwait(false))
            {
                return;
            }

            // The port opens a few milliseconds after exec; retry until the deadline or the process ends.
            Task retry = Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
            await Task.WhenAny(retry, exited).ConfigureAwait(false);
            if (deadline.IsCancellationRequested)
            {
                cancellationToken.ThrowIfCancellationRequested();
                ThrowHelper.ThrowNotReady(Port, timeout, LastOutput());
            }
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(PingCommand, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            byte[] reply = new byte[16];
            int received = 0;
            while (received < 7)
            {
                int n = await socket.ReceiveAsync(reply.AsMemory(received), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return false;
                }

                received += n;
            }

            // "-LOADING" and other errors mean not ready yet; only "+PONG" counts.
            return reply.AsSpan(0, 7).SequenceEqual("+PONG\r\n"u8);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
