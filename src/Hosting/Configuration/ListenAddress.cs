using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Sieve.Hosting.Configuration;

/// <summary>
/// One entry of a listener list such as <c>Ingest:Http:Urls</c> or <c>Metrics:Urls</c>: <c>http://0.0.0.0:8080</c>,
/// <c>http://*:8080</c>, <c>http://localhost:8080</c>, <c>http://127.0.0.1:0</c> (a free port),
/// <c>http://[::1]:8080</c>, and, where a list allows it, the same with <c>https</c> (which takes its certificate
/// from Kestrel's <c>Kestrel:Certificates:Default</c> settings).
/// </summary>
/// <remarks>
/// The services bind these themselves instead of leaving them to the host's <c>urls</c> setting, because modules that
/// add non-HTTP listeners (such as a raw TCP listener) call Kestrel's <c>Listen</c>, and Kestrel then ignores <c>urls</c>.
/// </remarks>
public sealed class ListenAddress
{
    private ListenOptions? _bound;

    private ListenAddress(bool https, IPAddress? address, bool localhost, int port)
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

    /// <summary>The configured port; 0 lets the system pick a free one (not allowed with <c>localhost</c>).</summary>
    public int Port { get; }

    /// <summary>The port actually bound (the system's pick for port 0) once the server listens; otherwise <see cref="Port"/>.</summary>
    public int BoundPort => _bound?.IPEndPoint?.Port ?? Port;

    /// <summary>Parses the semicolon-separated list in <paramref name="urls"/>; <paramref name="key"/> names the setting in errors.</summary>
    /// <param name="urls">The list.</param>
    /// <param name="key">The setting's key.</param>
    /// <param name="allowHttps">Whether <c>https</c> entries are accepted.</param>
    /// <param name="example">An entry shown in errors, e.g. <c>http://0.0.0.0:8080</c>.</param>
    /// <exception cref="SettingsException">An entry is not a URL of the forms above, or there is none.</exception>
    public static IReadOnlyList<ListenAddress> ParseList(string urls, string key, bool allowHttps, string example)
    {
        if (!TryParseList(urls, key, allowHttps, example, out IReadOnlyList<ListenAddress>? result, out string? failure))
        {
            int colon = failure.IndexOf(": ", StringComparison.Ordinal);
            throw new SettingsException(failure[..colon], failure[(colon + 2)..]);
        }

        return result;
    }

    /// <summary>Parses like <see cref="ParseList"/>; on failure returns false and a <c>Key: problem</c> line.</summary>
    public static bool TryParseList(string? urls, string key, bool allowHttps, string example,
        [NotNullWhen(true)] out IReadOnlyList<ListenAddress>? result, [NotNullWhen(false)] out string? failure)
    {
        var list = new List<ListenAddress>();
        result = null;
        foreach (string part in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string where = key + " (entry " + (list.Count + 1).ToString(CultureInfo.InvariantCulture) + ")";
            string? problem = TryParse(part, allowHttps, example, out ListenAddress? address);
            if (problem is not null)
            {
                failure = SettingsProblems.Failure(where, problem);
                return false;
            }

            list.Add(address!);
        }

        if (list.Count == 0)
        {
            failure = SettingsProblems.Failure(key, "needs at least one URL such as " + example + ".");
            return false;
        }

        result = list;
        failure = null;
        return true;
    }

    /// <summary>Binds this address on <paramref name="options"/> and remembers the listener, to learn the bound port.</summary>
    public void Bind(KestrelServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        bool https = Https;
        Action<ListenOptions> configure = listen =>
        {
            _bound = listen;
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

    private static string? TryParse(string url, bool allowHttps, string example, out ListenAddress? result)
    {
        result = null;
        bool https;
        string rest;
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            https = false;
            rest = url["http://".Length..];
        }
        else if (allowHttps && url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            https = true;
            rest = url["https://".Length..];
        }
        else
        {
            return allowHttps ? "must start with http:// or https://." : "must start with http://, e.g. " + example + ".";
        }

        rest = rest.TrimEnd('/');
        int colon = rest.LastIndexOf(':');
        if (colon <= 0 || colon == rest.Length - 1 || rest.Contains('/', StringComparison.Ordinal))
        {
            return (allowHttps ? "must be scheme://host:port" : "must be http://host:port") + " with no path, e.g. " + example + ".";
        }

        string host = rest[..colon];
        if (!int.TryParse(rest.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            return "port must be a number from 0 to 65535.";
        }

        if (host is "*" or "+" or "0.0.0.0" or "[::]")
        {
            result = new ListenAddress(https, null, localhost: false, port);
            return null;
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            if (port == 0)
            {
                return "localhost needs a fixed port; use 127.0.0.1:0 for a free port.";
            }

            result = new ListenAddress(https, null, localhost: true, port);
            return null;
        }

        string literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        if (!IPAddress.TryParse(literal, out IPAddress? address))
        {
            return "host must be *, +, localhost or an IP address.";
        }

        result = new ListenAddress(https, address, localhost: false, port);
        return null;
    }
}
