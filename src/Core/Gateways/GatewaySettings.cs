using Sieve.Contracts;
using Sieve.Contracts.Records;

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
/// Everything the gateway endpoints run on, made by the host from validated configuration. Secrets and tokens are
/// kept only as SHA-256 digests.
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

    /// <summary><c>Ingest:Http:RetryAfterSeconds</c>: the <c>Retry-After</c> sent with a 503 when Kafka could not take the data.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True when either endpoint family is configured.</summary>
    public bool AnyGateway => Meraki is not null || PortalGateways.Count > 0;
}
