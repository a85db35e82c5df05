using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Sieve.Hosting.Observability;

/// <summary>
/// One entry of <c>Metrics:Urls</c>: <c>http://0.0.0.0:9465</c>, <c>http://*:9465</c>, <c>http://localhost:9465</c>,
/// <c>http://127.0.0.1:0</c> (a free port) or <c>http://[::1]:9465</c>. Plain HTTP only: the endpoints serve
/// counts and states, never data, and are meant for a private network.
/// </summary>
public sealed class OpsListenAddress
{
    private ListenOptions? _bound;

    private OpsListenAddress(IPAddress? address, bool localhost, int port)
    {
        Address = address;
        IsLocalhost = localhost;
        Port = port;
    }

    /// <summary>The address to bind; null for every address or for <c>localhost</c>.</summary>
    public IPAddress? Address { get; }

    /// <summary>True for <c>localhost</c>: both loopback addresses.</summary>
    public bool IsLocalhost { get; }

    /// <summary>The configured port; 0 lets the system pick a free one.</summary>
    public int Port { get; }

    /// <summary>The port actually bound (the system's pick for port 0) once the server listens; otherwise <see cref="Port"/>.</summary>
    public int BoundPort => _bound?.IPEndPoint?.Port ?? Port;

    /// <summary>Parses the semicolon-separated list in <paramref name="urls"/>; <paramref name="key"/> names the setting in errors.</summary>
    /// <exception cref="OpsSettingsException">An entry is not a URL of the forms above, or there is none.</exception>
    public static IReadOnlyList<OpsListenAddress> ParseList(string urls, string key)
    {
        var result = new List<OpsListenAddress>();
        foreach (string part in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result.Add(Parse(part, key + " (entry " + (result.Count + 1).ToString(CultureInfo.InvariantCulture) + ")"));
        }

        if (result.Count == 0)
        {
            throw new OpsSettingsException(key + ": needs at least one URL such as http://0.0.0.0:9465.");
        }

        return result;
    }

    /// <summary>Binds this address on <paramref name="options"/> and remembers the listener, to learn the bound port.</summary>
    public void Bind(KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Action<ListenOptions> remember = listen => _bound = listen;
        if (IsLocalhost)
        {
            options.ListenLocalhost(Port, remember);
        }
        else if (Address is null)
        {
            options.ListenAnyIP(Port, remember);
        }
        else
        {
            options.Listen(Address, Port, remember);
        }
    }

    private static OpsListenAddress Parse(string url, string where)
    {
        if (!url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            throw new OpsSettingsException(where + ": must start with http://, e.g. http://0.0.0.0:9465.");
        }

        string rest = url["http://".Length..].TrimEnd('/');
        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1 || rest.Contains('/', StringComparison.Ordinal))
        {
            throw new OpsSettingsException(where + ": must be http://host:port with no path, e.g. http://0.0.0.0:9465.");
        }

        string host = rest[..colon];
        if (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new OpsSettingsException(where + ": port must be a number from 0 to 65535.");
        }

        if (host is "*" or "+" or "0.0.0.0" or "[::]")
        {
            return new OpsListenAddress(null, localhost: false, port);
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return port == 0
                ? throw new OpsSettingsException(where + ": localhost needs a fixed port; use 127.0.0.1:0 for a free port.")
                : new OpsListenAddress(null, localhost: true, port);
        }

        string literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        return IPAddress.TryParse(literal, out IPAddress? address)
            ? new OpsListenAddress(address, localhost: false, port)
            : throw new OpsSettingsException(where + ": host must be *, +, localhost or an IP address.");
    }
}
