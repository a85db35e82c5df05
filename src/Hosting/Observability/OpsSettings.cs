using Microsoft.Extensions.Configuration;

namespace Sieve.Hosting.Observability;

/// <summary>
/// Where a service serves <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>: <c>Metrics:Urls</c>, a
/// semicolon-separated list of <c>http://host:port</c>, each service with its own default port.
/// </summary>
public sealed class OpsSettings
{
    /// <summary>The configuration key.</summary>
    public const string UrlsKey = "Metrics:Urls";

    private OpsSettings(IReadOnlyList<OpsListenAddress> listeners) => Listeners = listeners;

    /// <summary>The listeners to bind.</summary>
    public IReadOnlyList<OpsListenAddress> Listeners { get; }

    /// <summary>Reads <c>Metrics:Urls</c>, or <c>http://0.0.0.0:</c><paramref name="defaultPort"/> when it is not set.</summary>
    /// <exception cref="OpsSettingsException">An entry is malformed.</exception>
    public static OpsSettings From(IConfiguration configuration, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        string? urls = configuration[UrlsKey];
        if (string.IsNullOrWhiteSpace(urls))
        {
            urls = "http://0.0.0.0:" + defaultPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new OpsSettings(OpsListenAddress.ParseList(urls, UrlsKey));
    }

    /// <summary>True when a connection on local port <paramref name="localPort"/> came in through one of <see cref="Listeners"/>.</summary>
    public bool Serves(int localPort)
    {
        foreach (OpsListenAddress listener in Listeners)
        {
            if (listener.BoundPort == localPort)
            {
                return true;
            }
        }

        return false;
    }
}
