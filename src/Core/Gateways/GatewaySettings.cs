using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Sieve.Contracts;
using Sieve.Contracts.Records;
using Sieve.Core.Configuration;

namespace Sieve.Core.Gateways;

/// <summary>A Meraki network the receiver accepts: which gateway and outlet its observations belong to.</summary>
/// <param name="NetworkId">Meraki's network id (<c>data.networkId</c>), e.g. <c>N_24329156</c>.</param>
/// <param name="GatewayId">Written as <c>gatewayId</c>; the rate-limit partition.</param>
/// <param name="OutletId">Written as <c>outletId</c>.</param>
internal sealed record MerakiNetwork(string NetworkId, string GatewayId, string OutletId);

/// <summary>A dealer's own portal gateway, the outlet it is installed at, and the SHA-256 of its bearer token.</summary>
/// <param name="GatewayId">The gateway's id; requests must name it in <c>gatewayId</c>.</param>
/// <param name="TokenHash">SHA-256 of the UTF-8 token, compared in constant time.</param>
/// <param name="OutletId">The outlet; requests must name it in <c>outletId</c>.</param>
/// <remarks>
/// <c>gatewayId</c> and <c>outletId</c> are classified <c>none</c> and may leave the raw zone as they are, so they are
/// always written from configuration; the request's values are only checked against it. A gateway therefore cannot
/// smuggle free text (say, a phone number) into an unprotected field.
/// </remarks>
internal sealed record PortalGateway(string GatewayId, byte[] TokenHash, string OutletId);

/// <summary>Meraki Scanning API receiver settings (<c>Ingest:Meraki:*</c>).</summary>
/// <param name="Validator">Returned to Meraki's validation GET.</param>
/// <param name="SecretHash">SHA-256 of the UTF-8 shared secret, compared in constant time.</param>
/// <param name="Networks">Accepted networks by network id (ordinal).</param>
internal sealed record MerakiSettings(string Validator, byte[] SecretHash, IReadOnlyDictionary<string, MerakiNetwork> Networks);

/// <summary>Request caps and per-gateway rate limits (<c>Ingest:Limits:*</c>, <c>Ingest:RateLimit:*</c>).</summary>
internal sealed record GatewayLimits
{
    /// <summary><c>Ingest:Limits:MerakiMaxBodyBytes</c>: largest Meraki POST body.</summary>
    public int MerakiMaxBodyBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary><c>Ingest:Limits:PortalMaxBodyBytes</c>: largest portal request body.</summary>
    public int PortalMaxBodyBytes { get; init; } = 256 * 1024;

    /// <summary><c>Ingest:Limits:MerakiMaxObservations</c>: most observations in one Meraki POST.</summary>
    public int MerakiMaxObservations { get; init; } = 10_000;

    /// <summary><c>Ingest:RateLimit:TokenLimit</c>: requests a gateway may make in a burst.</summary>
    public int TokenLimit { get; init; } = 60;

    /// <summary><c>Ingest:RateLimit:TokensPerPeriod</c>: requests added back to a gateway's bucket each period.</summary>
    public int TokensPerPeriod { get; init; } = 10;

    /// <summary><c>Ingest:RateLimit:PeriodMs</c>: the replenishment period.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Everything the gateway endpoints read from configuration, validated at start-up. Secrets and tokens are kept
/// only as SHA-256 digests, and no error message repeats a configured value.
/// </summary>
internal sealed class GatewaySettings
{
    /// <summary>Fewest characters of a portal token or the Meraki secret.</summary>
    public const int MinSecretLength = 16;

    /// <summary><c>Topics:WifiRaw</c>.</summary>
    public string WifiRawTopic { get; init; } = Topics.WifiRaw;

    /// <summary>The Meraki receiver, or null when no network is configured (its endpoint is then not mapped).</summary>
    public MerakiSettings? Meraki { get; init; }

    /// <summary>The portal gateways; empty when none are configured (the portal endpoints are then not mapped).</summary>
    public IReadOnlyList<PortalGateway> PortalGateways { get; init; } = [];

    /// <summary>Caps and rate limits.</summary>
    public GatewayLimits Limits { get; init; } = new();

    /// <summary>True when either endpoint family is configured.</summary>
    public bool AnyGateway => Meraki is not null || PortalGateways.Count > 0;

