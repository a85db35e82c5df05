using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Sieve.Embedded;
using StackExchange.Redis;

namespace Sieve.Testing.Harness;

/// <summary>
/// A three-primary Redis Cluster on loopback made of redis-server processes started for one test class: each node
/// is started with cluster mode on, gets a third of the slots, and meets the others; ready once every node reports
/// <c>cluster_state:ok</c>. A missing redis-server fails with the install command.
/// </summary>
public sealed class RedisClusterProcesses : IAsyncLifetime
{
    private const int Nodes = 3;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private readonly List<Process> _processes = [];
    private readonly List<int> _ports = [];
    private string? _directory;

    /// <summary>A StackExchange.Redis configuration string listing every node.</summary>
    public string Configuration => string.Join(',', _ports.Select(static p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The nodes' ports.</summary>
    public IReadOnlyList<int> Ports => _ports;

    public async Task InitializeAsync()
    {
        string binary = RedisServerProcess.FindBinary() ?? throw new InvalidOperationException(RedisServerProcess.NotFoundMessage);
        _directory = Directory.CreateTempSubdirectory("sieve-redis-cluster-").FullName;
        for (int i = 0; i < Nodes; i++)
        {
            int port = FreePortWithFreeBusPort();
            _ports.Add(port);
            await StartNodeAsync(binary, port);
        }

        // Until the slots are assigned the nodes do not form a cluster: each is addressed directly.
        ConfigurationOptions options = ConfigurationOptions.Parse(Configuration);
        options.AllowAdmin = true;
        await using ConnectionMultiplexer admin = await ConnectionMultiplexer.ConnectAsync(options);
        int slotsPerNode = 16384 / Nodes;
        for (int i = 0; i < Nodes; i++)
        {
            IServer server = admin.GetServer("127.0.0.1", _ports[i]);
            int first = i * slotsPerNode;
            int last = i == Nodes - 1 ? 16383 : first + slotsPerNode - 1;
            await server.ExecuteAsync("CLUSTER", "ADDSLOTSRANGE", first, last);
            if (i > 0)
            {
                await server.ExecuteAsync("CLUSTER", "MEET", "127.0.0.1", _ports[0]);
            }
        }

        // The cluster bus gossips the slot map on its own schedule; there is no event to await, so read each node's state.
        var deadline = Stopwatch.StartNew();
        foreach (int port in _ports)
        {
            IServer server = admin.GetServer("127.0.0.1", port);
            while (!((string?)await server.ExecuteAsync("CLUSTER", "INFO"))!.Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                if (deadline.Elapsed > ReadyTimeout)
                {
                    throw new TimeoutException($"the Redis cluster did not reach cluster_state:ok within {ReadyTimeout.TotalSeconds} s");
                }

                await Task.Delay(20);
            }
        }
    }

    public Task DisposeAsync()
    {
        foreach (Process process in _processes)
        {
            ProcessEnd.KillAndDispose(process);
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }

        return Task.CompletedTask;
    }

    private async Task StartNodeAsync(string binary, int port)
    {
        string portText = port.ToString(CultureInfo.InvariantCulture);
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory!,
        };
        foreach (string argument in new[]
                 {
                     "--port", portText, "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + portText + ".conf",
                     "--save", "", "--appendonly", "no", "--dir", _directory!,
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"redis-server on port {portText} exited before it was ready"));
            }
            else if (e.Data.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += static (_, _) => { };
        process.Start();
        _processes.Add(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await ready.Task.WaitAsync(ReadyTimeout);
    }

    // The cluster bus listens on port + 10000, so both must be free.
    private static int FreePortWithFreeBusPort()
    {
        while (true)
        {
            int port = FreePort(0);
            if (port < 55_000 && TryBind(port + 10_000))
            {
                return port;
            }
        }
    }

    private static int FreePort(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        int bound = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return bound;
    }

    private static bool TryBind(int port)
    {
        try
        {
            FreePort(port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
