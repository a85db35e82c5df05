using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Sieve.Contracts.Records;
using Sieve.Core.Gateways;
using Sieve.Hosting.Configuration;

namespace Sieve.Hosting.Ingest;

/// <summary>The gateway endpoints' settings as configured (section <c>Ingest</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary><c>Ingest:Meraki:*</c>.</summary>
    public MerakiOptions Meraki { get; } = new();

    /// <summary><c>Ingest:Portal:*</c>.</summary>
    public PortalOptions Portal { get; } = new();

    /// <summary><c>Ingest:Limits:*</c>.</summary>
    public GatewayLimitOptions Limits { get; } = new();

    /// <summary><c>Ingest:RateLimit:*</c>.</summary>
    public GatewayRateLimitOptions RateLimit { get; } = new();
}

/// <summary><c>Ingest:Meraki:*</c>.</summary>
public sealed class MerakiOptions
{
    /// <summary><c>Ingest:Meraki:Validator</c>: returned to Meraki's validation GET.</summary>
    public string? Validator { get; set; }

    /// <summary><c>Ingest:Meraki:Secret</c>: the shared secret of the POSTs.</summary>
    public string? Secret { get; set; }

    /// <summary><c>Ingest:Meraki:Networks:&lt;networkId&gt;:*</c>.</summary>
    public Dictionary<string, MerakiNetworkOptions> Networks { get; } = new(StringComparer.Ordinal);
}

/// <summary><c>Ingest:Meraki:Networks:&lt;networkId&gt;:*</c>.</summary>
public sealed class MerakiNetworkOptions
{
    /// <summary><c>OutletId</c> (required).</summary>
    public string? OutletId { get; set; }

    /// <summary><c>GatewayId</c> (default: the network id).</summary>
    public string? GatewayId { get; set; }
}

/// <summary><c>Ingest:Portal:*</c>.</summary>
public sealed class PortalOptions
{
    /// <summary><c>Ingest:Portal:Gateways:&lt;gatewayId&gt;:*</c>.</summary>
    public Dictionary<string, PortalGatewayOptions> Gateways { get; } = new(StringComparer.Ordinal);
}

/// <summary><c>Ingest:Portal:Gateways:&lt;gatewayId&gt;:*</c>.</summary>
public sealed class PortalGatewayOptions
{
    /// <summary><c>Token</c>: the gateway's bearer token (required).</summary>
    public string? Token { get; set; }

    /// <summary><c>OutletId</c> (required).</summary>
    public string? OutletId { get; set; }
}

/// <summary><c>Ingest:Limits:*</c>.</summary>
public sealed class GatewayLimitOptions
{
    /// <summary><c>Ingest:Limits:MerakiMaxBodyBytes</c>.</summary>
    [Range(1024, 256 * 1024 * 1024)]
    public int MerakiMaxBodyBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary><c>Ingest:Limits:PortalMaxBodyBytes</c>.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int PortalMaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary><c>Ingest:Limits:MerakiMaxObservations</c>.</summary>
    [Range(1, 1_000_000)]
    public int MerakiMaxObservations { get; set; } = 10_000;
}

/// <summary><c>Ingest:RateLimit:*</c>.</summary>
public sealed class GatewayRateLimitOptions
{
    /// <summary><c>Ingest:RateLimit:TokenLimit</c>.</summary>
    [Range(1, 1_000_000)]
    public int TokenLimit { get; set; } = 60;

    /// <summary><c>Ingest:RateLimit:TokensPerPeriod</c>.</summary>
    [Range(1, 1_000_000)]
    public int TokensPerPeriod { get; set; } = 10;

    /// <summary><c>Ingest:RateLimit:PeriodMs</c>.</summary>
    [Range(1, 86_400_000)]
    public int PeriodMs { get; set; } = 1000;
}

