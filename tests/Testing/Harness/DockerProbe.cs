using System.Net.Sockets;

namespace Sieve.Testing.Harness;

/// <summary>
/// Answers, quickly and once per test run, whether a Docker engine responds, so fixtures can choose Testcontainers
/// only where it can work. A missing socket answers at once; a socket that does not answer /_ping within 2 s counts
/// as no engine.
/// </summary>
public static class DockerProbe
{
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);
    private static readonly Lazy<Task<bool>> Answer = new(PingAsync);

    /// <summary>True when a Docker engine answered <c>GET /_ping</c>.</summary>
    public static Task<bool> IsAvailableAsync() => Answer.Value;

    private static async Task<bool> PingAsync()
    {
        string? host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (!string.IsNullOrEmpty(host))
        {
            if (host.StartsWith("unix://", StringComparison.Ordinal))
            {
                return await PingUnixSocketAsync(host["unix://".Length..]).ConfigureAwait(false);
            }

            if (host.StartsWith("tcp://", StringComparison.Ordinal))
            {
                return await PingHttpAsync(new HttpClient(), new Uri("http://" + host["tcp://".Length..].TrimEnd('/') + "/_ping")).ConfigureAwait(false);
            }

            return false;
        }

        var sockets = new List<string> { "/var/run/docker.sock" };
        string? runtimeDirectory = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
        if (!string.IsNullOrEmpty(runtimeDirectory))
        {
            sockets.Add(Path.Combine(runtimeDirectory, "docker.sock"));
        }

        sockets.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".docker", "run", "docker.sock"));
        foreach (string socket in sockets)
        {
            if (await PingUnixSocketAsync(socket).ConfigureAwait(false))
            {
                return true;
            }
        }

        return false;
    }

    private static Task<bool> PingUnixSocketAsync(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return Task.FromResult(false);
        }

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return PingHttpAsync(new HttpClient(handler), new Uri("http://localhost/_ping"));
    }

    private static async Task<bool> PingHttpAsync(HttpClient client, Uri uri)
    {
        using (client)
        {
            client.Timeout = PingTimeout;
            try
            {
                using HttpResponseMessage response = await client.GetAsync(uri).ConfigureAwait(false);
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
            catch (SocketException)
            {
                return false;
            }
        }
    }
}
