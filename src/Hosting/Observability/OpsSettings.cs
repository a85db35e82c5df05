using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Sieve.Hosting.Configuration;

namespace Sieve.Hosting.Observability;

/// <summary><c>Metrics:Urls</c> as configured (section <c>Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Metrics";

    /// <summary><c>Metrics:Urls</c>: a semicolon-separated list of <c>http://host:port</c>; each service has its own default port.</summary>
    public string? Urls { get; set; }

    /// <summary>
    /// <c>Metrics:Token</c>: when set (at least <see cref="OpsSettings.MinTokenLength"/> characters), <c>/metrics</c>
    /// answers only requests with <c>Authorization: Bearer &lt;token&gt;</c>, others 401. <c>/healthz</c> and
    /// <c>/readyz</c> stay open for probes.
    /// </summary>
    public string? Token { get; set; }
}

/// <summary>
/// Where a service serves <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>: <c>Metrics:Urls</c>, a
/// semicolon-separated list of <c>http://host:port</c>, each service with its own default port.
/// </summary>
public sealed class OpsSettings
{
    /// <summary>The configuration key.</summary>
    public const string UrlsKey = "Metrics:Urls";

    /// <summary>The key of the bearer token <c>/metrics</c> requires.</summary>
    public const string TokenKey = "Metrics:Token";

    /// <summary>The shortest <c>Metrics:Token</c> accepted.</summary>
    public const int MinTokenLength = 16;

    private OpsSettings(IReadOnlyList<ListenAddress> listeners, byte[]? tokenHash)
    {
        Listeners = listeners;
        TokenHash = tokenHash;
    }

    /// <summary>The listeners to bind.</summary>
    public IReadOnlyList<ListenAddress> Listeners { get; }

    /// <summary>SHA-256 of <c>Metrics:Token</c> (the token itself is not kept), or null when <c>/metrics</c> is open.</summary>
    public byte[]? TokenHash { get; }

    /// <summary>
    /// Registers <c>Metrics:Urls</c> (validated on start; <c>http://127.0.0.1:</c><paramref name="defaultPort"/> when not
    /// set) and the <see cref="OpsSettings"/> made of it.
    /// </summary>
    public static void Register(IServiceCollection services, IConfiguration configuration, int defaultPort)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSettings<MetricsOptions>(configuration, MetricsOptions.Section)
            .PostConfigure(o =>
            {
                if (string.IsNullOrWhiteSpace(o.Urls))
                {
                    // Metrics and health say how the pipeline runs: loopback unless the operator opens them on purpose.
                    o.Urls = DefaultUrls(defaultPort);
                }
            });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsOptions>>(new MetricsValidator(Example(defaultPort))));
        services.AddSingleton(sp =>
        {
            MetricsOptions o = sp.GetRequiredService<IOptions<MetricsOptions>>().Value;
            return new OpsSettings(
                ListenAddress.ParseList(o.Urls!, UrlsKey, allowHttps: false, Example(defaultPort)),
                string.IsNullOrEmpty(o.Token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(o.Token)));
        });
    }

    /// <summary>True when a connection on local port <paramref name="localPort"/> came in through one of <see cref="Listeners"/>.</summary>
    public bool Serves(int localPort)
    {
        foreach (ListenAddress listener in Listeners)
        {
            if (listener.BoundPort == localPort)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The listener when <c>Metrics:Urls</c> is not set: loopback only, on the service's port.</summary>
    public static string DefaultUrls(int port) => "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);

    private static string Example(int port) => "http://0.0.0.0:" + port.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Checks <c>Metrics:Urls</c> and <c>Metrics:Token</c>.</summary>
/// <param name="example">An entry shown in errors.</param>
internal sealed class MetricsValidator(string example) : IValidateOptions<MetricsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        if (!ListenAddress.TryParseList(options.Urls, OpsSettings.UrlsKey, allowHttps: false, example, out _, out string? failure))
        {
            return ValidateOptionsResult.Fail(failure);
        }

        // Empty means no token; anything else must be long enough and usable in a header.
        string? token = options.Token;
        if (string.IsNullOrEmpty(token))
        {
            return ValidateOptionsResult.Success;
        }

        if (token.Length < OpsSettings.MinTokenLength)
        {
            return ValidateOptionsResult.Fail(OpsSettings.TokenKey + ": must be at least 16 characters.");
        }

        foreach (char c in token)
        {
            if (c <= ' ' || c > '~')
            {
                return ValidateOptionsResult.Fail(OpsSettings.TokenKey + ": must be printable ASCII without spaces.");
            }
        }

        return ValidateOptionsResult.Success;
    }
}
