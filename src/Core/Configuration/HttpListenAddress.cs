using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Sieve.Core.Configuration;

/// <summary>
/// One entry of <c>Ingest:Http:Urls</c>: <c>http://0.0.0.0:8080</c>, <c>http://*:8080</c>, <c>http://localhost:8080</c>,
/// <c>http://127.0.0.1:0</c> (a free port), <c>http://[::1]:8080</c>, or the same with <c>https</c> (which takes its
/// certificate from Kestrel's <c>Kestrel:Certificates:Default</c> settings).
/// </summary>
/// <remarks>
/// The service binds these itself instead of leaving them to the host's <c>urls</c> setting, because modules that add
/// non-HTTP listeners (such as a raw TCP listener) call Kestrel's <c>Listen</c>, and Kestrel then ignores <c>urls</c>.
/// </remarks>
public sealed class HttpListenAddress
{
    private HttpListenAddress(bool https, IPAddress? address, bool localhost, int port)
    {
        Https = https;
        Address = address;
        IsLocalhost = localhost;
        Port = port;
    }

    /// <summary>True for <c>https</c>.</summary>
    public bool Https { get; }

    /// <summary>The address to bind; null for every address (<c>*</c>, <c>+</c>, <c>0.0.0.0</c>) or for <c>localhost</c>.</summary>
    public IPAddress? Address { get; }

    /// <summary>True for <c>localhost</c>: both loopback addresses.</summary>
    public bool IsLocalhost { get; }

    /// <summary>The port; 0 lets the system pick a free one (not allowed with <c>localhost</c>).</summary>
    public int Port { get; }

    /// <summary>Parses the semicolon-separated list in <paramref name="urls"/>; <paramref name="key"/> names the setting in errors.</summary>
    /// <exception cref="SettingsException">An entry is not a URL of the forms above.</exception>
    public static IReadOnlyList<HttpListenAddress> ParseList(string urls, string key)
    {
        var result = new List<HttpListenAddress>();
        foreach (string part in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result.Add(Parse(part, key, result.Count));
        }

        if (result.Count == 0)
        {
            ConfigValues.Fail(key, "needs at least one URL such as http://0.0.0.0:8080.");
        }

        return result;
    }

    /// <summary>Binds this address on <paramref name="options"/>.</summary>
    public void Bind(KestrelServerOptions options)
    {
        bool https = Https;
        Action<ListenOptions> configure = listen =>
        {
            if (https)
            {
                listen.UseHttps();
            }
        };
        if (IsLocalhost)
        {
            options.ListenLocalhost(Port, configure);
        }
        else if (Address is null)
        {
            options.ListenAnyIP(Port, configure);
        }
        else
        {
            options.Listen(Address, Port, configure);
        }
    }

    private static HttpListenAddress Parse(string url, string key, int index)
    {
        string where = key + " (entry " + (index + 1).ToString(CultureInfo.InvariantCulture) + ")";
        bool https;
        string rest;
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            https = false;
            rest = url["http://".Length..];
        }
        else if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            https = true;
            rest = url["https://".Length..];
        }
        else
        {
            ConfigValues.Fail(where, "must start with http:// or https://.");
            return null;
        }

        rest = rest.TrimEnd('/');
        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1 || rest.IndexOf('/', StringComparison.Ordinal) >= 0)
        {
            ConfigValues.Fail(where, "must be scheme://host:port with no path, e.g. http://0.0.0.0:8080.");
        }

        string host = rest[..colon];
        if (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            ConfigValues.Fail(where, "port must be a number from 0 to 65535.");
        }

        if (host is "*" or "+" or "0.0.0.0" or "[::]")
        {
            return new HttpListenAddress(https, null, localhost: false, port);
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            if (port == 0)
            {
                ConfigValues.Fail(where, "localhost needs a fixed port; use 127.0.0.1:0 for a free port.");
            }

            return new HttpListenAddress(https, null, localhost: true, port);
        }

        string literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (!IPAddress.TryParse(literal, out IPAddress? address))
        {
            ConfigValues.Fail(where, "host must be *, +, localhost or an IP address.");
        }

        return new HttpListenAddress(https, address, localhost: false, port);
    }
}