    /// <summary>Reads and validates <paramref name="config"/>; throws <see cref="SettingsException"/> naming the key at fault.</summary>
    public static GatewaySettings From(IConfiguration config)
    {
        MerakiSettings? meraki = ReadMeraki(config);
        List<PortalGateway> portal = ReadPortal(config);
        var limits = new GatewayLimits
        {
            MerakiMaxBodyBytes = ConfigValues.Int(config, "Ingest:Limits:MerakiMaxBodyBytes", 8 * 1024 * 1024, 1024, 256 * 1024 * 1024),
            PortalMaxBodyBytes = ConfigValues.Int(config, "Ingest:Limits:PortalMaxBodyBytes", 256 * 1024, 1024, 16 * 1024 * 1024),
            MerakiMaxObservations = ConfigValues.Int(config, "Ingest:Limits:MerakiMaxObservations", 10_000, 1, 1_000_000),
            TokenLimit = ConfigValues.Int(config, "Ingest:RateLimit:TokenLimit", 60, 1, 1_000_000),
            TokensPerPeriod = ConfigValues.Int(config, "Ingest:RateLimit:TokensPerPeriod", 10, 1, 1_000_000),
            Period = TimeSpan.FromMilliseconds(ConfigValues.Int(config, "Ingest:RateLimit:PeriodMs", 1000, 1, 86_400_000)),
        };

        string topic = config["Topics:WifiRaw"] ?? Topics.WifiRaw;
        if (string.IsNullOrWhiteSpace(topic))
        {
            ConfigValues.Fail("Topics:WifiRaw", "must not be blank.");
        }

        return new GatewaySettings
        {
            WifiRawTopic = topic,
            Meraki = meraki,
            PortalGateways = portal,
            Limits = limits,
        };
    }

    private static MerakiSettings? ReadMeraki(IConfiguration config)
    {
        var networks = new Dictionary<string, MerakiNetwork>(StringComparer.Ordinal);
        foreach (IConfigurationSection section in config.GetSection("Ingest:Meraki:Networks").GetChildren())
        {
            string key = "Ingest:Meraki:Networks:" + section.Key;
            CheckId(section.Key, key);
            string outlet = ConfigValues.Required(config, key + ":OutletId");
            CheckId(outlet, key + ":OutletId");
            string gateway = ConfigValues.Optional(config, key + ":GatewayId") ?? section.Key;
            CheckId(gateway, key + ":GatewayId");
            networks.Add(section.Key, new MerakiNetwork(section.Key, gateway, outlet));
        }

        string? validator = ConfigValues.Optional(config, "Ingest:Meraki:Validator");
        string? secret = ConfigValues.Optional(config, "Ingest:Meraki:Secret");
        if (networks.Count == 0)
        {
            if (validator is not null || secret is not null)
            {
                ConfigValues.Fail("Ingest:Meraki:Networks", "no network is configured, so the Meraki receiver would reject everything. "
                    + "Add Ingest:Meraki:Networks:<networkId>:OutletId, or remove Ingest:Meraki:Validator and Ingest:Meraki:Secret.");
            }

            return null;
        }

        validator = ConfigValues.Required(config, "Ingest:Meraki:Validator");
        secret = ConfigValues.Required(config, "Ingest:Meraki:Secret");
        if (secret.Length < MinSecretLength)
        {
            ConfigValues.Fail("Ingest:Meraki:Secret", "must be at least " + MinSecretLength + " characters.");
        }

        return new MerakiSettings(validator, SHA256.HashData(Encoding.UTF8.GetBytes(secret)), networks);
    }

    private static List<PortalGateway> ReadPortal(IConfiguration config)
    {
        var gateways = new List<PortalGateway>();
        var tokens = new HashSet<string>(StringComparer.Ordinal);
        foreach (IConfigurationSection section in config.GetSection("Ingest:Portal:Gateways").GetChildren())
        {
            string key = "Ingest:Portal:Gateways:" + section.Key;
            CheckId(section.Key, key);
            string token = ConfigValues.Required(config, key + ":Token");
            if (token.Length < MinSecretLength)
            {
                ConfigValues.Fail(key + ":Token", "must be at least " + MinSecretLength + " characters.");
            }

            if (!tokens.Add(token))
            {
                ConfigValues.Fail(key + ":Token", "is the same as another gateway's token; each gateway needs its own.");
            }

            string outlet = ConfigValues.Required(config, key + ":OutletId");
            CheckId(outlet, key + ":OutletId");

            gateways.Add(new PortalGateway(section.Key, SHA256.HashData(Encoding.UTF8.GetBytes(token)), outlet));
        }

        return gateways;
    }

    /// <summary>Ids end up in records and logs: 1 to 128 printable ASCII characters without spaces.</summary>
    private static void CheckId(string id, string key)
    {
        if (id.Length is 0 or > RecordLimits.MaxIdLength)
        {
            ConfigValues.Fail(key, "must be 1 to " + RecordLimits.MaxIdLength + " characters.");
        }

        foreach (char c in id)
        {
            if (c is <= ' ' or > '~')
            {
                ConfigValues.Fail(key, "must be printable ASCII without spaces.");
            }
        }
    }
}