/// <summary>
/// Checks the gateway settings: ids and secrets. Messages never repeat a configured value.
/// </summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        string? failure = CheckMeraki(options.Meraki) ?? CheckPortal(options.Portal);

        return failure is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failure);
    }

    /// <summary>Makes the gateways' settings of validated <paramref name="options"/>.</summary>
    public static GatewaySettings Create(GatewayOptions options, string wifiRawTopic, TimeSpan retryAfter)
    {
        var networks = new Dictionary<string, MerakiNetwork>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, MerakiNetworkOptions> network in options.Meraki.Networks)
        {
            string gateway = string.IsNullOrWhiteSpace(network.Value.GatewayId) ? network.Key : network.Value.GatewayId;
            networks.Add(network.Key, new MerakiNetwork(network.Key, gateway, network.Value.OutletId!));
        }

        var portal = new List<PortalGateway>();
        foreach (KeyValuePair<string, PortalGatewayOptions> gateway in options.Portal.Gateways)
        {
            portal.Add(new PortalGateway(gateway.Key, SHA256.HashData(Encoding.UTF8.GetBytes(gateway.Value.Token!)), gateway.Value.OutletId!));
        }

        return new GatewaySettings
        {
            WifiRawTopic = wifiRawTopic,
            Meraki = networks.Count == 0
                ? null
                : new MerakiSettings(options.Meraki.Validator!, SHA256.HashData(Encoding.UTF8.GetBytes(options.Meraki.Secret!)), networks),
            PortalGateways = portal,
            Limits = new GatewayLimits
            {
                MerakiMaxBodyBytes = options.Limits.MerakiMaxBodyBytes,
                PortalMaxBodyBytes = options.Limits.PortalMaxBodyBytes,
                MerakiMaxObservations = options.Limits.MerakiMaxObservations,
                TokenLimit = options.RateLimit.TokenLimit,
                TokensPerPeriod = options.RateLimit.TokensPerPeriod,
                Period = TimeSpan.FromMilliseconds(options.RateLimit.PeriodMs),
            },
            RetryAfter = retryAfter,
        };
    }

    private static string? CheckMeraki(MerakiOptions meraki)
    {
        foreach (KeyValuePair<string, MerakiNetworkOptions> network in meraki.Networks)
        {
            string key = "Ingest:Meraki:Networks:" + network.Key;
            string? failure = CheckId(network.Key, key)
                ?? Required(network.Value.OutletId, key + ":OutletId")
                ?? CheckId(network.Value.OutletId!, key + ":OutletId");
            if (failure is null && !string.IsNullOrWhiteSpace(network.Value.GatewayId))
            {
                failure = CheckId(network.Value.GatewayId, key + ":GatewayId");
            }

            if (failure is not null)
            {
                return failure;
            }
        }

        if (meraki.Networks.Count == 0)
        {
            return string.IsNullOrWhiteSpace(meraki.Validator) && string.IsNullOrWhiteSpace(meraki.Secret)
                ? null
                : SettingsProblems.Failure("Ingest:Meraki:Networks", "no network is configured, so the Meraki receiver would reject everything. "
                    + "Add Ingest:Meraki:Networks:<networkId>:OutletId, or remove Ingest:Meraki:Validator and Ingest:Meraki:Secret.");
        }

        return Required(meraki.Validator, "Ingest:Meraki:Validator")
            ?? Required(meraki.Secret, "Ingest:Meraki:Secret")
            ?? (meraki.Secret!.Length < GatewaySettings.MinSecretLength
                ? SettingsProblems.Failure("Ingest:Meraki:Secret", "must be at least " + GatewaySettings.MinSecretLength + " characters.")
                : null);
    }

    private static string? CheckPortal(PortalOptions portal)
    {
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, PortalGatewayOptions> gateway in portal.Gateways)
        {
            string key = "Ingest:Portal:Gateways:" + gateway.Key;
            string? failure = CheckId(gateway.Key, key) ?? Required(gateway.Value.Token, key + ":Token");
            if (failure is not null)
            {
                return failure;
            }

            if (gateway.Value.Token!.Length < GatewaySettings.MinSecretLength)
            {
                return SettingsProblems.Failure(key + ":Token", "must be at least " + GatewaySettings.MinSecretLength + " characters.");
            }

            if (!tokens.Add(gateway.Value.Token))
            {
                return SettingsProblems.Failure(key + ":Token", "is the same as another gateway's token; each gateway needs its own.");
            }

            failure = Required(gateway.Value.OutletId, key + ":OutletId") ?? CheckId(gateway.Value.OutletId!, key + ":OutletId");
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    private static string? Required(string? value, string key) =>
        string.IsNullOrWhiteSpace(value) ? SettingsProblems.Failure(key, SettingsProblems.Required(key)) : null;

    /// <summary>Ids end up in records and logs: 1 to 128 printable ASCII characters without spaces.</summary>
    private static string? CheckId(string id, string key)
    {
        if (id.Length is 0 or > RecordLimits.MaxIdLength)
        {
            return SettingsProblems.Failure(key, "must be 1 to " + RecordLimits.MaxIdLength + " characters.");
        }

        foreach (char c in id)
        {
            if (c is <= ' ' or > '~')
            {
                return SettingsProblems.Failure(key, "must be printable ASCII without spaces.");
            }
        }

        return null;
    }
}
